"""Where the lab keeps things: the repository, the shipped model, and the user's workspace."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS_DIR = ROOT / "models"
ASSETS_DIR = ROOT / "assets"
DEFAULT_RUN_DIR = MODELS_DIR / "default"


def default_model_path() -> Path:
    """Path of the shipped default MNIST model."""
    return DEFAULT_RUN_DIR / "model.keras"


def lab_home() -> Path:
    """Writable workspace: `$LAB_HOME`, else `<repo>/workspace`. Created on demand."""
    home = Path(os.environ.get("LAB_HOME") or ROOT / "workspace")
    home.mkdir(parents=True, exist_ok=True)
    return home


def runs_dir() -> Path:
    """Folder holding one run directory per training run."""
    path = Path(os.environ.get("LAB_RUNS_DIR") or lab_home() / "runs")
    path.mkdir(parents=True, exist_ok=True)
    return path


def workspace_dir(name: str) -> Path:
    """A named sub-folder of the workspace (e.g. `my_digits`, `uploads`, `sweeps`), created on demand."""
    path = lab_home() / name
    path.mkdir(parents=True, exist_ok=True)
    return path
