"""Importing Keras in a worker process without scikit-learn.

Keras imports scikit-learn (and SciPy with it) for its `keras.wrappers` estimators, which the lab
never uses: 1.7-2.6 s of the 7.8-9.2 s `import keras` took on 2 cores (measured side by side),
paid by every training, spare worker and sweep trial process when it starts. Keras treats a
missing scikit-learn as "no wrappers". Only for processes whose other threads import nothing
meanwhile: the server, whose pages import scikit-learn, imports Keras as it is.
"""

from __future__ import annotations

import sys


def import_keras():
    """Import Keras with scikit-learn hidden from it; later imports of scikit-learn work as usual.

    Returns:
        The `keras` module.
    """
    if "keras" in sys.modules:
        return sys.modules["keras"]
    hide = "sklearn" not in sys.modules
    if hide:
        sys.modules["sklearn"] = None  # makes `import sklearn` raise ImportError
    try:
        import keras
    finally:
        if hide and sys.modules.get("sklearn", False) is None:
            del sys.modules["sklearn"]
    return keras
