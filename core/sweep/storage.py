"""Where a study lives: an Optuna journal file in the workspace by default, or a database URL.

Layout of one local study folder, `<LAB_HOME>/sweeps/<study>/`::

    journal.log   the Optuna JournalStorage file (default storage; one file, many local processes)
    sweep.json    the space, strategy, budget, hypotheses and storage URL (also in the study's user attrs)
    driver.json   pid/host/state of the `sweep run` process driving it (for the Experiments page)
    sweep.log     that process's output
    runs/<trial>/ one normal run directory per trial (found by `core.nets.catalog.list_models`)
    STOP          created to ask the sweep to stop after the current batch

`--storage postgresql://...` (or `sqlite:///...`, `mysql://...`) puts the study in a database that
any number of `python -m core sweep work` processes on other machines can share; each machine
still writes its trials' run directories into its own workspace.
"""

from __future__ import annotations

import re
from pathlib import Path

from core.errors import LabError
from core.paths import lab_home, workspace_dir
from core.runs.rundir import read_json, write_json_atomic

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
DB_PREFIXES = ("postgresql", "postgres", "mysql", "sqlite")


def check_study_name(name: str) -> str:
    """Return `name` if it is a safe folder name; raise `LabError` otherwise."""
    if not name or not _NAME.match(name) or ".." in name:
        raise LabError(f"Study name {name!r} is not allowed: use letters, digits, '-', '_' or '.' "
                       "(up to 80 characters, starting with a letter or digit).")
    return name


def study_dir(name: str, create: bool = True) -> Path:
    """The local folder of study `name` under `<LAB_HOME>/sweeps/`."""
    path = (workspace_dir("sweeps") if create else lab_home() / "sweeps") / check_study_name(name)
    if create:
        path.mkdir(parents=True, exist_ok=True)
        (path / "runs").mkdir(exist_ok=True)
    return path


def default_storage_url(name: str) -> str:
    """`journal:<path>` of the study's own journal file (nothing is created)."""
    return f"journal:{lab_home() / 'sweeps' / check_study_name(name) / 'journal.log'}"


def resolve_url(name: str, url: str | None) -> str:
    """The storage URL to use: the given one, the one recorded in sweep.json, or the local journal."""
    if url:
        return url
    recorded = read_sweep_json(name).get("storage")
    return recorded or default_storage_url(name)


def open_storage(url: str):
    """An Optuna storage for `url` (`journal:PATH`, a `*.log` path, or an SQLAlchemy database URL)."""
    import optuna

    if url.startswith("journal:") or url.endswith(".log"):
        path = Path(url.removeprefix("journal:"))
        path.parent.mkdir(parents=True, exist_ok=True)
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    if url.split(":", 1)[0].split("+", 1)[0] in DB_PREFIXES:
        try:
            return optuna.storages.RDBStorage(url)
        except Exception as exc:  # driver missing, host unreachable, bad credentials...
            raise LabError(f"Cannot open the storage {url.split('@')[-1]}: "
                           f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from None
    raise LabError(f"Unknown storage {url!r}: use journal:PATH, a .log file, sqlite:///FILE or "
                   "postgresql://user:pass@host/db.")


def is_database(url: str) -> bool:
    return not (url.startswith("journal:") or url.endswith(".log"))


def read_sweep_json(name: str) -> dict:
    """The study's sweep.json (empty when there is none)."""
    path = lab_home() / "sweeps" / check_study_name(name) / "sweep.json"
    return read_json(path, {}) or {}


def write_sweep_json(name: str, data: dict) -> None:
    write_json_atomic(study_dir(name) / "sweep.json", data)


def local_studies() -> list[str]:
    """Names of the studies in this workspace (folders with a sweep.json), newest first."""
    root = lab_home() / "sweeps"
    if not root.is_dir():
        return []
    def marker(p: Path) -> Path:
        # sweep.json appears once the sweep process set the study up; space.json as soon as the page started it
        return p / "sweep.json" if (p / "sweep.json").is_file() else p / "space.json"

    found = [p for p in root.iterdir() if _NAME.match(p.name) and marker(p).is_file()]
    return [p.name for p in sorted(found, key=lambda p: marker(p).stat().st_mtime, reverse=True)]


def load_study(name: str, url: str | None = None, sampler=None):
    """Open an existing study (raises `LabError` when there is none)."""
    import optuna

    url = resolve_url(name, url)
    if not is_database(url) and not Path(url.removeprefix("journal:")).is_file():
        raise LabError(f"There is no study {name!r}: {url.removeprefix('journal:')} does not exist.")
    storage = open_storage(url)
    try:
        return optuna.load_study(study_name=name, storage=storage, sampler=sampler)
    except KeyError:
        raise LabError(f"There is no study {name!r} in {url.split('@')[-1]}.") from None
