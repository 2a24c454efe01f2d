"""Shared test set-up: real data from ../shared/data, and a throw-away workspace per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LAB_TEST_DATA") or ROOT.parent / "shared" / "data")

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("LAB_DATA_DIR", str(SHARED_DATA))
os.environ["LAB_OFFLINE"] = "1"  # tests never try Keras' download
# A spare worker imports TensorFlow (about 6 s of CPU) and holds 0.5 GB until its folder goes away,
# and every Train page test would start one for its own runs folder: 9 of them held 4.2 GB mid-suite.
# The tests of spares turn them back on.
os.environ.setdefault("LAB_SPARE_WORKER", "0")


def pytest_configure(config):
    if not (SHARED_DATA / "mnist.npz").is_file():
        raise pytest.UsageError(
            f"The tests need real data in {SHARED_DATA} (mnist.npz etc.): put the shared/ folder beside "
            "the project, or set LAB_TEST_DATA."
        )


@pytest.fixture(scope="session", autouse=True)
def lab_home(tmp_path_factory):
    """Every test session writes runs, uploads and saved drawings into its own temporary workspace."""
    home = tmp_path_factory.mktemp("lab_home")
    os.environ["LAB_HOME"] = str(home)
    os.environ.pop("LAB_RUNS_DIR", None)
    return home


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


@pytest.fixture(scope="session")
def mnist():
    from core.data.datasets import load_dataset

    return load_dataset("mnist")


@pytest.fixture(scope="session")
def default_model():
    from core.nets.modelio import load_model

    return load_model()
