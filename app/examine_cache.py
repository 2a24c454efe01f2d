"""Cached models and results for the Examine page (Streamlit glue around core; no logic of its own).

Derived models (pre-activation copies, logits, Grad-CAM) are built once per (model file, mtime, layer)
with `st.cache_resource` and never mutated; results for one image are cached with `st.cache_data`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from app import resources


mtime = resources.mtime


@st.cache_resource(max_entries=16, show_spinner=False)
def _pre_model(path: str, mt: float, layer: str):
    from core.examine.filter2d import pre_activation_model

    return pre_activation_model(resources.load_model(path), layer)


@st.cache_resource(max_entries=16, show_spinner=False)
def _input_model(path: str, mt: float, layer: str):
    from core.examine.filter2d import layer_input_model

    return layer_input_model(resources.load_model(path), layer)


@st.cache_resource(max_entries=8, show_spinner=False)
def _logits(path: str, mt: float):
    from core.examine.saliency import logits_model

    return logits_model(resources.load_model(path))


@st.cache_resource(max_entries=16, show_spinner=False)
def _cam_model(path: str, mt: float, layer: str):
    from core.examine.saliency import grad_cam_model

    return grad_cam_model(resources.load_model(path), layer, _logits(path, mt))


@st.cache_data(max_entries=64, show_spinner="Running filter2D...")
def comparison(path: str, mt: float, layer: str, image: np.ndarray):
    """`core.examine.filter2d.compare` for one image, with the cached truncated models."""
    from core.examine.filter2d import compare

    return compare(resources.load_model(path), image, layer, pre_model=_pre_model(path, mt, layer),
                   post_model=resources.truncated_model(path, layer),
                   input_model=_input_model(path, mt, layer))


@st.cache_data(max_entries=256, show_spinner=False)
def layer_output(path: str, mt: float, layer: str, images: np.ndarray) -> np.ndarray:
    """The output of `layer` for one image (28, 28) or a stack (N, 28, 28)."""
    from core.examine.activations import layer_output as run

    return run(resources.truncated_model(path, layer), images)


@st.cache_data(max_entries=64, show_spinner=False)
def gallery_png(path: str, mt: float, layer: str, image: np.ndarray) -> bytes:
    """The activation gallery of `layer` for one image as PNG (drawn once per model file, layer and image)."""
    from core.examine import panels, pictures

    return pictures.to_png(panels.gallery(layer, layer_output(path, mt, layer, image)))


@st.cache_data(max_entries=32, show_spinner=False)
def filter_grid_png(path: str, mt: float, layer: str, channel: int) -> bytes:
    """A conv layer's filter grid on one input channel as PNG (drawn once per model file)."""
    from core.examine import panels, pictures
    from core.examine.filters import layer_filters

    kernel, _ = layer_filters(resources.load_model(path), layer)
    return pictures.to_png(panels.filter_grid(kernel, layer, channel))


@st.cache_data(max_entries=128, show_spinner=False)
def probabilities(path: str, mt: float, image: np.ndarray) -> np.ndarray:
    from core.examine.saliency import probabilities as probs

    return probs(_logits(path, mt), image)


@st.cache_data(max_entries=128, show_spinner=False)
def saliency_map(path: str, mt: float, image: np.ndarray, class_index: int, samples: int = 0) -> np.ndarray:
    from core.examine.saliency import gradient_saliency

    return gradient_saliency(_logits(path, mt), image, class_index, samples=samples)


@st.cache_data(max_entries=128, show_spinner=False)
def grad_cam(path: str, mt: float, layer: str, image: np.ndarray, class_index: int):
    from core.examine.saliency import grad_cam as cam

    return cam(_cam_model(path, mt, layer), image, class_index)


@st.cache_data(max_entries=16, show_spinner=False)
def _epoch_filters(run_dir: str, signature: tuple) -> dict:
    from core.runs.rundir import load_epoch_filters

    return load_epoch_filters(Path(run_dir))


def _signature(run_dir: str) -> tuple:
    files = sorted((Path(run_dir) / "filters").glob("epoch_*.npz"))
    return tuple((p.name, mtime(str(p))) for p in files)


def epoch_filters(run_dir: str) -> dict:
    """{epoch: {"kernel", "bias"}} saved by the run (re-read when a new epoch file appears)."""
    return _epoch_filters(str(run_dir), _signature(run_dir))


@st.cache_data(max_entries=8, show_spinner="Drawing every epoch...")
def _epochs_gif(run_dir: str, signature: tuple) -> bytes:
    from core.examine.filters import epochs_gif

    return epochs_gif(_epoch_filters(run_dir, signature))


def epochs_gif(run_dir: str) -> bytes:
    """The run's first-layer filters, epoch by epoch, as an animated GIF."""
    return _epochs_gif(str(run_dir), _signature(run_dir))
