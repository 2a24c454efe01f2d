"""Starting and stopping a sweep as its own OS process (what the Experiments page does)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from core.runs import rundir
from core.errors import LabError
from core.paths import ROOT
from core.sweep import storage
from core.sweep.space import space_from_dict


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
    folder = storage.study_dir(study)
    space_file = folder / "space.json"
    rundir.write_json_atomic(space_file, space_dict)
    cmd = [sys.executable, "-m", "core", "sweep", "run", "--space", str(space_file), "--strategy", strategy,
           "--study", study, "--json"]
    if n_trials:
        cmd += ["--trials", str(int(n_trials))]
    if storage_url:
        cmd += ["--storage", storage_url]
    env = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    with open(folder / "sweep.log", "ab") as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    rundir.write_json_atomic(folder / "driver.json", {"pid": proc.pid, "state": "running",
                                                      "started": time.time(), "host": os.uname().nodename})
    return proc


def stop_sweep(study: str) -> None:
    """Ask the sweep to stop: the running trial ends after its current batch and is queued again."""
    (storage.study_dir(study) / "STOP").touch()


def resume_sweep(study: str) -> subprocess.Popen:
    """Start `python -m core sweep run --study NAME` again for a stopped or killed study."""
    folder = storage.study_dir(study)
    env = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    with open(folder / "sweep.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "core", "sweep", "run", "--study", study, "--json"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    rundir.write_json_atomic(folder / "driver.json", {"pid": proc.pid, "state": "running",
                                                      "started": time.time(), "host": os.uname().nodename})
    return proc
