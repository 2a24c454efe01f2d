"""Where a study lives: an Optuna journal file in the workspace by default, or a database URL.

Layout of one local study folder, `<LAB_HOME>/sweeps/<study>/`::

    journal.log   the Optuna JournalStorage file (default storage; one file, many local processes)
    sweep.json    the space, strategy, budget, hypotheses and storage URL (also in the study's user attrs)
    driver.json   pid/host/state of the `sweep run` process driving it (for the Experiments page)
    driver-heartbeat.json  that process's heartbeat (time/host/pid), refreshed while it lives
    sweep.log     that process's output
    runs/<trial>/ one normal run directory per trial (found by `core.nets.catalog.list_models`)
    STOP          created to ask the sweep to stop after the current batch

`--storage postgresql://...` (or `sqlite:///...`, `mysql://...`) puts the study in a database that
any number of `python -m core sweep work` processes on other machines can share; each machine
still writes its trials' run directories into its own workspace. A database that restarts is
waited for (`retry_while_unreachable`, up to `STORAGE_WAIT_S` seconds) rather than ending the sweep.
Processes that open a fresh database at the same moment race to create Optuna's tables (Optuna
issue 1092); the ones that lose try again (`SCHEMA_RACE_TRIES`) and find the tables made.

Only Optuna's public API is used: `optuna.create_study`/`load_study`, and where a trial of another
process needs an attribute, the public `BaseStorage` methods on our own storage object (`Store`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import LabError
from core.paths import lab_home, workspace_dir
from core.runs.rundir import read_json, write_json_atomic

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")
DB_PREFIXES = ("postgresql", "postgres", "mysql", "sqlite")
DRIVER_BEAT = "driver-heartbeat.json"
STORAGE_WAIT_S = 120.0  # how long a sweep waits for an unreachable database before giving up
SCHEMA_RACE_TRIES = 5  # opening a fresh database while another process creates its tables


class StorageUnavailable(LabError):
    """The study's database cannot be reached right now (down, restarting, network gone)."""


def import_optuna():
    """The `optuna` module, with its per-trial INFO logging turned down."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _chain(exc: BaseException | None, limit: int = 10):
    """`exc`, then what caused it (or what it happened while handling), and so on, `limit` deep."""
    for _ in range(limit):
        if exc is None:
            return
        yield exc
        exc = exc.__cause__ or exc.__context__


def is_unreachable(exc: BaseException) -> bool:
    """Whether `exc` (or what caused it) says the database connection failed, not that a query was wrong."""
    import sqlalchemy.exc

    lost = (StorageUnavailable, sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
            sqlalchemy.exc.DisconnectionError)
    return any(isinstance(e, lost) for e in _chain(exc))


def _lost_schema_race(exc: BaseException) -> bool:
    """Whether `exc` says another process created one of Optuna's tables or types first."""
    import sqlalchemy.exc

    for e in _chain(exc):
        if isinstance(e, (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError)):
            return "already exists" in str(e)
    return False


def retry_while_unreachable(fn, limit_s: float = STORAGE_WAIT_S, pause_s: float = 1.0):
    """`fn()`, called again while the database is unreachable, for up to `limit_s` seconds.

    Raises:
        StorageUnavailable: the database stayed unreachable that long.
    """
    deadline = time.time() + limit_s
    while True:
        try:
            return fn()
        except Exception as exc:
            if not is_unreachable(exc):
                raise
            if time.time() > deadline:
                raise StorageUnavailable(f"The study's database stayed unreachable for {limit_s:.0f} s: "
                                         f"{' '.join(str(exc).split())[:200]}") from None
            time.sleep(pause_s)


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
    optuna = import_optuna()

    if url.startswith("journal:") or url.endswith(".log"):
        path = Path(url.removeprefix("journal:"))
        path.parent.mkdir(parents=True, exist_ok=True)
        from optuna.storages.journal import JournalFileBackend

        return optuna.storages.JournalStorage(JournalFileBackend(str(path)))
    scheme = url.split(":", 1)[0].split("+", 1)[0]
    if scheme in DB_PREFIXES:
        # pool_pre_ping: a pooled connection that died with a database restart is replaced, not used
        kwargs = {} if scheme == "sqlite" else {"pool_pre_ping": True}
        for attempt in range(1, SCHEMA_RACE_TRIES + 1):
            try:
                return optuna.storages.RDBStorage(url, engine_kwargs=kwargs)
            except Exception as exc:  # driver missing, host unreachable, bad credentials...
                if attempt < SCHEMA_RACE_TRIES and _lost_schema_race(exc):
                    time.sleep(0.2 * attempt)
                    continue
                error = StorageUnavailable if is_unreachable(exc) else LabError
                raise error(f"Cannot open the storage {url.split('@')[-1]}: "
                            f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}") from exc
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


@dataclass
class Store:
    """A study's name and URL with our own Optuna storage object, for calls on other processes' trials."""

    name: str
    url: str
    storage: object

    def study(self, sampler=None):
        """The study on this storage (raises `LabError` when there is none)."""
        optuna = import_optuna()
        try:
            return optuna.load_study(study_name=self.name, storage=self.storage, sampler=sampler)
        except KeyError:
            raise LabError(f"There is no study {self.name!r} in {self.url.split('@')[-1]}.") from None

    def _trial_id(self, number: int) -> int:
        study_id = self.storage.get_study_id_from_name(self.name)
        return self.storage.get_trial_id_from_study_id_trial_number(study_id, number)

    def set_trial_attr(self, number: int, key: str, value) -> None:
        """Set a user attr of trial `number`, whoever runs it (public `BaseStorage` methods only).

        Raises:
            optuna.exceptions.UpdateFinishedTrialError: the trial has finished meanwhile.
        """
        self.storage.set_trial_user_attr(self._trial_id(number), key, value)

    def claim_waiting(self, number: int) -> bool:
        """Move WAITING trial `number` to RUNNING for us, as `Study.ask` would; False if another took it.

        The storage does this atomically (a row lock, or the journal's order), so of a worker asking
        and a process retiring the trial, exactly one gets it.
        """
        optuna = import_optuna()
        try:
            return bool(self.storage.set_trial_state_values(self._trial_id(number),
                                                            optuna.trial.TrialState.RUNNING))
        except optuna.exceptions.UpdateFinishedTrialError:
            return False


def open_store(name: str, url: str | None = None) -> Store:
    """Our own storage object for study `name` (raises `LabError` when its journal file is missing)."""
    url = resolve_url(name, url)
    if not is_database(url) and not Path(url.removeprefix("journal:")).is_file():
        raise LabError(f"There is no study {name!r}: {url.removeprefix('journal:')} does not exist.")
    return Store(name, url, open_storage(url))


def load_study(name: str, url: str | None = None, sampler=None):
    """Open an existing study (raises `LabError` when there is none)."""
    return open_store(name, url).study(sampler)
