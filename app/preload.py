"""Load what the heavy pages need in the background, once per server process, after its first page run.

A cold `import keras` costs 4-10 s on 2 cores (TensorFlow; scikit-learn is kept out of it),
MNIST's compressed file 0.6 s and pandas (every table) 0.5-1.3 s. Paid inside a page's script run, the
first visit to Draw, Examine or Greek letters waited for all of it. Here one thread starts when the first
script run (usually Home) has finished drawing: it imports pandas and reads MNIST, then imports Keras,
then the smaller libraries only some pages draw with (`_extras`). A page that needs the data or Keras
waits for that step (`wait`) instead of loading it a second time, or concurrently. The thread
touches no Streamlit state and nothing a session sees; a failure there is ignored (the page that
needs the module or the data meets the same problem and says so).
`LAB_PRELOAD=0` turns it off.
"""

from __future__ import annotations

import gc
import logging
import threading

from core import settings

ENV = "LAB_PRELOAD"
STEPS = ("data", "keras", "extras")  # in order, one thread: reading MNIST is not slowed by the TF import
_lock = threading.Lock()
_done = {name: threading.Event() for name in STEPS}
_state = {"thread": None}
_then: list = []  # work waiting for the preload to end (`when_done`)
_log = logging.getLogger("recognition_lab")


def enabled() -> bool:
    """False when `LAB_PRELOAD` is 0, false or no."""
    return settings.flag(ENV, default=True)


def _tables_and_data() -> None:
    import pandas  # noqa: F401  (Streamlit imports it for every st.dataframe)

    from core.data.datasets import load_dataset

    load_dataset("mnist", allow_download=False)  # core keeps it for the process (read_npz)


def _keras() -> None:
    from core.nets.keras_import import import_keras

    import_keras()  # without scikit-learn: 1.9 s less of the lock held while the first pages draw
    from app.script_runs import freeze_long_lived_heap

    # Freeze TensorFlow's objects now, so the next script run's after-run collection does not walk them.
    freeze_long_lived_heap()


def _extras() -> None:
    # Measured on the first visits, with Keras loaded: Altair (the Greek page's hover chart) 0.33 s,
    # pandas' Styler with Jinja2 (Examine's filter values). A page that imports one meanwhile waits
    # for this import of it rather than repeating it. scikit-learn (1.9 s with SciPy) is left to
    # the two things that need it, t-SNE and Optuna's importances: the 2-D map's PCA is NumPy's.
    import altair  # noqa: F401
    import pandas.io.formats.style  # noqa: F401


def _run() -> None:
    # The collector off while ~400k long-lived objects are created: its automatic full passes over the
    # growing heap cost 15-20% of the import's CPU (measured: 4.7-4.8 s instead of 5.5-6.2 s for Keras).
    # Script runs still collect explicitly after each run; the heap is frozen at the end (`_keras`).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for name, work in zip(STEPS, (_tables_and_data, _keras, _extras)):
            try:
                work()
            except Exception as exc:  # noqa: BLE001 - a page that needs it reports the same problem itself
                _log.info("preloading %s failed: %s: %s", name, type(exc).__name__, exc)
            finally:
                _done[name].set()
    finally:
        if collecting:
            gc.enable()
        with _lock:  # every step is over, even one an interruption skipped: nobody waits for it
            for event in _done.values():
                event.set()
            waiting = list(_then)
            _then.clear()
        for work in waiting:
            _call(work)


def _call(work) -> None:
    try:
        work()
    except Exception as exc:  # noqa: BLE001 - such work only saves time; the pages work without it
        _log.info("work after the preload failed: %s: %s", type(exc).__name__, exc)


def when_done(work) -> None:
    """Call `work()` once the preload is over: now when none runs, else in its thread when it ends.

    For background work that would compete with the preload for the two cores, such as a spare
    worker's own TensorFlow import: started beside it, the Train page's first visit took 4.0 s in
    `bench.pages`, against 2.2 s with no spare at all.
    """
    with _lock:
        if _state["thread"] is not None and not _done[STEPS[-1]].is_set():
            if work not in _then:  # every rerun of a page asks again; once is enough
                _then.append(work)
            return
    _call(work)


def start() -> bool:
    """Start the preload thread unless it already ran in this process (or `enabled()` is False).

    Returns:
        True when this call started it.
    """
    if not enabled():
        return False
    with _lock:
        if _state["thread"] is not None:
            return False
        # Not a daemon thread: an interpreter that exits in the middle of importing TensorFlow can crash.
        _state["thread"] = threading.Thread(target=_run, name="lab-preload")
        _state["thread"].start()
    return True


def wait(name: str, timeout: float | None = None) -> None:
    """Block until preload step `name` (one of `STEPS`) is done; at once if no preload runs."""
    thread = _state["thread"]
    if thread is not None and thread is not threading.current_thread():
        _done[name].wait(timeout)
