"""Is a job still alive? Heartbeats that any host can read, with a pid check as a same-host shortcut.

A job (training worker, sweep driver, sweep trial) refreshes a heartbeat every `HEARTBEAT_S`
seconds from a background thread, so it beats through long evaluations and model saves too. A
reader anywhere takes a job as dead when its last sign of life is older than `STALE_S` seconds,
or at once when the job ran on the reader's own host and its pid is gone. Hosts that share a
workspace must keep their clocks within a few seconds of each other (NTP), since the heartbeat is
the writer's clock.
"""

from __future__ import annotations

import os
import socket
import threading
import time

HEARTBEAT_S = 10.0  # how often a live job refreshes its heartbeat
STALE_S = 60.0  # a job whose newest heartbeat is older than this is dead, on any host


def pid_alive(pid) -> bool:
    """Whether a process with this pid exists on this host and is not a zombie."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def is_alive(host, pid, last_beat, now: float | None = None) -> bool:
    """Whether a job that ran as `pid` on `host` and last beat at `last_beat` (epoch seconds) lives.

    Args:
        host: the job's host name, or None when unknown.
        pid: the job's process id, or None when unknown; only checked when `host` is this host.
        last_beat: the newest sign of life (a heartbeat, or the last status write), or None.
        now: the reader's time. Defaults to `time.time()`.
    """
    if host == socket.gethostname() and pid is not None and not pid_alive(pid):
        return False
    return last_beat is not None and (now or time.time()) - float(last_beat) <= STALE_S


def beat_record() -> dict:
    """The content of one heartbeat: the writer's time, host and pid."""
    return {"time": time.time(), "host": socket.gethostname(), "pid": os.getpid()}


class Heartbeat:
    """Calls `beat()` now and then every `interval_s` seconds from a daemon thread until `stop()`.

    Use as a context manager around the job. A beat that raises (a full disk, an unreachable
    database) is skipped: the next one tries again, and a reader sees the gap only if it lasts.
    """

    def __init__(self, beat, interval_s: float = HEARTBEAT_S):
        self.beat, self.interval_s = beat, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="heartbeat")

    def _run(self) -> None:
        while True:
            try:
                self.beat()
            except Exception:  # see the class docstring: a missed beat is retried, never fatal
                pass
            if self._stop.wait(self.interval_s):
                return

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
