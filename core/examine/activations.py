"""Activations: what each layer of a model outputs for one chosen input image.

Truncated models (`core.nets.network.truncate`) are built by the caller once per (model, layer) and passed
in, so that a page can cache them; the functions here only pick inputs, run them and reshape outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.errors import LabError
from core.nets.inputs import forward

SOURCES = {"train": "First training example", "test": "A test example", "drawn": "From the Draw page"}


@dataclass(frozen=True)
class InputImage:
    """One image to look at: (28, 28) float32 in [0, 1], white ink on black, and where it came from."""

    image: np.ndarray
    label: int | None
    title: str


def choose_input(dataset, source: str = "train", index: int = 0, drawn: dict | None = None) -> InputImage:
    """The image the Examine page studies.

    Args:
        dataset: a `core.data.datasets.Dataset` (MNIST-like, 28x28 greyscale).
        source: "train" (training example `index`, the first by default), "test" (test example `index`)
            or "drawn" (the Draw page's `drawn_digit`). Defaults to "train".
        index: which example. Defaults to 0.
        drawn: the `drawn_digit` dict ({"image": (28, 28) float in [0, 1], "source": ...}) for "drawn".

    Raises:
        LabError: unknown source, index out of range, or no usable drawing.
    """
    if source in ("train", "test"):
        x = dataset.x_train if source == "train" else dataset.x_test
        y = dataset.y_train if source == "train" else dataset.y_test
        if not 0 <= index < len(x):
            raise LabError(f"There is no {source} example {index}: pick 0..{len(x) - 1}.")
        image = np.asarray(x[index], dtype=np.float32) / 255.0
        if image.shape != (28, 28):
            raise LabError(f"The dataset's images are {image.shape}; the Examine page needs 28x28 greyscale.")
        label = int(y[index])
        name = dataset.class_names[label] if label < len(dataset.class_names) else str(label)
        return InputImage(image, label, f"{source} example {index} (label {name})")
    if source == "drawn":
        image = None if not drawn else drawn.get("image")
        if image is None:
            raise LabError("No drawn digit yet: draw or upload one on the Draw page first.")
        image = np.asarray(image, dtype=np.float32).reshape(-1)
        if image.size != 28 * 28:
            raise LabError("The drawn digit must be a 28x28 image.")
        image = np.clip(image.reshape(28, 28), 0.0, 1.0)
        return InputImage(image, None, drawn_title(drawn.get("source")))
    raise LabError(f"Unknown input source {source!r}; use one of {', '.join(SOURCES)}.")


def drawn_title(source: str | None) -> str:
    """What the Draw page's digit is called by where it came from: canvas, an upload or the camera.

    Args:
        source: the `drawn_digit` source, "canvas", "upload: <file name>" or "camera".
    """
    source = source or "canvas"
    if source.startswith("upload: "):
        return f"your upload ({source.removeprefix('upload: ')})"
    if source == "camera":
        return "your camera photo"
    return f"your drawing ({source})"


def parse_indices(text: str) -> list[int]:
    """Example numbers typed by the user, separated by commas or semicolons ("0, 1; 2" -> [0, 1, 2]).

    Raises:
        LabError: a part is not a whole number.
    """
    try:
        return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise LabError("Type test example numbers separated by commas, e.g. 0, 1, 2.") from None


def check_model(model) -> None:
    """Check that the Examine page can study `model`: 28x28 greyscale input, class scores at the end.

    Raises:
        LabError: one line saying what does not fit.
    """
    from core.examine.saliency import check_scores
    from core.nets.inputs import check_image_model

    check_image_model(model)
    check_scores(model)


def class_names(model, dataset, known=None) -> list[str]:
    """Names of the model's outputs: `known` (its catalog kind's, e.g. a letter head's) when they fit,
    else the dataset's when their number matches, else `class 0..n-1`."""
    n = int(model.outputs[0].shape[-1])
    for names in (known, dataset.class_names):
        if names and len(names) == n:
            return list(names)
    return [f"class {i}" for i in range(n)]


def dataset_for_run(run_dir: str | Path | None) -> str:
    """The dataset a run trained on (from its config.json); "mnist" when unknown or not 28x28 greyscale."""
    from core.data.datasets import DATASETS
    from core.runs.rundir import read_json

    if not run_dir:
        return "mnist"
    name = (read_json(Path(run_dir) / "config.json", {}) or {}).get("dataset", "mnist")
    return name if name in DATASETS else "mnist"


def layer_rows(model) -> list[dict]:
    """Every layer after the input: name, type and output shape (what an activation gallery can show)."""
    rows = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue
        shape = tuple(layer.output.shape[1:])
        rows.append({"name": layer.name, "type": type(layer).__name__, "shape": shape})
    return rows


def default_layers(model) -> list[str]:
    """The galleries shown first: the first two conv layers and the first pooling layer, when present."""
    rows = layer_rows(model)
    convs = [r["name"] for r in rows if r["type"] == "Conv2D"][:2]
    pools = [r["name"] for r in rows if "Pooling2D" in r["type"]][:1]
    chosen = set(convs + pools)
    names = [r["name"] for r in rows if r["name"] in chosen]
    return names or [r["name"] for r in rows[:1]]


def first_pool_name(model) -> str | None:
    """The first pooling layer's name (None when the model has none)."""
    return next((r["name"] for r in layer_rows(model) if "Pooling2D" in r["type"]), None)


def layer_output(truncated, images) -> np.ndarray:
    """Run a truncated model on one image or a list: (H, W, C) / (units,) for one, a leading N for a list."""
    out = forward(truncated, images)
    return out[0] if np.asarray(images).ndim == 2 else out


def maps_of(output: np.ndarray, width: int | None = None) -> np.ndarray:
    """An activation as a stack of 2-D maps for a gallery: (C, H, W) for conv/pool outputs, one map
    laid out row by row for a flat (dense) output."""
    from core.examine.pictures import as_grid

    output = np.asarray(output)
    if output.ndim == 3:
        return np.moveaxis(output, -1, 0)
    if output.ndim == 1:
        return as_grid(output, width)[None]
    raise LabError(f"An activation of shape {output.shape} cannot be shown as maps.")


def similarity(outputs: np.ndarray) -> np.ndarray:
    """Cosine similarity between the flattened outputs of several images (N, N)."""
    flat = np.asarray(outputs, dtype=np.float64).reshape(len(outputs), -1)
    norms = np.linalg.norm(flat, axis=1, keepdims=True)
    flat = flat / np.where(norms > 0, norms, 1.0)
    return flat @ flat.T


def summary(output: np.ndarray) -> dict:
    """Numbers shown under a gallery: shape, share of zeros (dead after ReLU), mean and max."""
    arr = np.asarray(output, dtype=np.float64)
    return {"shape": "x".join(map(str, arr.shape)), "zeros": float((arr == 0).mean()),
            "mean": float(arr.mean()), "max": float(arr.max())}
