"""Loading and saving `.keras` models safely.

Loading always uses `safe_mode=True` (no deserialised Python code such as Lambda layers) and checks
that the model is an image classifier the lab can use. Saving is atomic (`core.files`), so a killed
process or a full disk never leaves a half-written model behind.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from core.errors import ModelFileError
from core.paths import default_model_path

MAX_MODEL_BYTES = 512 * 1024 * 1024


def load_model(path: str | os.PathLike | None = None, require_mnist_shape: bool = True):
    """Load a `.keras` model with `safe_mode=True` and check it is a usable classifier.

    Args:
        path: model file; the shipped default model when None.
        require_mnist_shape: require a (28, 28, 1) input. Defaults to True.

    Returns:
        The loaded `keras.Model`.

    Raises:
        ModelFileError: missing, too large, not a `.keras` archive, unsafe, or the wrong shape.
    """
    path = Path(path) if path else default_model_path()
    if not path.is_file():
        raise ModelFileError(f"Model file not found: {path}.")
    if path.stat().st_size > MAX_MODEL_BYTES:
        raise ModelFileError(f"{path.name} is larger than {MAX_MODEL_BYTES // 2**20} MB; refusing to load it.")
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        raise ModelFileError(
            f"{path.name} is not a Keras 3 `.keras` model file (a zip archive). "
            "Save your model with model.save('name.keras')."
        )
    import keras

    try:
        model = keras.saving.load_model(path, safe_mode=True, compile=False)
    except ValueError as exc:
        text = str(exc)
        if "safe_mode" in text or "lambda" in text.lower():
            raise ModelFileError(
                f"{path.name} contains Python code (e.g. a Lambda layer) and was refused: "
                "only models made of standard layers can be loaded."
            ) from None
        raise ModelFileError(f"{path.name} could not be loaded as a Keras model: {_short(text)}") from None
    except Exception as exc:  # corrupt archives raise many different types
        raise ModelFileError(
            f"{path.name} could not be loaded as a Keras model: {type(exc).__name__}: {_short(str(exc))}"
        ) from None
    check_classifier(model, require_mnist_shape)
    return model


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def check_classifier(model, require_mnist_shape: bool = True) -> None:
    """Raise `ModelFileError` unless `model` maps one image to a softmax over classes."""
    import keras

    if not isinstance(model, keras.Model) or len(model.inputs) != 1 or len(model.outputs) != 1:
        raise ModelFileError("The model must have exactly one input and one output.")
    in_shape = tuple(model.inputs[0].shape[1:])
    if require_mnist_shape and in_shape != (28, 28, 1):
        raise ModelFileError(
            f"The model's input is {in_shape}; the lab needs a 28x28x1 greyscale input like MNIST."
        )
    out_shape = tuple(model.outputs[0].shape[1:])
    if len(out_shape) != 1 or out_shape[0] < 2:
        raise ModelFileError(f"The model's output is {out_shape}; the lab needs a vector of class scores.")
    last = model.layers[-1]
    activation = getattr(getattr(last, "activation", None), "__name__", "")
    if activation != "softmax" and type(last).__name__ != "Softmax":
        raise ModelFileError(
            f"The model's last layer ({last.name}) has no softmax activation; "
            "the lab needs class probabilities as output."
        )


def save_model_atomic(model, path: str | os.PathLike, group=None) -> Path:
    """Save `model` to `path` atomically (temporary file, fsync, rename).

    Args:
        model: the Keras model.
        path: the `.keras` file to create or replace.
        group: a `core.files.AtomicGroup` to stage the file in (renamed with the group's other
            files). Defaults to None: saved at once.

    Raises:
        WriteFailed: (an OSError) the disk is full or not writable; the previous file is left untouched.
    """
    from core import files

    if group is not None:
        model.save(group.stage(path))
        return Path(path)
    return files.atomic_write(path, model.save)
