"""Recognition Lab core: datasets, networks, training, analysis. No UI code lives here.

Importing this package is cheap: TensorFlow is only imported by the modules that need it.
"""

__version__ = "0.1.0"
