"""Cached, shared resources: models, truncated models and datasets.

`st.cache_resource` objects are shared by every session: callers must never mutate them. Models are
keyed by path and modification time, so a re-trained file is loaded afresh.
"""

from __future__ import annotations

import os

import streamlit as st

from app import preload


def mtime(path: str) -> float:
    """Modification time of `path` (0 when missing): part of cache keys, so a re-written file reloads."""
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0


@st.cache_resource(max_entries=8, show_spinner="Loading the model...")
def _model(path: str, mtime_: float):
    from core.nets.modelio import load_model

    return load_model(path)


def load_model(path: str):
    """The Keras model at `path` (cached by path and mtime). Raises `ModelFileError`."""
    preload.wait("keras")  # never import TensorFlow beside the preload thread
    return _model(path, mtime(path))


@st.cache_resource(max_entries=32, show_spinner=False)
def _truncated(path: str, mtime_: float, layer: str):
    from core.nets.network import truncate

    return truncate(_model(path, mtime_), layer)


def truncated_model(path: str, layer: str):
    """The model at `path` cut at `layer` (built once per model file and layer)."""
    preload.wait("keras")
    return _truncated(path, mtime(path), layer)


@st.cache_resource(max_entries=4, show_spinner="Loading the dataset...")
def _dataset(name: str, source_key: str):
    from core.data.datasets import load_dataset

    return load_dataset(name)


def dataset(name: str = "mnist"):
    """The named dataset (cached). Raises `DatasetUnavailable` with the fix in its message."""
    from core.data.datasets import candidate_files

    if name == "mnist":
        preload.wait("data")  # MNIST may be being read right now: read it once
    key = "|".join(f"{p}:{mtime(str(p))}" for p in candidate_files(name))
    return _dataset(name, key)
