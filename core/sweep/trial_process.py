"""How long one sweep trial process lives, and its warm-up before the first trial (see `core.sweep.runner`).

Importing TensorFlow costs seconds (6-10 s on 2 busy cores), so a trial process trains many trials
in a row. Keras grows slowly across fits in one process (about 13 MB per 1-epoch trial of the
assignment net, measured after `clear_session`), so the process is replaced once its resident
memory grew by `RECYCLE_GROWTH_MB` since its first trial, or after `DEFAULT_RECYCLE` trials.
"""

from __future__ import annotations

import gc
import os
import resource
import sys

DEFAULT_RECYCLE = 50  # trials per trial process at most (`--recycle`)
RECYCLE_GROWTH_MB = 1024.0  # a trial process whose memory grew this much since its first trial is replaced


def warm_up(dataset: str) -> None:
    """Import TensorFlow and read `dataset` once, then move that long-lived heap out of the collector's way.

    Keras' `clear_session` after every trial runs a full `gc.collect()`; over TensorFlow's ~360k
    module objects that took 0.45 s per trial on 2 cores, and Python's own collections during `fit`
    walk them too. What is alive now lives as long as the process, so freezing it loses nothing.
    """
    from core.nets.keras_import import import_keras

    import_keras()  # the import is the point

    from core.data.datasets import load_dataset

    load_dataset(dataset)  # core.data.datasets keeps it for the trials of this process
    gc.collect()
    gc.freeze()


def memory_mb() -> float:
    """This process's resident memory in MB now (its peak where there is no /proc)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS
        return peak / 2**20 if sys.platform == "darwin" else peak / 1024


class Growth:
    """Whether this process's memory grew by more than `RECYCLE_GROWTH_MB` since its first trial."""

    def __init__(self):
        self.first: float | None = None

    def too_much(self) -> bool:
        """Call after each trial; the first call records the size to compare with."""
        now = memory_mb()
        if self.first is None:
            self.first = now
        return now - self.first > RECYCLE_GROWTH_MB
