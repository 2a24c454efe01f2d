"""What a model reads in preprocessed 28x28 images: label, confidence, probabilities, top 3.

Prediction calls the model directly (`model(x, training=False)`), not `model.predict`, which
costs about 40 ms of set-up per call: fast enough to re-read a drawing after every stroke.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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


def model_input(images) -> np.ndarray:
    """(N, 28, 28, 1) float32 from one (28, 28) image or a stack of them, [0, 1] or uint8."""
    x = np.asarray(images)
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    return x


def probabilities(model, images, batch_size: int = 512) -> np.ndarray:
    """Softmax outputs (N, classes) of `model` on 28x28 images, calling the model directly."""
    x = model_input(images)
    out = [np.asarray(model(x[i:i + batch_size], training=False)) for i in range(0, len(x), batch_size)]
    return np.concatenate(out) if out else np.zeros((0, int(model.outputs[0].shape[-1])), np.float32)


def read(model, images) -> list[Reading]:
    """A `Reading` per 28x28 image."""
    return [Reading(p) for p in probabilities(model, images)]
