"""What a model reads in preprocessed 28x28 images: label, confidence, probabilities, top 3.

Prediction goes through `core.nets.inputs.forward` (compiled, batched): fast enough to re-read a
drawing after every stroke.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.nets.inputs import forward

DEFAULT_THRESHOLD = 0.90  # below this confidence a reading is shown as "unclear"


@dataclass
class Reading:
    """One image's prediction.

    Attributes:
        probabilities: (classes,) softmax output.
    """

    probabilities: np.ndarray

    @property
    def label(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    def top(self, k: int = 3) -> list[tuple[int, float]]:
        """The `k` most likely classes as (class index, probability), most likely first."""
        order = np.argsort(-self.probabilities, kind="stable")[:k]
        return [(int(i), float(self.probabilities[i])) for i in order]

    def unclear(self, threshold: float = DEFAULT_THRESHOLD) -> bool:
        """True when the most likely class is below `threshold`."""
        return self.confidence < threshold

    def as_dict(self) -> dict:
        """JSON-ready: label, confidence, probabilities (rounded to 6 decimals)."""
        return {"label": self.label, "confidence": round(self.confidence, 6),
                "probabilities": [round(float(p), 6) for p in self.probabilities]}


def probabilities(model, images, batch_size: int = 512) -> np.ndarray:
    """Softmax outputs (N, classes) of `model` on 28x28 images ([0, 1] or uint8), one or a stack."""
    return forward(model, images, batch_size)


def read(model, images) -> list[Reading]:
    """A `Reading` per 28x28 image."""
    return [Reading(p) for p in probabilities(model, images)]
