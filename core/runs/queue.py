"""One queue for every training on this machine: UI runs, `python -m core train` and sweep trials.

At most `max_trainings()` trainings run at once per host (default 1: on a small machine two
trainings side by side are each slower than one after the other). The slots are lock files under
`<LAB_HOME>/queue/<host>/`; the kernel releases a slot when its holder exits, even by SIGKILL, so a
crashed worker never blocks the queue.
"""

from __future__ import annotations

import fcntl
import socket
import time
from pathlib import Path

from core import settings
from core.paths import lab_home

ENV_VAR = "LAB_MAX_TRAININGS"
POLL_S = 0.5


def max_trainings() -> int:
    """How many trainings may share this machine: `$LAB_MAX_TRAININGS`, default 1."""
    return settings.whole_number(ENV_VAR, 1, low=1)


def slot_dir() -> Path:
    """This host's folder of slot lock files (a shared workspace keeps one queue per machine)."""
    path = lab_home() / "queue" / socket.gethostname()
    path.mkdir(parents=True, exist_ok=True)
    return path


def try_slot():
    """A free slot's open lock file (held until closed), or None when every slot is taken."""
    folder = slot_dir()
    for i in range(max_trainings()):
        fh = open(folder / f"slot-{i}.lock", "a+")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fh
        except BlockingIOError:
            fh.close()
    return None


def wait_for_slot(should_stop=None, on_wait=None):
    """Block until a slot is free; returns its open lock file (close it to free the slot).

    Args:
        should_stop: callable; when it returns True while waiting, give up and return None.
        on_wait: callable run once if the caller has to wait (e.g. to say "queued").
    """
    fh = try_slot()
    if fh is not None:
        return fh
    if on_wait is not None:
        on_wait()
    while True:
        if should_stop is not None and should_stop():
            return None
        time.sleep(POLL_S)
        fh = try_slot()
        if fh is not None:
            return fh
