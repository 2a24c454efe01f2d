"""A person's own handwriting: decoding images, MNIST-like preprocessing, sheets, reading, the saved set."""
