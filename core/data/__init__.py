"""Datasets (MNIST, Fashion-MNIST) and what the Data page shows about them."""
