"""Build the whole report folder: what `python -m core report` and the Report page both call."""

from __future__ import annotations

import json
from pathlib import Path

from core.errors import LabError
from core.files import write_text_atomic
from core.report.context import Context

NUMBERS_FILE = "numbers.json"


def _folder(path, what: str) -> Path | None:
    if path is None:
        return None
    path = Path(path).expanduser()
    if not path.is_dir():
        raise LabError(f"The {what} folder {path} does not exist.")
    return path


def study_to_report(name: str | bool | None) -> str | None:
    """The named study (checked to exist); None: the newest study of this workspace, if any; False: none."""
    from core.sweep import storage

    if name is False:
        return None
    if name:
        storage.load_study(name)  # a clear LabError when there is no such study
        return name
    studies = storage.local_studies()
    return studies[0] if studies else None


def load_context(model: str | Path | None = None, study: str | None = None, letters=None, mine=None) -> Context:
    """The model (default: the shipped one), the data it was trained on and the checked folders."""
    from core.data.datasets import load_dataset
    from core.examine.activations import dataset_for_run
    from core.nets.modelio import load_model
    from core.paths import default_model_path

    path = Path(model).expanduser() if model else default_model_path()
    keras_model = load_model(path)
    run_dir = path.parent if (path.parent / "config.json").is_file() else None
    return Context(keras_model, path, run_dir, load_dataset(dataset_for_run(run_dir)),
                   mine=_folder(mine, "--mine digits"), letters=_folder(letters, "--letters"),
                   study=study_to_report(study))


def build_report(out: str | Path, model=None, study=None, letters=None, mine=None, progress=None) -> dict:
    """Write the report folder `out`: one PNG or CSV per item, report.md and numbers.json.

    Args:
        out: the folder to fill (created; files of an earlier report there are replaced).
        model: a .keras file. Defaults to the shipped default model.
        study: a sweep study's name, or False for no Task 4. Defaults to the newest local study, if any.
        letters: a folder of the user's own letters. Defaults to the Greek page's "My letters".
        mine: a folder of the user's own digits. Defaults to "My handwriting set".
        progress: optional callable(text) told which task is being made.

    Returns:
        {"report": path of report.md, "files": [file names], "numbers": {task: {...}}}.
    """
    from core.report import task1, task2, task3, task4
    from core.report.document import Report
    from core.report.header import header

    ctx = load_context(model, study, letters, mine)
    report = Report(out)
    numbers = {}
    tasks = [("task1", task1), ("task2", task2), ("task3", task3)] + ([("task4", task4)] if ctx.study else [])
    for key, module in tasks:
        if progress:
            progress(f"Making {key}...")
        numbers[key] = module.add(report, ctx)
    if progress:
        progress("Exporting the charts and writing report.md...")
    path = report.write(header(ctx, numbers["task1"]))
    numbers.update(report.numbers)
    write_text_atomic(Path(out) / NUMBERS_FILE, json.dumps(numbers, indent=1, default=str))
    return {"report": str(path), "files": report.files + ["report.md", NUMBERS_FILE], "numbers": numbers}


def zip_folder(folder: str | Path) -> bytes:
    """Every file of a report folder as one zip archive (paths relative to the folder)."""
    import io
    import zipfile

    folder = Path(folder)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
            zf.write(path, path.relative_to(folder).as_posix())
    return buf.getvalue()
