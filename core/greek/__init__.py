"""Greek letters: symbol sets, the generator, embeddings, SSD, KNN, transfer learning, projections."""
