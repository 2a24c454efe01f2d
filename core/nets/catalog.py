"""Every model the lab can make active: the shipped default, training runs, sweep trials, uploads.

Each entry carries its kind and class names (`core.nets.kind`), read from the run's config.json or,
for an upload, from one inspection cached in the workspace: listing never loads a model twice.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.nets.kind import ModelKind, file_kind, kind_from_config, model_kind, write_sidecar
from core.runs import rundir
from core.paths import default_model_path, lab_home, runs_dir, workspace_dir


@dataclass(frozen=True)
class ModelEntry:
    """One selectable model: its file, a readable label, where it came from, and what it classifies.

    `key` is short and stable (`default`, `run/<name>`, `sweep/<study>/<trial>`, `upload/<file>`): the
    URL and the browser's cookie carry it instead of a file path.
    """

    path: str
    label: str
    source: str  # default | run | trial | upload
    run_dir: str | None = None
    key: str = ""
    kind: ModelKind | None = None

    @property
    def model_kind(self) -> ModelKind:
        """The entry's kind (inspected now when the entry was built without one)."""
        return self.kind or model_kind(self.path)


def default_entry() -> ModelEntry:
    """The shipped default model (an MNIST digit classifier)."""
    path = default_model_path()
    return ModelEntry(str(path), "Default (assignment net, shipped)", "default", str(path.parent),
                      "default", kind_from_config(rundir.read_json(path.parent / "config.json"), path.parent))


def _run_entry(run: Path, source: str, key: str, label: str | None = None,
               summary: dict | None = None) -> ModelEntry | None:
    model = run / "model.keras"
    if not model.is_file():
        return None
    summary = summary or rundir.summarize(run)
    acc = summary.get("best_test_accuracy")
    acc_text = f" - {acc:.2%}" if isinstance(acc, float) else ""
    kind = kind_from_config(rundir.read_json(run / "config.json"), run) or file_kind(model)
    return ModelEntry(str(model), f"{label or run.name}{acc_text}", source, str(run), key, kind)


def sweep_trial_dirs() -> list[Path]:
    """Run directories of sweep trials: `<workspace>/sweeps/<study>/runs/<trial>/`."""
    root = lab_home() / "sweeps"
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/runs/*") if (p / "config.json").is_file())


def list_models() -> list[ModelEntry]:
    """The default model first, then runs (newest first), sweep trials and uploaded files."""
    entries = [default_entry()]
    for row in rundir.list_runs(runs_dir()):
        entry = _run_entry(Path(row["path"]), "run", f"run/{row['run']}", summary=row)
        if entry:
            entries.append(entry)
    for trial in sweep_trial_dirs():
        study = trial.parent.parent.name
        # Study names usually start with "sweep-" already: "sweep sweep-2026..." read twice.
        shown = study if study.lower().startswith("sweep") else f"sweep {study}"
        entry = _run_entry(trial, "trial", f"sweep/{study}/{trial.name}", f"{shown} / {trial.name}")
        if entry:
            entries.append(entry)
    uploads = workspace_dir("uploads")
    for path in sorted(uploads.glob("*.keras"), key=os.path.getmtime, reverse=True):
        if path.name.startswith("."):
            continue  # an upload being checked right now
        entries.append(ModelEntry(str(path), f"uploaded {path.name}", "upload", None, f"upload/{path.name}",
                                  file_kind(path)))
    return entries


def find_entry(entries: list[ModelEntry], wanted: str | None) -> ModelEntry | None:
    """The entry whose key or file path is `wanted`, or None."""
    if not wanted:
        return None
    for entry in entries:
        if wanted in (entry.key, entry.path):
            return entry
    return None


def save_upload(name: str, data: bytes, class_names: list[str] | None = None) -> Path:
    """Store an uploaded model file in the workspace after checking it loads safely.

    An upload never replaces an earlier one: a taken name gets a number (`mine-2.keras`). What the
    model classifies is recorded in the workspace (`core.nets.kind`), so listing never loads it again.

    Args:
        name: the file name the user gave.
        data: the file's bytes.
        class_names: one name per output; when None the model is inspected (`class 0..n-1`, or
            digits for a 10-output 28x28x1 model) and the pages say the names were not given.

    Returns:
        The stored file; its name differs from `name` when that name was taken.

    Raises:
        ModelFileError: the file is not a usable, safe `.keras` classifier (nothing is kept).
    """
    from core.errors import ModelFileError
    from core.files import temp_path, write_bytes_atomic
    from core.nets.modelio import MAX_MODEL_BYTES, load_model

    if len(data) > MAX_MODEL_BYTES:
        raise ModelFileError(f"{name} is larger than {MAX_MODEL_BYTES // 2**20} MB.")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(name).name).lstrip(".")
    if not safe.endswith(".keras"):
        raise ModelFileError(f"{name} is not a .keras file. Save your model with model.save('name.keras').")
    folder = workspace_dir("uploads")
    tmp = write_bytes_atomic(temp_path(folder / "incoming.keras"), data)
    try:
        kind = _upload_kind(load_model(tmp), class_names)
        target = _claim_name(tmp, folder, safe[: -len(".keras")] or "model")
    except ModelFileError as exc:
        # The checks name the temporary file; the user should see the name they uploaded.
        raise ModelFileError(str(exc).replace(tmp.name, Path(name).name)) from None
    finally:
        tmp.unlink(missing_ok=True)
    write_sidecar(target, kind)
    return target


def _upload_kind(model, class_names):
    from core.errors import ModelFileError
    from core.nets.kind import inspect_model

    names = [c.strip() for c in class_names or [] if c.strip()]
    outputs = int(model.outputs[0].shape[-1])
    if names and len(names) != outputs:
        raise ModelFileError(f"{len(names)} class names were given but the model has {outputs} outputs.")
    return inspect_model(model, names or None)


def _claim_name(tmp: Path, folder: Path, stem: str) -> Path:
    """Link `tmp` to the first free `<stem>.keras`, `<stem>-2.keras`, ...: a hard link never overwrites."""
    for n in range(1, 10000):
        target = folder / (f"{stem}.keras" if n == 1 else f"{stem}-{n}.keras")
        try:
            os.link(tmp, target)
            return target
        except FileExistsError:
            continue
    from core.errors import ModelFileError

    raise ModelFileError(f"Too many uploads named {stem}.keras in {folder}; rename the file.")

