"""The user's own labelled handwriting: 28x28 digits saved in the workspace, and a model's score on them.

Layout: `<workspace>/my_digits/<label>/<timestamp>-<n>.png`, one preprocessed 28x28 greyscale PNG
(white ink on black, exactly what the model sees) per saved digit; the folder name is the label.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import LabError
from core.paths import workspace_dir

FOLDER = "my_digits"


class HandwritingSetError(LabError):
    """A digit that cannot be saved to, or removed from, the handwriting set."""


@dataclass(frozen=True)
class SavedDigit:
    """One saved digit: its file, its label, and where it came from (canvas, upload, camera)."""

    path: Path
    label: int


def set_dir() -> Path:
    """Folder of the user's handwriting set (created on demand)."""
    return workspace_dir(FOLDER)


def save_digit(image: np.ndarray, label: int, source: str = "canvas") -> SavedDigit:
    """Save a preprocessed (28, 28) image in [0, 1] under `label`.

    Args:
        image: (28, 28) float in [0, 1] (or uint8), white ink on black.
        label: the digit it shows, 0-9.
        source: where it came from, kept in the file name ("canvas", "upload", "camera").

    Raises:
        HandwritingSetError: not a 28x28 image or a label outside 0-9.
    """
    from PIL import Image

    from core.files import atomic_write

    arr = np.asarray(image)
    if arr.shape != (28, 28):
        raise HandwritingSetError(f"Only preprocessed 28x28 digits can be saved (got {arr.shape}).")
    if not isinstance(label, (int, np.integer)) or not 0 <= int(label) <= 9:
        raise HandwritingSetError(f"The label must be a digit 0-9, not {label!r}.")
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0.0, 1.0) * 255).round().astype(np.uint8)
    folder = set_dir() / str(int(label))
    safe_source = "".join(c if c.isalnum() else "-" for c in source.split(":")[0])[:20] or "input"
    stamp = time.strftime("%Y%m%d-%H%M%S")
    n = 0
    while (path := folder / f"{stamp}-{safe_source}-{n}.png").exists():
        n += 1
    atomic_write(path, lambda tmp: Image.fromarray(arr, "L").save(tmp, format="PNG"))
    return SavedDigit(path, int(label))


def list_digits() -> list[SavedDigit]:
    """Every saved digit, sorted by label then file name."""
    root = set_dir()
    out = []
    for label in range(10):
        folder = root / str(label)
        if folder.is_dir():
            out += [SavedDigit(p, label) for p in sorted(folder.glob("*.png")) if not p.name.startswith(".")]
    return out


def load_set() -> tuple[np.ndarray, np.ndarray, list[SavedDigit]]:
    """(images (N, 28, 28) float32 in [0, 1], labels (N,), items); unreadable files are skipped."""
    from PIL import Image

    images, labels, items = [], [], []
    for item in list_digits():
        try:
            with Image.open(item.path) as img:
                arr = np.asarray(img.convert("L"), np.float32) / 255.0
        except Exception:  # a file damaged outside the lab: leave it, do not crash the page
            continue
        if arr.shape == (28, 28):
            images.append(arr)
            labels.append(item.label)
            items.append(item)
    x = np.stack(images) if images else np.zeros((0, 28, 28), np.float32)
    return x, np.asarray(labels, np.int64), items


def remove_digit(path: str | Path) -> None:
    """Delete one saved digit (only files inside the set folder).

    Raises:
        HandwritingSetError: the path is not a digit of the set.
    """
    path = Path(path).resolve()
    root = set_dir().resolve()
    if root not in path.parents or path.suffix != ".png":
        raise HandwritingSetError(f"{path.name} is not part of your handwriting set.")
    path.unlink(missing_ok=True)


@dataclass
class SetScore:
    """How a model does on the handwriting set."""

    labels: np.ndarray
    predicted: np.ndarray
    confidence: np.ndarray
    items: list
    images: np.ndarray

    @property
    def accuracy(self) -> float:
        return float((self.labels == self.predicted).mean()) if len(self.labels) else float("nan")

    @property
    def count(self) -> int:
        return int(len(self.labels))

    def per_label(self) -> list[dict]:
        """Rows label, saved, right, accuracy for every label present in the set."""
        rows = []
        for label in sorted(set(self.labels.tolist())):
            sel = self.labels == label
            right = int((self.predicted[sel] == label).sum())
            rows.append({"label": int(label), "saved": int(sel.sum()), "right": right,
                         "accuracy": right / int(sel.sum())})
        return rows

    def mistakes(self) -> list[dict]:
        """The misread digits: index, file, label, predicted, confidence."""
        wrong = np.flatnonzero(self.labels != self.predicted)
        return [{"index": int(i), "path": str(self.items[i].path), "label": int(self.labels[i]),
                 "predicted": int(self.predicted[i]), "confidence": float(self.confidence[i])} for i in wrong]


def score(model) -> SetScore:
    """The model's predictions on the whole handwriting set."""
    from core.handwriting.reading import probabilities

    x, y, items = load_set()
    if not len(y):
        return SetScore(y, y.copy(), np.zeros(0, np.float32), items, x)
    p = probabilities(model, x)
    return SetScore(y, p.argmax(axis=1), p.max(axis=1), items, x)
