"""Looking inside a model: evaluation, filters, filter2D, activations, saliency, histograms, pictures."""
