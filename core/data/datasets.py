"""Datasets: MNIST and Fashion-MNIST (Keras' `mnist.npz` layout).

Lookup order for a dataset file: `$LAB_DATA_DIR`, the Keras cache (`$KERAS_HOME/datasets` or
`~/.keras/datasets`), then Keras' own download. Every array read is validated; pickles are refused.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import settings
from core.errors import DatasetUnavailable

# name -> (file name, image shape, class names)
_SPECS = {
    "mnist": ("mnist.npz", (28, 28), [str(i) for i in range(10)]),
    "fashion_mnist": (
        "fashion_mnist.npz",
        (28, 28),
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
         "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    ),
}
DATASETS = tuple(_SPECS)
TITLES = {"mnist": "MNIST digits", "fashion_mnist": "Fashion-MNIST"}
_KEYS = ("x_train", "y_train", "x_test", "y_test")


@dataclass(frozen=True)
class Dataset:
    """A labelled image dataset held in memory as uint8 arrays.

    Attributes:
        name: dataset key (`mnist`, `fashion_mnist`).
        x_train, x_test: uint8 images, (N, 28, 28).
        y_train, y_test: uint8 labels, (N,).
        class_names: one name per label.
        source: where the data came from (a path or "keras download").
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list
    source: str

    @property
    def image_shape(self) -> tuple:
        return tuple(self.x_train.shape[1:])

    @property
    def num_classes(self) -> int:
        return len(self.class_names)


def _check_name(name: str) -> None:
    if name not in _SPECS:
        raise DatasetUnavailable(
            f"Unknown dataset {name!r}. Available datasets are: {', '.join(DATASETS)}."
        )


def class_names_of(name: str) -> list[str]:
    """The class names of dataset `name` without loading it (e.g. "0".."9" for MNIST)."""
    _check_name(name)
    return list(_SPECS[name][2])


def keras_cache_dir() -> Path:
    """The folder where Keras keeps downloaded datasets."""
    return Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras") / "datasets"


def candidate_files(name: str) -> list[Path]:
    """Files that may hold `name`, in lookup order."""
    _check_name(name)
    filename = _SPECS[name][0]
    paths = []
    if os.environ.get("LAB_DATA_DIR"):
        paths.append(Path(os.environ["LAB_DATA_DIR"]) / filename)
    paths.append(keras_cache_dir() / filename)
    return paths


def validate_arrays(name: str, arrays: dict) -> None:
    """Check shapes, dtypes and label ranges of a dataset's four arrays.

    Raises:
        DatasetUnavailable: naming the first array that is wrong.
    """
    shape = _SPECS[name][1]
    n_classes = len(_SPECS[name][2])
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or tuple(x.shape[1:]) != shape:
            raise DatasetUnavailable(
                f"{name}: x_{split} should be uint8 images of shape (N, {', '.join(map(str, shape))}), "
                f"found {x.dtype} {x.shape}."
            )
        y = y.reshape(-1)
        if y.shape[0] != x.shape[0]:
            raise DatasetUnavailable(
                f"{name}: {x.shape[0]} {split} images but {y.shape[0]} labels."
            )
        if not np.issubdtype(y.dtype, np.integer) or y.min() < 0 or y.max() >= n_classes:
            raise DatasetUnavailable(
                f"{name}: y_{split} should hold integer labels 0..{n_classes - 1}."
            )


_LOADED: dict = {}  # name -> ((path, size, mtime), Dataset): sweeps and pages read a file once per process


def read_npz(name: str, path: Path) -> Dataset:
    """Read and validate a dataset file in Keras' `mnist.npz` layout (no pickles).

    A file already read by this process, unchanged since, is not read again; its arrays are
    read-only so that no caller can change what the next one gets.
    """
    try:
        stat = Path(path).stat()
        key = (str(path), stat.st_size, stat.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and _LOADED.get(name, (None,))[0] == key:
        return _LOADED[name][1]
    dataset = _read_npz(name, path)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.flags.writeable = False
    if key is not None:
        _LOADED[name] = (key, dataset)
    return dataset


def _read_npz(name: str, path: Path) -> Dataset:
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in _KEYS if k not in data.files]
            if missing:
                raise DatasetUnavailable(
                    f"{path} is not in the mnist.npz layout: missing {', '.join(missing)}."
                )
            arrays = {k: data[k] for k in _KEYS}
    except DatasetUnavailable:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise DatasetUnavailable(f"{path} could not be read as a .npz file: {exc}") from None
    validate_arrays(name, arrays)
    return Dataset(
        name=name,
        x_train=arrays["x_train"],
        y_train=arrays["y_train"].reshape(-1).astype(np.uint8),
        x_test=arrays["x_test"],
        y_test=arrays["y_test"].reshape(-1).astype(np.uint8),
        class_names=list(_SPECS[name][2]),
        source=str(path),
    )


def _download(name: str) -> Dataset:
    from keras import datasets as kd  # imported late: pulls in TensorFlow

    loader = {"mnist": kd.mnist, "fashion_mnist": kd.fashion_mnist}[name]
    (x_train, y_train), (x_test, y_test) = loader.load_data()
    arrays = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    validate_arrays(name, arrays)
    return Dataset(name, x_train, y_train.reshape(-1).astype(np.uint8), x_test,
                   y_test.reshape(-1).astype(np.uint8), list(_SPECS[name][2]), "keras download")


def unavailable_message(name: str, reason: str = "") -> str:
    """The message shown when no copy of `name` can be found: where to put the file."""
    filename = _SPECS[name][0]
    places = " or ".join(str(p) for p in candidate_files(name))
    text = (
        f"The {TITLES[name]} dataset is not available: no {filename} in {places}"
        f"{', and the Keras download failed' if reason else ''}. "
        f"Put {filename} (Keras' mnist.npz layout) in a folder and set LAB_DATA_DIR to that folder, "
        f"or copy it to {keras_cache_dir()}."
    )
    return text + (f" (download error: {reason})" if reason else "")


def load_dataset(name: str = "mnist", allow_download: bool | None = None) -> Dataset:
    """Load a dataset from `$LAB_DATA_DIR`, the Keras cache, or Keras' download.

    Args:
        name: one of `DATASETS`.
        allow_download: try Keras' download when no file is found. Defaults to True unless
            `offline()`.

    Returns:
        The validated `Dataset`.

    Raises:
        DatasetUnavailable: with a message that says where to put the file.
    """
    _check_name(name)
    for path in candidate_files(name):
        if path.is_file():
            return read_npz(name, path)
    if allow_download is None:
        allow_download = not offline()
    if not allow_download:
        raise DatasetUnavailable(unavailable_message(name))
    try:
        return _download(name)
    except DatasetUnavailable:
        raise
    except Exception as exc:  # network errors come in many types; all mean "not available"
        raise DatasetUnavailable(unavailable_message(name, f"{type(exc).__name__}: {exc}")) from None


def available_datasets() -> dict[str, bool]:
    """Which datasets are on disk right now (no download attempted)."""
    return {name: any(p.is_file() for p in candidate_files(name)) for name in DATASETS}


def offline() -> bool:
    """True when `LAB_OFFLINE` is set to 1, true or yes: never try Keras' download."""
    return settings.flag("LAB_OFFLINE")


def input_shape(name: str) -> tuple:
    """The model input shape for dataset `name`, e.g. (28, 28, 1): its image shape plus one channel."""
    _check_name(name)
    return tuple(_SPECS[name][1]) + (1,)
