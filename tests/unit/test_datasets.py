"""Dataset loading on the real MNIST / Fashion-MNIST files."""

import numpy as np
import pytest

from core.data.datasets import load_dataset, read_npz
from core.errors import DatasetUnavailable


def test_mnist_shapes_and_first_labels(mnist):
    assert mnist.x_train.shape == (60000, 28, 28) and mnist.x_train.dtype == np.uint8
    assert mnist.x_test.shape == (10000, 28, 28)
    assert mnist.y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert abs(mnist.x_train.mean() / 255 - 0.1307) < 1e-3
    assert mnist.class_names[3] == "3"


def test_fashion_mnist_first_labels():
    data = load_dataset("fashion_mnist")
    assert data.y_train[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert abs(data.x_train.mean() / 255 - 0.2860) < 1e-3
    assert data.class_names[9] == "Ankle boot"


def test_lookup_prefers_lab_data_dir(mnist, shared_data):
    assert mnist.source == str(shared_data / "mnist.npz")


def test_missing_dataset_says_where_to_put_it(monkeypatch, tmp_path):
    monkeypatch.setenv("LAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    with pytest.raises(DatasetUnavailable) as info:
        load_dataset("mnist", allow_download=False)
    message = str(info.value)
    assert "mnist.npz" in message and "LAB_DATA_DIR" in message and str(tmp_path / "keras") in message


def test_failed_download_is_a_clear_message(monkeypatch, tmp_path):
    import core.data.datasets as ds

    monkeypatch.setenv("LAB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))

    def offline(name):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(ds, "_download", offline)
    with pytest.raises(DatasetUnavailable, match="download failed.*name resolution"):
        load_dataset("fashion_mnist", allow_download=True)


def test_unknown_dataset_lists_known_ones():
    with pytest.raises(DatasetUnavailable, match="mnist, fashion_mnist"):
        load_dataset("emnist")


@pytest.mark.parametrize("bad", ["wrong_dtype", "labels_out_of_range", "missing_key", "pickle", "not_zip"])
def test_invalid_files_are_refused(tmp_path, bad):
    x = np.zeros((4, 28, 28), np.uint8)
    y = np.array([0, 1, 2, 3], np.uint8)
    arrays = {"x_train": x, "y_train": y, "x_test": x, "y_test": y}
    path = tmp_path / "mnist.npz"
    if bad == "wrong_dtype":
        arrays["x_train"] = x.astype(np.float64)
    elif bad == "labels_out_of_range":
        arrays["y_test"] = np.array([0, 1, 2, 12], np.uint8)
    elif bad == "missing_key":
        del arrays["y_test"]
    if bad == "pickle":
        arrays["x_train"] = np.array([object()] * 4, dtype=object)
    if bad == "not_zip":
        path.write_text("hello")
    else:
        np.savez(path, **arrays)
    with pytest.raises(DatasetUnavailable):
        read_npz("mnist", path)


def test_offline_and_input_shape(monkeypatch):
    from core.data.datasets import DATASETS, input_shape, offline

    for value, expected in (("1", True), ("TRUE", True), (" yes", True), ("0", False), ("", False)):
        monkeypatch.setenv("LAB_OFFLINE", value)
        assert offline() is expected, value
    assert [input_shape(name) for name in DATASETS] == [(28, 28, 1)] * len(DATASETS)
    with pytest.raises(DatasetUnavailable, match="Available datasets are"):
        input_shape("cifar")
