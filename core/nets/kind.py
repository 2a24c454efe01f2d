"""What a model is: a digit classifier, another classifier (its class names), or no classifier at all.

Every page and command asks this before it uses a model, so a Greek-letter head is never read as
digits. The kind comes from the run's `config.json` when the lab trained the model (cheap: no
TensorFlow), or from one inspection of the model file (uploads), cached in the workspace by mtime.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from core.data.datasets import DATASETS, TITLES, class_names_of

DIGITS = "digits"          # 10 classes on 28x28x1: MNIST's digits 0-9
CLASSIFIER = "classifier"  # any other classifier: Fashion-MNIST, a Greek-letter head, an upload
NO_CLASSIFIER = "none"     # no usable class-probability output
MNIST_SHAPE = (28, 28, 1)
LETTERS = "symbols"        # the dataset name transfer runs record for their letters


@dataclass(frozen=True)
class ModelKind:
    """What a model classifies.

    Attributes:
        kind: DIGITS, CLASSIFIER or NO_CLASSIFIER.
        class_names: one name per output (empty without a classifier output).
        dataset: what it was trained on (`mnist`, `fashion_mnist`, `symbols`) or None when unknown.
        input_shape: the image shape it takes, e.g. (28, 28, 1), or None when unknown.
        notice: one line the pages show about it (e.g. that the class names were guessed).
    """

    kind: str
    class_names: tuple = ()
    dataset: str | None = None
    input_shape: tuple | None = MNIST_SHAPE
    notice: str = ""

    @property
    def is_classifier(self) -> bool:
        return self.kind in (DIGITS, CLASSIFIER)

    @property
    def is_digits(self) -> bool:
        return self.kind == DIGITS

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def reads_letters(self) -> bool:
        return self.dataset == LETTERS

    def describe(self) -> str:
        """'digit classifier (0-9)', 'Greek-letter classifier (3 classes: alpha, beta, gamma)'..."""
        if not self.is_classifier:
            return "model without a classifier output"
        if self.is_digits:
            return "digit classifier (0-9)"
        what = {LETTERS: "Greek-letter classifier"}.get(self.dataset) or (
            f"{TITLES[self.dataset]} classifier" if self.dataset in TITLES else "classifier")
        names = ", ".join(self.class_names[:8]) + (", ..." if self.num_classes > 8 else "")
        return f"{what} ({self.num_classes} classes: {names})"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "class_names": list(self.class_names), "dataset": self.dataset,
                "input_shape": list(self.input_shape) if self.input_shape else None, "notice": self.notice}

    @classmethod
    def from_dict(cls, data: dict) -> "ModelKind":
        shape = data.get("input_shape")
        return cls(str(data["kind"]), tuple(str(c) for c in data.get("class_names") or ()),
                   data.get("dataset"), tuple(shape) if shape else None, str(data.get("notice") or ""))


def classifier_kind(class_names, dataset: str | None = None, input_shape=MNIST_SHAPE,
                    notice: str = "") -> ModelKind:
    """DIGITS for MNIST-like 0-9 classifiers, CLASSIFIER for every other set of class names."""
    names = tuple(str(c) for c in class_names)
    shape = tuple(input_shape) if input_shape else None
    digits = names == tuple(str(i) for i in range(10)) and shape == MNIST_SHAPE and dataset in (None, "mnist")
    return ModelKind(DIGITS if digits else CLASSIFIER, names, dataset, shape, notice)


def numbered_names(n: int) -> tuple:
    """`class 0` .. `class n-1`: the names of a model that came without any."""
    return tuple(f"class {i}" for i in range(n))


def kind_from_config(config: dict, run_dir: str | os.PathLike | None = None) -> ModelKind | None:
    """The kind recorded by a run's `config.json`, or None when it does not say.

    Runs that predate recorded class names fall back to their dataset's names, and transfer runs
    to the `classes.json` they wrote before training.
    """
    if not isinstance(config, dict):
        return None
    net = config.get("net") if isinstance(config.get("net"), dict) else {}
    names = config.get("class_names")
    if config.get("kind") == "transfer":
        if not names and run_dir is not None:
            names = (_read_json(Path(run_dir) / "classes.json") or {}).get("classes")
        return classifier_kind(names, LETTERS) if names else None
    dataset = config.get("dataset") or "mnist"
    if not names and dataset in DATASETS:
        names = class_names_of(dataset)
    if not names:
        return None
    outputs = net.get("num_classes")
    if isinstance(outputs, int) and outputs != len(names):
        names = numbered_names(outputs)
    return classifier_kind(names, dataset, net.get("input_shape") or MNIST_SHAPE)


def inspect_model(model, class_names=None) -> ModelKind:
    """The kind of a loaded Keras model from its shapes and last activation (names when given)."""
    from core.errors import ModelFileError
    from core.nets.modelio import check_classifier

    shape = tuple(model.inputs[0].shape[1:]) if len(model.inputs) == 1 else None
    try:
        check_classifier(model, require_mnist_shape=False)
    except ModelFileError as exc:
        return ModelKind(NO_CLASSIFIER, (), None, shape, str(exc))
    n = int(model.outputs[0].shape[-1])
    if class_names and len(class_names) == n:
        return classifier_kind(class_names, None, shape)
    if n == 10 and shape == MNIST_SHAPE:
        return classifier_kind([str(i) for i in range(10)], None, shape,
                               "No class names came with this model: its 10 outputs are read as digits 0-9.")
    return classifier_kind(numbered_names(n), None, shape,
                           f"No class names came with this model: its outputs are called class 0..{n - 1}.")


def _read_json(path: Path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """Where the inspected kind of a model file is cached: the workspace's `cache/model_kinds/` (never
    beside the file, so the uploads folder holds only models)."""
    import hashlib

    from core.paths import workspace_dir

    digest = hashlib.sha1(str(Path(model_path).resolve()).encode()).hexdigest()[:20]
    return workspace_dir("cache/model_kinds") / f"{Path(model_path).stem}-{digest}.json"


def write_sidecar(model_path: str | os.PathLike, kind: ModelKind) -> None:
    """Cache `kind` for the current version (mtime and size) of `model_path`."""
    from core.runs.rundir import write_json_atomic

    stat = Path(model_path).stat()
    write_json_atomic(sidecar_path(model_path), {"mtime": stat.st_mtime, "size": stat.st_size,
                                                 **kind.to_dict()})


def file_kind(model_path: str | os.PathLike) -> ModelKind:
    """The kind of a model file with no run directory (an upload): the cached inspection, else one now."""
    path = Path(model_path)
    try:
        stat = path.stat()
    except OSError:
        return ModelKind(NO_CLASSIFIER, (), None, None, f"Model file not found: {path}.")
    return _file_kind(str(path), stat.st_mtime, stat.st_size)


@lru_cache(maxsize=256)
def _file_kind(path: str, mtime: float, size: int) -> ModelKind:
    cached = _read_json(sidecar_path(path))
    if isinstance(cached, dict) and cached.get("mtime") == mtime and cached.get("size") == size:
        try:
            return ModelKind.from_dict(cached)
        except (KeyError, TypeError, ValueError):
            pass
    from core.errors import ModelFileError
    from core.nets.modelio import load_model

    names = (cached or {}).get("class_names") if isinstance(cached, dict) else None
    try:
        kind = inspect_model(load_model(path, require_mnist_shape=False), names)
    except ModelFileError as exc:
        return ModelKind(NO_CLASSIFIER, (), None, None, str(exc))
    try:
        write_sidecar(path, kind)
    except OSError:
        pass  # a read-only folder: inspect again next time
    return kind


def model_kind(model_path: str | os.PathLike, model=None) -> ModelKind:
    """The kind of the model at `model_path`: from its run's config.json when beside one, else inspected.

    Args:
        model_path: the `.keras` file.
        model: the same file already loaded; then a file outside any run is inspected in memory
            (nothing is written beside it), and a run record that does not match it is ignored.
    """
    path = Path(model_path)
    config = _read_json(path.parent / "config.json") if path.name == "model.keras" else None
    kind = kind_from_config(config, path.parent)
    if model is None:
        return kind or file_kind(path)
    if kind is not None and kind.num_classes == int(model.outputs[0].shape[-1]):
        return kind
    return inspect_model(model)
