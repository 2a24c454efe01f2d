"""Workers import Keras without scikit-learn, and scikit-learn still imports afterwards."""

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
