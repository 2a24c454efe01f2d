"""Every model the lab can make active: the shipped default, training runs, sweep trials, uploads."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from core.runs import rundir
from core.paths import default_model_path, lab_home, runs_dir, workspace_dir


@dataclass(frozen=True)
class ModelEntry:
    """One selectable model: where its file is, a readable label, and where it came from."""

    path: str
    label: str
    source: str  # default | run | trial | upload
    run_dir: str | None = None


def default_entry() -> ModelEntry:
    return ModelEntry(str(default_model_path()), "Default (assignment net, shipped)", "default",
                      str(default_model_path().parent))


def _run_entry(run: Path, source: str, prefix: str = "") -> ModelEntry | None:
    model = run / "model.keras"
    if not model.is_file():
        return None
    summary = rundir.summarize(run)
    acc = summary.get("best_test_accuracy")
    acc_text = f" - {acc:.2%}" if isinstance(acc, float) else ""
    return ModelEntry(str(model), f"{prefix}{run.name}{acc_text}", source, str(run))


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
        entry = _run_entry(Path(row["path"]), "run")
        if entry:
            entries.append(entry)
    for trial in sweep_trial_dirs():
        entry = _run_entry(trial, "trial", prefix=f"sweep {trial.parent.parent.name} / ")
        if entry:
            entries.append(entry)
    uploads = workspace_dir("uploads")
    for path in sorted(uploads.glob("*.keras"), key=os.path.getmtime, reverse=True):
        entries.append(ModelEntry(str(path), f"uploaded {path.name}", "upload"))
    return entries


def save_upload(name: str, data: bytes) -> Path:
    """Store an uploaded model file in the workspace after checking it loads safely.

    An upload never replaces an earlier one: a taken name gets a number (`mine-2.keras`).

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
        load_model(tmp)
        return _claim_name(tmp, folder, safe[: -len(".keras")] or "model")
    except ModelFileError as exc:
        # The checks name the temporary file; the user should see the name they uploaded.
        raise ModelFileError(str(exc).replace(tmp.name, Path(name).name)) from None
    finally:
        tmp.unlink(missing_ok=True)


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