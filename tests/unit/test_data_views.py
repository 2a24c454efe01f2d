"""Class counts, pixel statistics and example picks of the Data page, on real MNIST."""

import numpy as np

from core.data.views import class_counts, examples, pixel_stats


def test_class_counts_match_mnist(mnist):
    rows = class_counts(mnist)
    assert [r["train"] for r in rows] == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert sum(r["test"] for r in rows) == 10000


def test_pixel_stats_are_the_known_mnist_figures(mnist):
    stats = pixel_stats(mnist)
    assert round(stats["mean"], 4) == 0.1307 and round(stats["std"], 4) == 0.3081
    assert stats["shape"] == "28x28" and stats["train"] == 60000


def test_examples_are_the_first_images_and_labels(mnist):
    idx, images, labels = examples(mnist, "train", 0, 10)
    assert list(labels) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert np.array_equal(images[0], mnist.x_train[0])
    idx, _, _ = examples(mnist, "test", 9995, 50)
    assert list(idx) == [9995, 9996, 9997, 9998, 9999]


def test_pixel_stats_equal_numpy_on_float_pixels(mnist):
    """The histogram route gives numpy's float64 mean and std of the same pixels."""
    from core.data.datasets import Dataset

    x = np.random.default_rng(0).integers(0, 256, (3000, 28, 28), dtype=np.uint8)  # > one 1M-pixel chunk
    data = Dataset("mnist", x, np.zeros(3000, np.uint8), x[:5], np.zeros(5, np.uint8), list("0123456789"), "test")
    stats = pixel_stats(data)
    assert abs(stats["mean"] - (x / 255.0).mean()) < 1e-12
    assert abs(stats["std"] - (x / 255.0).std()) < 1e-12
