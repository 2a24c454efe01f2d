"""What the Greek page shows, computed without Streamlit: a set's embeddings, SSDs, KNN, queries.

`analyze` embeds a `SymbolSet` once (raw 128-d embeddings for the SSD tables, KNN features for
the neighbour search); `knn_by_mode` measures leave-one-out KNN in every feature mode; `query`
places a new letter among them; `save_letter` stores a user's letter in "my letters" under its label.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from core.greek.embedding import (DEFAULT_MODE, FEATURE_MODES, embedding_layer, feature_model,
                                  knn_features_by_mode, ssd_matrix)
from core.errors import LabError
from core.greek.symbols import SymbolSet


@dataclass
class Analysis:
    """A symbol set in a model's embedding space."""

    layer: str
    by_mode: dict  # {mode: (N, D) KNN features} for every mode of FEATURE_MODES
    mode: str  # the mode KNN uses
    ssd: np.ndarray  # (N, N) SSD of the raw embeddings

    @property
    def raw(self) -> np.ndarray:
        """(N, 128) raw embeddings (SSD tables, heatmap)."""
        return self.by_mode["raw"]

    @property
    def features(self) -> np.ndarray:
        """(N, D) KNN features in `mode`."""
        return self.by_mode[self.mode]

    def in_mode(self, mode: str) -> "Analysis":
        """The same analysis with KNN in another mode (nothing is recomputed)."""
        if mode not in self.by_mode:
            raise LabError(f"Unknown feature mode {mode!r}. Available modes are: {', '.join(FEATURE_MODES)}.")
        return replace(self, mode=mode)


def check_model(model) -> None:
    """Check that `model` can embed letters: 28x28 greyscale input and a hidden dense layer.

    Raises:
        LabError: one line saying what the model lacks.
    """
    from core.nets.inputs import check_image_model

    check_image_model(model)
    embedding_layer(model)


def analyze(model, symbols: SymbolSet, mode: str = DEFAULT_MODE) -> Analysis:
    """Embed every image of `symbols` (KNN features in every mode) and compute the raw SSD matrix."""
    by_mode = knn_features_by_mode(feature_model(model), symbols.images)
    return Analysis(embedding_layer(model), by_mode, DEFAULT_MODE, ssd_matrix(by_mode["raw"])).in_mode(mode)


def knn_by_mode(analysis: Analysis, symbols: SymbolSet, k: int = 1) -> list[dict]:
    """Leave-one-out k-NN accuracy of the analysed set in every feature mode.

    Returns:
        One row per mode of `FEATURE_MODES`: {"mode", "distances", "correct", "total", "accuracy"}.
    """
    from core.greek.knn import leave_one_out

    rows = []
    for mode, description in FEATURE_MODES.items():
        result = leave_one_out(analysis.by_mode[mode], symbols.labels, k, len(symbols.class_names))
        rows.append({"mode": mode, "distances": description, "correct": result.correct,
                     "total": len(symbols), "accuracy": result.accuracy})
    return rows


@dataclass
class QueryResult:
    """A new letter among a set: its embedding, neighbours (nearest first) and the KNN vote."""

    embedding: np.ndarray  # (128,)
    neighbours: list  # [{"index", "class", "name", "ssd", "distance"}]
    votes: dict  # {class name: votes among the k nearest}
    predicted: str


def query(model, analysis: Analysis, symbols: SymbolSet, image: np.ndarray, k: int = 3,
          show: int = 5) -> QueryResult:
    """Place one 28x28 image among `symbols`: nearest neighbours by KNN features, with raw SSDs."""
    from core.greek.knn import classify

    k = max(1, min(k, len(symbols)))
    mine = knn_features_by_mode(feature_model(model), image[None], ("raw", analysis.mode))
    raw, feats = mine["raw"], mine[analysis.mode]
    result = classify(analysis.features, symbols.labels, feats, k=k, num_classes=len(symbols.class_names))
    dist = ssd_matrix(feats, analysis.features)[0]
    raw_ssd = ssd_matrix(raw, analysis.raw)[0]
    order = np.argsort(dist, kind="stable")[: max(show, k)]
    neighbours = [{"index": int(i), "class": symbols.class_names[int(symbols.labels[i])],
                   "name": symbols.names[i], "ssd": float(raw_ssd[i]), "distance": float(dist[i])}
                  for i in order]
    votes = {symbols.class_names[c]: v for c, v in sorted(result.votes[0].items(), key=lambda kv: -kv[1])}
    return QueryResult(raw[0], neighbours, votes, symbols.class_names[int(result.predicted[0])])


def safe_label(label: str) -> str:
    """A class name usable as a folder name (letters, digits, - and _), or LabError."""
    text = "".join(c for c in label.strip() if c.isalnum() or c in "-_")
    if not text:
        raise LabError("Give the letter a name (e.g. alpha) before saving it.")
    return text[:40]


def save_letter(folder: str | Path, label: str, image: np.ndarray) -> Path:
    """Save a user's letter as a greyscale `<folder>/<label>/<time>-<hash>.png`.

    Args:
        image: any size; grey, RGB or RGBA (a canvas drawing); uint8 or floats in [0, 1].
    """
    from PIL import Image

    from core.files import atomic_write
    from core.handwriting.imageio import to_grey

    arr = to_grey(image)
    target = Path(folder) / safe_label(label)
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(arr.tobytes()).hexdigest()[:8]
    path = target / f"{time.strftime('%Y%m%d-%H%M%S')}-{digest}.png"
    return atomic_write(path, lambda tmp: Image.fromarray(arr).save(tmp, format="PNG"))


def folder_signature(folder: str | Path) -> str:
    """Changes whenever an image under `folder` is added, removed or modified (for caching)."""
    folder = Path(folder)
    if not folder.is_dir():
        return "missing"
    parts = [f"{p.relative_to(folder)}:{p.stat().st_mtime_ns}:{p.stat().st_size}"
             for p in sorted(folder.rglob("*")) if p.is_file()]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()
