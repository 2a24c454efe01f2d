"""One handwriting input made ready to show: preprocessing steps as PNGs, the 28x28 image, its reading.

Cached on the input's bytes and the model file, so every step runs once per stroke, photo or
snapshot, not once per rerun: a threshold change, a save, a second session drawing the same digit
or a rerun that only moves the stroke-width slider reuse the stored result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app.resources import load_model, mtime
from app.widgets import png_bytes

NETWORK_SCALE = 6  # the 28x28 input, enlarged for the eye
FAST_PNG = 1  # zlib level: lossless still, 2.5x faster than the default for eight images a stroke


@dataclass(frozen=True)
class ShownInput:
    """What the page shows for one input.

    Attributes:
        image: the preprocessed 28x28 float32 image in [0, 1], as the network reads it.
        steps: (title, PNG bytes) per preprocessing step, in order.
        network_png: `image` enlarged `NETWORK_SCALE` times, as PNG.
        probabilities: the model's softmax output for `image`.
    """

    image: np.ndarray
    steps: tuple[tuple[str, bytes], ...]
    network_png: bytes
    probabilities: np.ndarray


@dataclass(frozen=True)
class NotShown:
    """Why an input shows no reading.

    Attributes:
        message: what to tell the user.
        bad_file: True when the bytes are not a usable image (an error); False when the image is fine
            but holds nothing to read (no ink found).
    """

    message: str
    bad_file: bool


def _decoded(data: bytes, kind: str) -> np.ndarray:
    if kind == "canvas":  # the canvas PNG as drawn, background included (as before the cache)
        from app.canvas import decode_drawing

        return decode_drawing(data)
    from core.handwriting.imageio import decode_image

    return decode_image(data)


@st.cache_data(max_entries=256, show_spinner=False)
def _shown(data: bytes, kind: str, model_path: str, model_mtime: float):
    from core.errors import LabError
    from core.handwriting.preprocess import NoInkFound, preprocess
    from core.handwriting.reading import probabilities

    try:
        raw = _decoded(data, kind)
    except LabError as exc:
        return NotShown(str(exc), bad_file=True)
    try:
        result = preprocess(raw)
    except NoInkFound as exc:
        return NotShown(str(exc), bad_file=False)
    steps = tuple((title, png_bytes(img, max(1, 112 // max(img.shape[:2])), FAST_PNG))
                  for title, img in result.steps)
    probs = probabilities(load_model(model_path), result.image)[0]
    return ShownInput(result.image.astype(np.float32), steps,
                      png_bytes(result.image, NETWORK_SCALE, FAST_PNG), probs)


def shown_input(data: bytes, kind: str, model_path: str) -> ShownInput | NotShown:
    """`data` (a file's or the canvas's PNG bytes) preprocessed and read by the model at `model_path`.

    Args:
        data: the input's bytes.
        kind: "canvas" for canvas drawings, anything else for uploaded files and photos.
        model_path: the model that reads it (part of the cache key, with its modification time).

    Returns:
        The `ShownInput`, or `NotShown` saying why there is nothing to read.
    """
    return _shown(data, kind, model_path, mtime(model_path))
