"""Importing Keras without scikit-learn.

Keras imports scikit-learn (and SciPy with it) for its `keras.wrappers` estimators, which the lab
never uses: 1.7-2.6 s of the 7.8-9.2 s `import keras` took on 2 cores (measured side by side),
paid by every training, spare worker and sweep trial process when it starts, and by the server's
background preload while the first pages are drawn. Keras treats a missing scikit-learn as "no
wrappers". Only the importing thread is denied scikit-learn, so the server's other threads (pages
drawing a t-SNE map or Optuna's importances) can import it meanwhile.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading

_HIDDEN = "sklearn"


class _HiddenFromOneThread(importlib.abc.MetaPathFinder):
    """A finder that makes `import sklearn` fail in one thread and leaves every other thread alone."""

    def __init__(self) -> None:
        self.thread = threading.get_ident()

    def find_spec(self, fullname, path=None, target=None):
        if threading.get_ident() == self.thread and fullname.partition(".")[0] == _HIDDEN:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        return None  # the next finder looks for it as usual


def import_keras():
    """Import Keras with scikit-learn hidden from it; later imports of scikit-learn work as usual.

    Returns:
        The `keras` module.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    finder = _HiddenFromOneThread()
    sys.meta_path.insert(0, finder)
    try:
        import keras
    finally:
        sys.meta_path.remove(finder)
    return keras
