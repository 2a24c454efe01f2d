"""The background worker: `python -m core.runs.worker RUN_DIR` runs one job and records its end state.

One OS process per run: Keras leaks memory across repeated fits in one process, and a separate
process survives page reruns and closed tabs. Every training takes a slot of the lab's one queue
(`core.runs.queue`), so two runs started at once wait for each other instead of fighting over the
CPU, and beats a heartbeat (`core.runs.liveness`) so a reader on any host can tell it is alive.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import socket
import sys
import time
import traceback
from pathlib import Path

from core.errors import LabError
from core.nets.keras_import import import_keras
from core.runs import queue as training_queue
from core.runs import rundir
from core.runs.liveness import Heartbeat
from core.runs.processes import end_process

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


def execute(run_dir: Path, reporter=None, queue: bool = True, on_wait=None) -> dict:
    """Run the job in `run_dir` in this process and record its final state.

    Args:
        run_dir: a run directory with a config.json.
        reporter: optional console progress callback.
        queue: take a slot of the lab's training queue first (state `queued` meanwhile). Defaults to True.
        on_wait: called once when the job has to wait for a slot.

    Returns:
        The final status dict.
    """
    run_dir = Path(run_dir)
    rundir.write_status(run_dir, state="queued" if queue else "running", pid=os.getpid(),
                        host=socket.gethostname())
    with Heartbeat(lambda: rundir.write_heartbeat(run_dir)):
        return _run_job(run_dir, reporter, queue, on_wait)


def _run_job(run_dir: Path, reporter, queue: bool, on_wait) -> dict:
    slot = None
    try:
        if queue:
            slot = training_queue.wait_for_slot(lambda: rundir.stop_requested(run_dir), on_wait)
            if slot is None:
                return rundir.write_status(run_dir, state="stopped", finished=time.time(),
                                           error=None, epochs_done=0)
        rundir.write_status(run_dir, state="running", started=time.time(), error=None)
        config = rundir.read_config(run_dir)
        import_keras()
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
        if slot is not None:
            slot.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.runs.worker", description=__doc__.splitlines()[0])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--no-queue", action="store_true",
                        help="train at once instead of waiting for a slot of the training queue")
    args = parser.parse_args(argv)
    if not (args.run_dir / "config.json").is_file():
        print(f"error: {args.run_dir} has no config.json", file=sys.stderr)
        return 2
    status = execute(args.run_dir, queue=not args.no_queue)
    return 0 if status.get("state") in ("finished", "stopped") else 1


if __name__ == "__main__":
    end_process(main())
