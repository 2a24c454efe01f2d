"""What a model reads in preprocessed 28x28 images: label, its class name, confidence, top 3.

Prediction goes through `core.nets.inputs.forward` (compiled, batched): fast enough to re-read a
drawing after every stroke.
Readings are named with the model's own class names (`core.nets.kind`), so a Greek-letter head
reads "beta", never "1".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import LabError
from core.nets.inputs import forward

DEFAULT_THRESHOLD = 0.90  # below this confidence a reading is shown as "unclear"


@dataclass
class Reading:
    """One image's prediction.

    Attributes:
        probabilities: (classes,) softmax output.
        class_names: one name per class; "0".."n-1" when not given.
    """

    probabilities: np.ndarray
    class_names: tuple = ()

    def __post_init__(self):
        if len(self.class_names) != len(self.probabilities):
            self.class_names = tuple(str(i) for i in range(len(self.probabilities)))

    @property
    def label(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def name(self) -> str:
        """The class name of the most likely class ("7", "beta", "Sneaker")."""
        return self.class_names[self.label]

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        """The `k` most likely classes as (class index, probability), most likely first."""
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(int(i), float(self.probabilities[i])) for i in order]

    def top_named(self, k: int = 3) -> list[tuple[str, float]]:
        """The `k` most likely classes as (class name, probability), most likely first."""
        return [(self.class_names[i], p) for i, p in self.top(k)]

    def unclear(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        """True when the most likely class is below `threshold`."""
        return self.confidence < threshold

    def as_dict(self) -> dict:
        """JSON-ready: label (class index), name, confidence, probabilities (rounded to 6 decimals)."""
        return {"label": self.label, "name": self.name, "confidence": round(self.confidence, 6),
                "probabilities": [round(float(p), 6) for p in self.probabilities]}


def probabilities(model, images, batch_size: int = 512) -> np.ndarray:
    """Softmax outputs (N, classes) of `model` on 28x28 images ([0, 1] or uint8), one or a stack."""
    return forward(model, images, batch_size)


def read(model, images, class_names=None) -> list[Reading]:
    """A `Reading` per 28x28 image, named with `class_names` (the class indices when None)."""
    names = tuple(class_names or ())
    return [Reading(p, names) for p in probabilities(model, images)]


def what_it_reads(kind) -> str:
    """One line saying what a model of `kind` (a `core.nets.kind.ModelKind`) reads in handwriting."""
    if kind.is_digits:
        return "The active model reads digits 0-9."
    if kind.reads_letters:
        return f"The active model reads Greek letters ({', '.join(kind.class_names)}), not digits: draw a letter."
    return f"The active model is a {kind.describe()}: readings are its class names, not digits."


def check_readable(kind) -> None:
    """Raise `LabError` (one line) unless `kind` can read a 28x28 greyscale character."""
    if not kind.is_classifier:
        raise LabError(f"The active model is a {kind.describe()}, so it cannot read handwriting."
                       + (f" {kind.notice}" if kind.notice else ""))
    if kind.input_shape not in (None, (28, 28, 1)):
        raise LabError(f"The active model takes {kind.input_shape} images; handwriting is read as 28x28x1.")


def saved_label_choices(kind) -> list[str] | None:
    """The labels a drawing read by `kind` can be saved under in the digit set, or None (not digits)."""
    return [str(i) for i in range(10)] if kind.is_digits else None


def follow_reading(state: dict, key: str, reading: Reading) -> None:
    """Make the 'True label' picker `key` show the newest reading, unless the user picked one for it.

    The picker keeps its own state across reruns; without this it stays on the first reading of a
    drawing (a bar read as 2) after the drawing has changed (the finished 7). `state` is the session
    state; `key + "_read"` remembers which reading the picker was last set from.
    """
    seen = f"{key}_read"
    if state.get(seen) != reading.label or key not in state:
        state[key] = reading.label
        state[seen] = reading.label
