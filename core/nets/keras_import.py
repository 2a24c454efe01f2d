"""Importing Keras without scikit-learn, and without TensorFlow's start-up lines on the console.

Keras imports scikit-learn (and SciPy with it) for its `keras.wrappers` estimators, which the lab
never uses: 1.7-2.6 s of the 7.8-9.2 s `import keras` took on 2 cores (measured side by side),
paid by every training, spare worker and sweep trial process when it starts, and by the server's
background preload while the first pages are drawn. Keras treats a missing scikit-learn as "no
wrappers". Only the importing thread is denied scikit-learn, so the server's other threads (pages
drawing a t-SNE map or Optuna's importances) can import it meanwhile.

TensorFlow's C++ libraries log at import, before anything initialises their logging (absl), so
`TF_CPP_MIN_LOG_LEVEL` does not silence them: on a CPU with AVX-512 VNNI/BF16 or AMX, where oneDNN
is on by default, every process printed "WARNING: All log messages before absl::InitializeLog()..."
and "I0000 ... oneDNN custom operations are on" twice, so a CLI failure was five lines, not one.
`route_first_import` makes a process's first `import tensorflow`, wherever it happens (through
`import_keras` or a command's own `import keras`), hold back what it writes to file descriptor 2 and
pass on only what that setting allows.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import importlib.machinery
import os
import re
import sys
import tempfile
import threading

_HIDDEN = "sklearn"
# absl's prefix: severity, MMDD, time (before InitializeLog "00:00:<epoch seconds>"), thread, file:line]
_ABSL_LINE = re.compile(rb"^([IWEF])\d{4} [\d:.]+\s+\d+ \S+:\d+\] ")
_ABSL_PREAMBLE = b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
_SEVERITY = {b"I": 0, b"W": 1, b"E": 2, b"F": 3}


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
    route_first_import()
    finder = _HiddenFromOneThread()
    sys.meta_path.insert(0, finder)
    try:
        import keras
    finally:
        sys.meta_path.remove(finder)
    return keras


def _min_log_level() -> int:
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0"))
    except ValueError:
        return 0


def kept_startup_output(data: bytes, min_level: int) -> bytes:
    """What of TensorFlow's import-time output `TF_CPP_MIN_LOG_LEVEL` = `min_level` lets through.

    Log lines below that severity go, and absl's preamble with them when no log line is left;
    anything else (Python warnings, a crash's message) is kept as it was.
    """
    lines = data.splitlines(keepends=True)
    kept = [line for line in lines if not (m := _ABSL_LINE.match(line)) or _SEVERITY[m.group(1)] >= min_level]
    if len(kept) < len(lines) and not any(_ABSL_LINE.match(line) for line in kept):
        kept = [line for line in kept if line.rstrip() != _ABSL_PREAMBLE]
    return b"".join(kept)


def _hold_stderr():
    """(the saved descriptor 2, the file now behind it), or None where that cannot be done."""
    try:
        held = tempfile.TemporaryFile()
    except OSError:  # e.g. a full disk: the import goes on, its lines unfiltered
        return None
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(held.fileno(), 2)
    except (OSError, ValueError, AttributeError):  # no stderr to hold back
        held.close()
        return None
    return saved, held


def _give_back_stderr(saved: int, held) -> None:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stderr.flush()
    os.dup2(saved, 2)
    os.close(saved)
    with held:
        held.seek(0)
        data = kept_startup_output(held.read(), _min_log_level())
    if data:
        os.write(2, data)


@contextlib.contextmanager
def _quiet_native_startup():
    """Hold back what is written to file descriptor 2 meanwhile, then pass on what the log level keeps.

    Around TensorFlow's one import only: another thread's messages in that time arrive late, not lost.
    """
    holding = _hold_stderr()
    try:
        yield
    finally:
        if holding:
            _give_back_stderr(*holding)


class _QuietLoader(importlib.abc.Loader):
    """TensorFlow's own loader, run inside `_quiet_native_startup`."""

    def __init__(self, inner):
        self.inner = inner

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.inner  # nothing keeps this wrapper
        with _quiet_native_startup():
            self.inner.exec_module(module)


class _FirstTensorFlowImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` as usual, once, and gives it a loader that runs in `_quiet_native_startup`."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow":
            return None
        with contextlib.suppress(ValueError):
            sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


def route_first_import() -> None:
    """Make this process's first `import tensorflow` (through Keras or not) quiet at start-up."""
    if "tensorflow" not in sys.modules and not any(isinstance(f, _FirstTensorFlowImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _FirstTensorFlowImport())
