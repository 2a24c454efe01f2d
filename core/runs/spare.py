"""A spare worker: a worker process that has already imported TensorFlow and read MNIST, waiting for a run.

A cold worker spends 3-12 s (a quiet or a busy 2-core machine) importing TensorFlow and Keras and
reading the dataset before its first batch. The server keeps one spare per runs folder
(`keep_ready`); `core.runs.jobs.start_run` hands a new run to a ready spare instead of starting a
cold process, and the next spare warms up while that run trains. Files in its folder:

    <pid>.starting   written by the launcher when it starts a spare
    <pid>.ready      written by the spare once it is warm
    <pid>.claimed    a launcher renamed `.ready` to this: a rename succeeds for one launcher only
    <pid>.job        the run the launcher handed over: {"run_dir": ..., "queue": ...}

Spares belong to one machine: each host has its own folder, `<runs>/.spares/<host>/`, so machines
that share a workspace never take (or clean up) each other's. An idle spare exits when the process
that started it is gone (the server stopped), when its folder is removed, or after `IDLE_S`. A
waiting spare holds about 0.5 GB of memory; `LAB_SPARE_WORKER=0` turns spares off.

    python -m core.runs.spare SPARES_DIR [DELAY_S]
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path

from core import settings
from core.files import write_json_atomic, write_text_atomic
from core.runs.liveness import pid_alive
from core.runs.processes import end_process

ENV_VAR = "LAB_SPARE_WORKER"
FOLDER = ".spares"
POLL_S = 0.05  # a handed-over run waits at most this long for its spare to notice it
IDLE_S = 3600.0  # an unused spare gives its memory back after an hour
CLAIM_WAIT_S = 10.0  # a claim with no run after this long was a launcher that died
REPLACE_DELAY_S = 30.0  # the spare after a hand-over warms up once the run it follows has started


def enabled() -> bool:
    """Whether spare workers are on (`LAB_SPARE_WORKER` is unset or anything but 0/false/no/off)."""
    return settings.flag(ENV_VAR, default=True)


def spares_dir(root: Path) -> Path:
    """The folder where this host's spares for runs folder `root` announce themselves."""
    return Path(root) / FOLDER / socket.gethostname()


def _live(folder: Path, suffix: str) -> list[Path]:
    """The `<pid>.<suffix>` files of living processes; those of dead ones are removed."""
    alive = []
    for path in folder.glob(f"*.{suffix}"):
        if path.stem.isdigit() and pid_alive(int(path.stem)):
            alive.append(path)
        else:
            path.unlink(missing_ok=True)
    return alive


def keep_ready(root: Path, delay_s: float = 0.0) -> int | None:
    """Start a spare for runs folder `root` unless one is ready or warming up already.

    Args:
        root: the runs folder.
        delay_s: seconds the spare waits before it warms up. A spare that replaces one just
            handed a run waits, so its imports do not slow that run's start. Defaults to 0.

    Returns:
        The pid of the spare started, or None when none was needed (or spares are off).
    """
    from core.runs.processes import spawn

    if not enabled():
        return None
    folder = spares_dir(root)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "lock", "a") as lock:  # two sessions at once start one spare, not two
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _live(folder, "ready") or _live(folder, "starting"):
            return None
        proc = spawn("core.runs.spare", str(folder), str(float(delay_s)), log=folder / "spare.log")
        write_text_atomic(folder / f"{proc.pid}.starting", f"{time.time()}\n")
        return proc.pid


def hand_over(root: Path, run_dir: Path, queue: bool) -> int | None:
    """Give run `run_dir` to a ready spare of runs folder `root`.

    Returns:
        The pid of the spare that now runs it, or None when no spare was ready.
    """
    folder = spares_dir(root)
    if not enabled() or not folder.is_dir():
        return None
    for ready in _live(folder, "ready"):
        claimed = ready.with_suffix(".claimed")
        try:
            os.rename(ready, claimed)
        except OSError:  # another launcher was quicker
            continue
        write_json_atomic(folder / f"{ready.stem}.job", {"run_dir": str(run_dir), "queue": bool(queue)})
        return int(ready.stem)
    return None


def warm_up() -> None:
    """Import what every job needs and read MNIST (kept per process by `core.data.datasets`)."""
    from core.nets.keras_import import import_keras

    import_keras()  # TensorFlow with it

    import core.greek.transfer  # noqa: F401
    import core.runs.training  # noqa: F401
    from core.data.datasets import load_dataset
    from core.errors import LabError

    try:
        load_dataset("mnist")
    except LabError:  # no MNIST here: the run says so itself when it needs it
        pass


def _run_handed_over(order: dict) -> int:
    """Run a handed-over job exactly as `python -m core.runs.worker` would, logging to its worker.log."""
    from core.runs.worker import execute

    run_dir = Path(order["run_dir"])
    log = os.open(run_dir / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    status = execute(run_dir, queue=bool(order.get("queue", True)))
    return 0 if status.get("state") in ("finished", "stopped") else 1


def _wait_for_job(folder: Path, parent: int) -> dict | None:
    """Poll for a handed-over run; None when this spare should go (no parent, no folder, idle, stale claim)."""
    me = os.getpid()
    ready, claimed, job = (folder / f"{me}.{s}" for s in ("ready", "claimed", "job"))
    since, claimed_at = time.time(), None
    while True:
        if job.is_file():
            order = json.loads(job.read_text(encoding="utf-8"))
            job.unlink(missing_ok=True)
            claimed.unlink(missing_ok=True)
            return order
        if claimed.exists():
            claimed_at = claimed_at or time.time()
            if time.time() - claimed_at > CLAIM_WAIT_S:
                claimed.unlink(missing_ok=True)
                return None
        elif not ready.exists() or os.getppid() != parent or time.time() - since > IDLE_S:
            ready.unlink(missing_ok=True)
            return None
        time.sleep(POLL_S)


def serve(folder: Path, delay_s: float = 0.0) -> int:
    """Wait `delay_s`, warm up, announce this spare in `folder`, and run the one job handed over (if any)."""
    parent = os.getppid()
    deadline = time.time() + delay_s
    while time.time() < deadline:
        if os.getppid() != parent or not folder.is_dir():
            return 0
        time.sleep(0.5)
    warm_up()
    me = os.getpid()
    try:
        write_text_atomic(folder / f"{me}.ready", f"{time.time()}\n")
    except FileNotFoundError:  # the folder went away while this spare warmed up: nobody wants it
        return 0
    (folder / f"{me}.starting").unlink(missing_ok=True)
    order = _wait_for_job(folder, parent)
    return 0 if order is None else _run_handed_over(order)


if __name__ == "__main__":
    end_process(serve(Path(sys.argv[1]), float(sys.argv[2]) if len(sys.argv) > 2 else 0.0))
