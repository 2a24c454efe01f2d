"""What the Data page shows about a dataset: class counts, pixel statistics, example picks."""

from __future__ import annotations

import numpy as np

from core.data.datasets import Dataset

_CHUNK = 1 << 20  # pixels per histogram step


def class_counts(data: Dataset) -> list[dict]:
    """One row per class: index, name, number of training and test images."""
    k = data.num_classes
    train = np.bincount(data.y_train, minlength=k)
    test = np.bincount(data.y_test, minlength=k)
    return [{"class": i, "name": data.class_names[i], "train": int(train[i]), "test": int(test[i])}
            for i in range(k)]


def pixel_stats(data: Dataset) -> dict:
    """Shapes and the training set's pixel mean and standard deviation over [0, 1].

    Computed exactly from a 256-bin histogram of the uint8 pixels, 1M pixels at a time: one pass and no
    float copy of the 47 million pixels (which cost 0.2-2 s and 188 MB on 2 cores).
    """
    x = data.x_train
    flat = x.reshape(-1)
    counts = np.zeros(256, dtype=np.int64)
    for start in range(0, flat.size, _CHUNK):
        counts += np.bincount(flat[start:start + _CHUNK], minlength=256)
    values = np.arange(256) / 255.0
    total = max(1, int(counts.sum()))
    mean = float((counts * values).sum() / total)
    std = float(np.sqrt((counts * (values - mean) ** 2).sum() / total))
    return {"train": int(len(x)), "test": int(len(data.x_test)), "shape": "x".join(map(str, x.shape[1:])),
            "mean": mean, "std": std}


def examples(data: Dataset, split: str, start: int, count: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(indices, images, labels) of `count` examples of a split from `start` on, clipped to its size."""
    x, y = (data.x_train, data.y_train) if split == "train" else (data.x_test, data.y_test)
    start = max(0, min(int(start), len(x) - 1))
    idx = np.arange(start, min(len(x), start + int(count)))
    return idx, x[idx], y[idx]
