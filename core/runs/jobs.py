"""Starting, watching and stopping background workers (one OS process per run)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from core.errors import LabError
from core.paths import runs_dir
from core.runs import rundir, spare
from core.runs.processes import spawn


def launch_worker(run_dir: Path, queue: bool = True) -> int:
    """Run `run_dir` in a background worker detached from the caller, logging to worker.log.

    A ready spare worker of the run's folder (`core.runs.spare`) takes it when there is one;
    otherwise a fresh `python -m core.runs.worker RUN_DIR` starts. Either way the worker has its own
    session, so stopping the web server or closing a tab does not kill it, and its pid is recorded
    in status.json at once so pollers can see it.

    Returns:
        The worker's pid.
    """
    run_dir = Path(run_dir)
    # Queued before the worker exists (its fresh `updated` time counts as a sign of life), and only
    # the pid afterwards, so this never overwrites a state the worker has already written.
    rundir.write_status(run_dir, state="queued", host=socket.gethostname(), created=time.time())
    pid = spare.hand_over(run_dir.parent, run_dir, queue)
    if pid is not None:  # spares are in use in this folder: the next one warms up behind this run
        spare.keep_ready(run_dir.parent, delay_s=spare.REPLACE_DELAY_S)
    else:
        pid = spawn("core.runs.worker", str(run_dir), *([] if queue else ["--no-queue"]),
                    log=run_dir / "worker.log").pid
    rundir.write_status(run_dir, pid=pid)
    return pid


def start_run(config: dict, root: Path | None = None, label: str | None = None,
              queue: bool = True) -> Path:
    """Create a run directory for `config` and start its worker in the background.

    Args:
        config: the run's config.json content (see `core.runs.training.make_train_config`).
        root: where to create the run directory. Defaults to the workspace's runs folder.
        label: a readable part of the directory name. Defaults to the network's name.
        queue: let the worker wait for a slot of the lab's training queue. Defaults to True.

    Returns:
        The new run directory.
    """
    root = Path(root) if root else runs_dir()
    label = label or config.get("net", {}).get("name") or config.get("kind", "run")
    run_dir = rundir.new_run_dir(root, f"{config.get('dataset', '')}-{label}".strip("-"))
    rundir.write_config(run_dir, config)
    launch_worker(run_dir, queue=queue)
    return run_dir


def keep_spare_ready(root: Path | None = None) -> None:
    """Have a warm spare worker wait for the next run of runs folder `root` (the workspace's by default).

    The Train page calls it, so Start answers in seconds: see `core.runs.spare`. A spare only saves
    time, so a workspace it cannot write to, or a bad `LAB_WORKER_NICE`, just means no spare here:
    Start then starts a cold worker and reports such a problem itself.
    """
    try:
        spare.keep_ready(Path(root) if root else runs_dir())
    except (LabError, OSError):
        pass


def stop_run(run_dir: Path) -> None:
    """Ask a run to stop after its current batch (it records state `stopped`)."""
    rundir.request_stop(run_dir)


def wait_for(run_dir: Path, timeout_s: float = 600.0, poll_s: float = 0.5) -> dict:
    """Block until a run reaches a final state (or the timeout); returns its status."""
    deadline = time.time() + timeout_s
    while True:
        status = rundir.read_status(run_dir)
        if status.get("state") in rundir.FINAL_STATES or time.time() > deadline:
            return status
        time.sleep(poll_s)
