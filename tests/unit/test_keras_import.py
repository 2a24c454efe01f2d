"""Keras imports without scikit-learn, which still imports afterwards, and meanwhile in other threads."""

import subprocess
import sys

from core.paths import ROOT

SCRIPT = """
import sys
from core.nets.keras_import import import_keras
keras = import_keras()
assert "sklearn" not in sys.modules, "scikit-learn was imported with Keras"
assert import_keras() is keras
import sklearn
from sklearn.decomposition import PCA
print(keras.__name__, type(PCA()).__name__)
"""


def test_keras_comes_without_scikit_learn_which_still_imports_later():
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["keras", "PCA"]


BESIDE = """
import threading, time
from core.nets.keras_import import import_keras
got = []
def page():  # a page drawing a 2-D map while the server's preload imports Keras
    time.sleep(0.3)
    from sklearn.manifold import TSNE
    got.append(TSNE.__name__)
thread = threading.Thread(target=page)
thread.start()
keras = import_keras()
thread.join()
print(keras.__name__, *got)
"""


def test_another_thread_imports_scikit_learn_while_keras_loads_without_it():
    out = subprocess.run([sys.executable, "-c", BESIDE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["keras", "TSNE"]
