"""Starting and stopping a sweep as its own OS process (what the Experiments page does)."""

from __future__ import annotations

import socket
import subprocess
import time

from core.errors import LabError
from core.runs import rundir
from core.runs.processes import spawn
from core.sweep import storage
from core.sweep.space import space_from_dict


def _start_driver(study: str, *args: str) -> subprocess.Popen:
    """`python -m core sweep run --study NAME ARGS --json`, detached, logging to sweep.log."""
    folder = storage.study_dir(study)
    proc = spawn("core", "sweep", "run", "--study", study, *args, "--json", log=folder / "sweep.log")
    rundir.write_json_atomic(folder / "driver.json", {"pid": proc.pid, "state": "running",
                                                      "started": time.time(), "host": socket.gethostname()})
    return proc


def start_sweep(space_dict: dict, strategy: str, n_trials: int | None, study: str,
                storage_url: str | None = None) -> subprocess.Popen:
    """Check the space, save it beside the study and start `python -m core sweep run` detached.

    Raises:
        LabError: the space is invalid or the study name is taken.
    """
    space_from_dict(space_dict)  # refuse a bad space here, with its message, not in a log file
    storage.check_study_name(study)
    if storage.read_sweep_json(study):
        raise LabError(f"A study named {study!r} already exists: choose another name.")
    space_file = storage.study_dir(study) / "space.json"
    rundir.write_json_atomic(space_file, space_dict)
    args = ["--space", str(space_file), "--strategy", strategy]
    if n_trials:
        args += ["--trials", str(int(n_trials))]
    if storage_url:
        args += ["--storage", storage_url]
    return _start_driver(study, *args)


def stop_sweep(study: str) -> None:
    """Ask the sweep to stop: the running trial ends after its current batch and is queued again."""
    (storage.study_dir(study) / "STOP").touch()


def resume_sweep(study: str) -> subprocess.Popen:
    """Start `python -m core sweep run --study NAME` again for a stopped or killed study."""
    return _start_driver(study)
