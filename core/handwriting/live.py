"""Reading one live camera frame: the photo pipeline (decode, `preprocess`, `read`) plus the verdict.

A live reading is shown only when the model is at least `threshold` sure; otherwise it is "unsure",
as is a frame with no ink in it. The frame comes back with the cropped box drawn on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import LabError
from core.handwriting.imageio import decode_image
from core.handwriting.preprocess import NoInkFound, Preprocessed, preprocess
from core.handwriting.reading import DEFAULT_THRESHOLD, Reading, read
from core.handwriting.sheets import annotate

UNSURE = "unsure"


@dataclass
class LiveReading:
    """What one frame reads as.

    Attributes:
        frame: the decoded frame (RGB uint8), with the cropped box and verdict drawn when ink was found.
        verdict: the digit as text when the model is sure enough, else "unsure".
        prepared: the preprocessing result (steps, 28x28 input, box), None when no ink was found.
        reading: the model's reading of `prepared.image`, None when no ink was found.
        message: why nothing was read (no ink, a damaged frame), "" otherwise.
    """

    frame: np.ndarray
    verdict: str
    prepared: Preprocessed | None = None
    reading: Reading | None = None
    message: str = ""


def read_frame(model, data: bytes, threshold: float = DEFAULT_THRESHOLD, class_names=None) -> LiveReading:
    """Read one camera frame (image file bytes, e.g. a JPEG) with `model`.

    Args:
        model: Keras model taking (N, 28, 28, 1) images.
        data: the encoded frame.
        threshold: least confidence for the digit to be shown. Defaults to 0.90.
        class_names: the model's class names, so a letter model's verdict is "beta". Defaults to None
            (the class index).

    Returns:
        `LiveReading`; its verdict is "unsure" below `threshold`, for a blank frame or a damaged one.
    """
    try:
        frame = decode_image(data)
    except LabError as exc:
        return LiveReading(np.zeros((1, 1, 3), np.uint8), UNSURE, message=str(exc))
    try:
        prepared = preprocess(frame)
    except NoInkFound as exc:
        return LiveReading(_rgb(frame), UNSURE, message=str(exc))
    reading = read(model, prepared.image, class_names)[0]
    verdict = UNSURE if reading.unclear(threshold) else reading.name
    boxed = annotate(frame, [prepared.box], [verdict])
    return LiveReading(boxed, verdict, prepared, reading)


def _rgb(frame: np.ndarray) -> np.ndarray:
    return np.repeat(frame[..., None], 3, axis=2) if frame.ndim == 2 else frame
