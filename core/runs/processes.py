"""Starting the lab's own worker processes (runs, sweep drivers, sweep trials): one launcher for all.

Every long job is `python -m <module> ...` in a fresh interpreter: Keras leaks memory across fits in
one process, and a separate process survives page reruns and closed tabs. Workers run at a lower CPU
priority (`LAB_WORKER_NICE`, default 10) than the server, and so does the session of their own that
detached workers start (Linux may share the CPU between sessions first): on a machine that also
serves the pages, a training takes only the CPU time the people drawing and clicking leave, and on an
idle machine it loses nothing.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from core.paths import ROOT

NICE_ENV = "LAB_WORKER_NICE"
DEFAULT_NICE = 10


def worker_env() -> dict:
    """The environment of a lab child process: unbuffered output, quiet TensorFlow, the repo importable."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    return env


def worker_nice() -> int:
    """How much lower than the server's the workers' CPU priority is (`LAB_WORKER_NICE`, 0-19).

    Raises:
        LabError: a value that is not a whole number from 0 to 19.
    """
    from core import settings

    return settings.whole_number(NICE_ENV, DEFAULT_NICE, low=0, high=19)


def _die_with_parent() -> None:
    """Make this child get SIGKILL when its parent dies, so a killed driver leaves no orphan trainer."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _session_nice() -> int:
    """The niceness of this process's session as a scheduling group (0 where there are none)."""
    try:
        return int(Path("/proc/self/autogroup").read_text().split()[-1])
    except (OSError, ValueError, IndexError):
        return 0


def _lower_session_priority(nice: int) -> None:
    """Give this process's new session the niceness `nice` where Linux schedules sessions as groups.

    With autogroups (`/proc/sys/kernel/sched_autogroup_enabled`, on by default in many kernels) the CPU
    is shared between sessions first, and a process's own nice value only ranks it inside its
    session. A worker in a session of its own at nice 10 therefore took half the CPU from the server
    and the browsers (measured: 0.5 of one core against a busy loop of the server's session, 0.1
    with its session at nice 10).
    """
    try:
        fd = os.open("/proc/self/autogroup", os.O_WRONLY)
    except OSError:  # no autogroups here: the process's own nice value is what counts
        return
    try:
        os.write(fd, str(nice).encode())
    except OSError:
        pass
    finally:
        os.close(fd)


def _in_child(nice: int, tied: bool, session_nice: int | None):
    """What the child does between fork and exec: lower its priority, and set its own session's to
    `session_nice` (None: it stays in ours); if `tied`, die with its parent.

    Only system calls, which take no lock another thread of the server could hold.
    """

    def prepare() -> None:
        if nice:
            os.nice(nice)
            if session_nice is not None:
                _lower_session_priority(session_nice)
        if tied:
            _die_with_parent()

    return prepare


def spawn(module: str, *args: str, log=None, detach: bool = True) -> subprocess.Popen:
    """Start `python -m module args...` from the repository root.

    Args:
        module: the module to run, e.g. `core.runs.worker`.
        args: its command-line arguments.
        log: where its output goes: a path (appended to), an open binary file, or None to inherit ours.
        detach: True: its own session, so it outlives the caller (a closed tab, a stopped server).
            False: it dies with the caller (a sweep's trial process under its driver).

    Returns:
        The started process, at the priority `worker_nice()` says.

    Raises:
        LabError: `LAB_WORKER_NICE` is not a whole number from 0 to 19.
    """
    cmd = [sys.executable, "-m", module, *map(str, args)]
    nice = worker_nice()
    session_nice = min(19, _session_nice() + nice) if detach else None
    options = {"start_new_session": detach,
               "preexec_fn": _in_child(nice, tied=not detach, session_nice=session_nice)}
    if isinstance(log, (str, Path)):
        with open(log, "ab") as fh:
            return subprocess.Popen(cmd, cwd=ROOT, env=worker_env(), stdout=fh, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, **options)
    return subprocess.Popen(cmd, cwd=ROOT, env=worker_env(), stdout=log,
                            stderr=subprocess.STDOUT if log is not None else None,
                            stdin=subprocess.DEVNULL, **options)


def end_process(code: int | None) -> None:
    """Exit with `code`; once TensorFlow is loaded, without the interpreter's final teardown.

    Freeing TensorFlow's modules and objects at exit costs about 2 s on 2 cores (a process that
    imports Keras and fits once: 9.7 s against 7.6 s), paid by every CLI command, worker and sweep
    trial process, and by whoever waits for it: a sweep driver for its trial processes, a person for
    the prompt. What matters of a normal exit still happens, in its order: other non-daemon threads
    are waited for, the atexit handlers run (logging, TensorBoard writers, weakref finalizers), and
    stdout and stderr are flushed.
    """
    code = 0 if code is None else int(code)
    if "tensorflow" not in sys.modules:
        sys.exit(code)
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it anyway
            pass
    os._exit(code)
