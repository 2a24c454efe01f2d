"""Keep Streamlit's after-run clean-up from costing every rerun a second of garbage collection.

After every script run, fragment runs included, Streamlit 1.67 calls
`script_runner._clean_problem_modules`, which runs `keras.backend.clear_session()` whenever Keras is
imported. That is a full `gc.collect()` over TensorFlow's ~360k objects (0.3-0.9 s on 2 cores, with
the GIL held, so even the finished page update waits) plus a cleared kernel cache that makes the
next model call 20-100 ms slower. It exists for apps that build Keras models inside the page script;
the lab never does (training runs in worker processes; models are cached resources that must
survive), so the hook keeps only its matplotlib part. `runner.postScriptGC`'s own full collection
after each run stays, made cheap by freezing the long-lived heap (imported modules) once it settles.
"""

from __future__ import annotations

import gc
import sys

from streamlit.runtime.scriptrunner import script_runner

_state = {"modules": 0}


def _close_matplotlib_figures() -> None:
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")


def freeze_long_lived_heap() -> bool:
    """Move everything alive now into the collector's permanent generation after an import wave.

    Objects of newly imported modules (TensorFlow, Keras, pandas...) live as long as the process; a
    full collection that walks them on every rerun is wasted. Runs only when `sys.modules` grew, so
    per-run objects are frozen at most during the first few runs. Returns True when it froze.
    """
    if len(sys.modules) <= _state["modules"]:
        return False
    _state["modules"] = len(sys.modules)
    gc.collect()
    gc.freeze()
    return True


def _after_script_run() -> None:
    _close_matplotlib_figures()
    freeze_long_lived_heap()


def keep_keras_state() -> None:
    """Replace Streamlit's after-run hook (idempotent); no-op if this Streamlit has no such hook."""
    if getattr(script_runner, "_clean_problem_modules", None) is not None:
        script_runner._clean_problem_modules = _after_script_run
