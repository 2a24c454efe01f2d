"""The background worker: `python -m core.runs.worker RUN_DIR` runs one job and records its end state.

One OS process per run: Keras leaks memory across repeated fits in one process, and a separate
process survives page reruns and closed tabs. With `--queue`, workers take turns through a lock
file, so two runs started at once wait for each other instead of fighting over the CPU.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import importlib
import os
import socket
import sys
import time
import traceback
from pathlib import Path

from core.runs import rundir
from core.errors import LabError
from core.paths import lab_home

# kind in config.json -> "module:function(run_dir, reporter) -> LoopResult"
JOB_KINDS = {
    "train": "core.runs.training:run_training",
    "transfer": "core.greek.transfer:run_transfer",
}


def _job_function(kind: str):
    if kind not in JOB_KINDS:
        raise LabError(f"Unknown job kind {kind!r}. Known kinds: {', '.join(JOB_KINDS)}.")
    module, func = JOB_KINDS[kind].split(":")
    return getattr(importlib.import_module(module), func)


def _wait_for_slot(run_dir: Path, lock_path: Path):
    """Block until this worker holds the queue lock; returns the open lock file, or None if stopped."""
    fh = open(lock_path, "a+")
    while True:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except BlockingIOError:
            if rundir.stop_requested(run_dir):
                fh.close()
                return None
            time.sleep(0.5)


def describe_error(exc: BaseException) -> str:
    """A one-line, user-facing description of why a job failed."""
    if isinstance(exc, LabError):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return "The disk is full: free some space. Epochs finished before this are kept."
    if isinstance(exc, MemoryError):
        return "Out of memory: try a smaller batch size, a smaller network or a training subset."
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"


def record_traceback(run_dir: Path, exc: BaseException) -> None:
    """Append the traceback to the run's worker.log (the console sees it only with LAB_DEBUG=1).

    A background worker's stderr already is worker.log, so it is written there once either way.
    """
    text = "".join(traceback.format_exception(exc))
    log = Path(run_dir) / "worker.log"
    try:
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(text)
            same = os.path.sameopenfile(fh.fileno(), sys.stderr.fileno())
    except (OSError, ValueError):  # a full disk, or no real stderr: still say it somewhere
        same = False
    if os.environ.get("LAB_DEBUG") and not same:
        sys.stderr.write(text)


def execute(run_dir: Path, reporter=None, queue: bool = False) -> dict:
    """Run the job in `run_dir` in this process and record its final state.

    Args:
        run_dir: a run directory with a config.json.
        reporter: optional console progress callback.
        queue: wait for the lab-wide worker lock first. Defaults to False.

    Returns:
        The final status dict.
    """
    run_dir = Path(run_dir)
    host = socket.gethostname()
    rundir.write_status(run_dir, state="queued" if queue else "running", pid=os.getpid(), host=host)
    lock = None
    if queue:
        lock = _wait_for_slot(run_dir, lab_home() / "worker.lock")
        if lock is None:
            return rundir.write_status(run_dir, state="stopped", finished=time.time(),
                                       error=None, epochs_done=0)
    try:
        rundir.write_status(run_dir, state="running", started=time.time(), error=None)
        config = rundir.read_config(run_dir)
        result = _job_function(config.get("kind", "train"))(run_dir, reporter)
        return rundir.write_status(run_dir, state="stopped" if result.stopped else "finished",
                                   finished=time.time(), epochs_done=result.epochs_done)
    except BaseException as exc:  # record every failure: the UI reads it from status.json
        record_traceback(run_dir, exc)
        try:
            status = rundir.write_status(run_dir, state="failed", finished=time.time(),
                                         error=describe_error(exc),
                                         error_type="input" if isinstance(exc, LabError) else "internal")
        except OSError:
            status = {"state": "failed", "error": describe_error(exc)}
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        return status
    finally:
        if lock is not None:
            lock.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.runs.worker", description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--queue", action="store_true", help="wait for other queued workers first")
    args = parser.parse_args(argv)
    if not (args.run_dir / "config.json").is_file():
        print(f"error: {args.run_dir} has no config.json", file=sys.stderr)
        return 2
    status = execute(args.run_dir, queue=args.queue)
    return 0 if status.get("state") in ("finished", "stopped") else 1


if __name__ == "__main__":
    sys.exit(main())
