"""Starting, watching and stopping background workers (one OS process per run)."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

from core.paths import runs_dir
from core.runs import rundir
from core.runs.processes import spawn


def launch_worker(run_dir: Path, queue: bool = True) -> subprocess.Popen:
    """Start `python -m core.runs.worker RUN_DIR` detached from the caller, logging to worker.log.

    The worker gets its own session so that stopping the web server or closing a tab does not
    kill it; its pid is recorded in status.json at once so pollers can see it.
    """
    run_dir = Path(run_dir)
    # Queued before the worker exists (its fresh `updated` time counts as a sign of life), and only
    # the pid afterwards, so this never overwrites a state the worker has already written.
    rundir.write_status(run_dir, state="queued", host=socket.gethostname(), created=time.time())
    proc = spawn("core.runs.worker", str(run_dir), *([] if queue else ["--no-queue"]),
                 log=run_dir / "worker.log")
    rundir.write_status(run_dir, pid=proc.pid)
    return proc


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
