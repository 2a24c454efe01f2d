"""TensorFlow's import-time log lines obey TF_CPP_MIN_LOG_LEVEL, which absl ignores before it is set up.

A fake `tensorflow` package that writes such lines to file descriptor 2 at import stands in for the
real one, whose lines only appear on CPUs where oneDNN is on by default (AVX-512 VNNI/BF16, AMX).
"""

import os
import subprocess
import sys

import pytest

from core.nets.keras_import import kept_startup_output
from core.paths import ROOT

PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
INFO = b"I0000 00:00:1796174774.122003   21477 port.cc:153] oneDNN custom operations are on.\n"
ERROR = b"E0000 00:00:1796174774.122010   21477 cuda_dnn.cc:8310] Unable to register cuDNN factory\n"
WARNING = b"/venv/site-packages/tensorflow/__init__.py:1: UserWarning: something a person should see\n"


@pytest.mark.parametrize("level, kept", [
    (0, PREAMBLE + INFO + WARNING + ERROR),
    (2, PREAMBLE + WARNING + ERROR),
    (3, WARNING),
])
def test_the_log_level_decides_which_startup_lines_stay(level, kept):
    assert kept_startup_output(PREAMBLE + INFO + WARNING + ERROR, level) == kept


def test_without_log_lines_the_preamble_alone_stays_as_written():
    assert kept_startup_output(PREAMBLE + b"not a log line\n", 2) == PREAMBLE + b"not a log line\n"


FAKE_TF = (
    "import os, sys\n"
    f"os.write(2, {PREAMBLE + INFO!r})\n"
    f"os.write(2, {PREAMBLE + INFO!r})\n"
    "sys.stderr.write('a Python warning\\n')\n"
    "LOADED = True\n"
)


def _run(tmp_path, code: str, level: str = "2"):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(FAKE_TF)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=level, PYTHONPATH=f"{tmp_path}{os.pathsep}{ROOT}")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60)


ROUTED = ("from core.nets.keras_import import route_first_import, _QuietLoader\n"
          "route_first_import()\n"
          "import tensorflow\n"
          "assert tensorflow.LOADED and not isinstance(tensorflow.__loader__, _QuietLoader)\n"
          "assert tensorflow.__spec__.loader is tensorflow.__loader__\n"
          "print('imported')\n")


def test_a_processs_first_tensorflow_import_shows_only_what_the_level_allows(tmp_path):
    out = _run(tmp_path, ROUTED)
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"imported\n"
    assert out.stderr == b"a Python warning\n"


def test_with_the_level_at_zero_every_startup_line_shows(tmp_path):
    out = _run(tmp_path, ROUTED, level="0")
    assert out.returncode == 0, out.stderr
    assert out.stderr == (PREAMBLE + INFO) * 2 + b"a Python warning\n"


def test_without_the_route_the_lines_reach_the_console(tmp_path):
    # what every CLI command printed before: the fake package does what TensorFlow does
    out = _run(tmp_path, "import tensorflow")
    assert out.returncode == 0 and out.stderr.count(INFO) == 2
