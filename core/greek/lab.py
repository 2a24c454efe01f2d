"""What the Greek page shows, computed without Streamlit: a set's embeddings, SSDs, KNN, queries.

`analyze` embeds a `SymbolSet` once (raw 128-d embeddings for the SSD tables, KNN features for
the neighbour search); `query` places a new letter among them; `save_letter` stores a user's
letter in "my letters" under its label.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.greek.embedding import DEFAULT_MODE, embedding_layer, feature_model, knn_features, ssd_matrix
from core.errors import LabError
from core.greek.symbols import SymbolSet


@dataclass
class Analysis:
    """A symbol set in a model's embedding space."""

    layer: str
    raw: np.ndarray  # (N, 128) raw embeddings (SSD tables, heatmap)
    features: np.ndarray  # (N, D) KNN features in `mode`
    mode: str
    ssd: np.ndarray  # (N, N) SSD of the raw embeddings

    def knn_features_of(self, features_model, images: np.ndarray) -> np.ndarray:
        return knn_features(features_model, images, self.mode)


def analyze(model, symbols: SymbolSet, mode: str = DEFAULT_MODE) -> Analysis:
    """Embed every image of `symbols` (raw and KNN features) and compute the raw SSD matrix."""
    fm = feature_model(model)
    raw = knn_features(fm, symbols.images, "raw")
    feats = raw if mode == "raw" else knn_features(fm, symbols.images, mode)
    return Analysis(embedding_layer(model), raw, feats, mode, ssd_matrix(raw))


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

    fm = feature_model(model)
    k = max(1, min(k, len(symbols)))
    raw = knn_features(fm, image[None], "raw")
    feats = raw if analysis.mode == "raw" else knn_features(fm, image[None], analysis.mode)
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
    """Save a user's letter image (any size, uint8 or [0, 1]) as `<folder>/<label>/<time>-<hash>.png`."""
    from PIL import Image

    from core.files import atomic_write

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
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
