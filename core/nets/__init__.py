"""Networks: configs and presets, building Keras models, loading/saving, the model catalog."""
