"""Evaluations kept on disk, keyed by what they depend on: the model file's bytes and the test images.

Measuring a model on 10 000 test images costs a TensorFlow import and seconds of compute, yet the
result depends only on the model file and the test set. So it is computed once per (model, test set)
pair, ever, and stored as `<model digest>-<test set digest>.npz`: the softmax outputs, the labels and
the summaries of every weight tensor (what the Evaluate page shows), so reading it needs no TensorFlow.
A re-trained or replaced file has another digest and is measured afresh; a stale or damaged store
file is ignored. Stores are read from the model's run directory (`evaluations/`, how the shipped
default model carries its own) and then from the workspace cache, and written to the workspace cache.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import numpy as np

from core import files
from core.examine.evaluate import Evaluation
from core.paths import workspace_dir

FOLDER = "evaluations"
_DIGEST_CHARS = 20
_FILE_DIGESTS: dict = {}  # path -> ((size, mtime_ns), digest): a file is read once per version
_ARRAY_DIGESTS: dict = {}  # id(x_test) -> (x_test, digest): test sets are long-lived cached objects


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (hex, shortened), remembered per size and modification time."""
    path = Path(path)
    stat = path.stat()
    stamp = (stat.st_size, stat.st_mtime_ns)
    known = _FILE_DIGESTS.get(str(path))
    if known and known[0] == stamp:
        return known[1]
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    _FILE_DIGESTS[str(path)] = (stamp, digest.hexdigest()[:_DIGEST_CHARS])
    return _FILE_DIGESTS[str(path)][1]


def test_set_digest(data) -> str:
    """SHA-256 of a test set's images, labels and class names (a `Dataset` or `LabelledImages`)."""
    known = _ARRAY_DIGESTS.get(id(data.x_test))
    if known and known[0] is data.x_test:
        return known[1]
    digest = hashlib.sha256()
    for array in (data.x_test, data.y_test):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.data)
    digest.update(json.dumps(list(map(str, data.class_names))).encode())
    if len(_ARRAY_DIGESTS) > 16:
        _ARRAY_DIGESTS.clear()
    _ARRAY_DIGESTS[id(data.x_test)] = (data.x_test, digest.hexdigest()[:_DIGEST_CHARS])
    return _ARRAY_DIGESTS[id(data.x_test)][1]


def store_folders(model_path: str | Path) -> list[Path]:
    """Where stores of this model are looked for: its run directory's `evaluations/`, then the workspace."""
    path = Path(model_path)
    own = [path.parent / FOLDER] if path.name == "model.keras" else []
    return own + [workspace_dir("cache") / FOLDER]


def _name(model_path: str | Path, data) -> str:
    return f"{file_digest(model_path)}-{test_set_digest(data)}.npz"


def read_store(path: Path) -> tuple[Evaluation, dict] | None:
    """(evaluation, {layer: {param: tensor summary}}) from one store file, or None if unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            index = json.loads(str(data["index"]))
            evaluation = Evaluation(data["probabilities"], data["labels"].astype(np.int64))
            weights = {layer: {param: {"size": int(data[f"w/{layer}/{param}/stats"][0]),
                                       "mean": float(data[f"w/{layer}/{param}/stats"][1]),
                                       "std": float(data[f"w/{layer}/{param}/stats"][2]),
                                       "counts": data[f"w/{layer}/{param}/counts"],
                                       "edges": data[f"w/{layer}/{param}/edges"]} for param in params}
                       for layer, params in index.items()}
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError):
        return None
    return evaluation, weights


def write_store(path: Path, evaluation: Evaluation, weights: dict) -> Path:
    """Write one store file atomically (see `read_store` for what it holds)."""
    arrays = {"index": np.array(json.dumps({layer: list(params) for layer, params in weights.items()})),
              "probabilities": np.asarray(evaluation.probabilities, np.float32),
              "labels": np.asarray(evaluation.labels, np.int64)}
    for layer, params in weights.items():
        for param, s in params.items():
            arrays[f"w/{layer}/{param}/stats"] = np.array([s["size"], s["mean"], s["std"]], np.float64)
            arrays[f"w/{layer}/{param}/counts"], arrays[f"w/{layer}/{param}/edges"] = s["counts"], s["edges"]
    return files.atomic_write(path, lambda tmp: np.savez_compressed(tmp, **arrays))


def stored_evaluation(model_path: str | Path, data) -> tuple[Evaluation, dict] | None:
    """The stored evaluation of the model file on `data` with its weight summaries, or None."""
    if not Path(model_path).is_file():
        return None
    name = _name(model_path, data)
    for folder in store_folders(model_path):
        found = read_store(folder / name) if (folder / name).is_file() else None
        if found is not None and len(found[0].labels) == len(data.y_test):
            return found
    return None


def evaluate_and_store(model_path: str | Path, data, load, folder: Path | None = None) -> tuple[Evaluation, dict]:
    """The model file's evaluation on `data` and its weight summaries: read from a store, else computed.

    Args:
        model_path: the `.keras` file (its bytes are the key).
        data: the test set (`Dataset` or `LabelledImages`).
        load: callable `load(model_path)` returning the Keras model, used only when nothing is stored.
        folder: where the store is written (also when it was found elsewhere). Defaults to the
            workspace cache, written only when the evaluation was computed.

    Raises:
        LabError: the model cannot be loaded or does not fit `data` (nothing is stored).
    """
    found = stored_evaluation(model_path, data)
    computed = found is None
    if computed:
        from core.examine.evaluate import evaluate_on
        from core.examine.histograms import weight_summaries

        model = load(model_path)
        found = evaluate_on(model, data), weight_summaries(model)
    target = (folder or store_folders(model_path)[-1]) / _name(model_path, data)
    if computed or (folder is not None and not target.is_file()):
        try:
            write_store(target, *found)
        except OSError:
            pass  # a read-only or full disk costs the next visit a recomputation, nothing else
    return found
