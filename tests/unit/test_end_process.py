"""`end_process` skips the interpreter's teardown once TensorFlow is loaded, but keeps what an exit must do."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROGRAM = """
import atexit, sys, threading, time, types
from pathlib import Path
from core.runs.processes import end_process

out = Path(sys.argv[1])
if sys.argv[2] == "tf":
    sys.modules["tensorflow"] = types.ModuleType("tensorflow")  # what decides; the import itself is slow
never_run_at_teardown = type("Witness", (), {"__del__": lambda self: out.joinpath("teardown").write_text("")})()
atexit.register(lambda: out.joinpath("atexit").write_text("ran"))
threading.Thread(target=lambda: (time.sleep(0.3), out.joinpath("thread").write_text("done"))).start()
sys.stdout.write("buffered, no newline")
end_process(3)
"""


def _run(tmp_path, mode):
    out = tmp_path / mode
    out.mkdir()
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(out), mode], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    return done, sorted(p.name for p in out.iterdir())


def test_with_tensorflow_loaded_it_waits_for_threads_runs_atexit_flushes_and_skips_the_teardown(tmp_path):
    done, files = _run(tmp_path, "tf")
    assert done.returncode == 3, done.stderr
    assert done.stdout == "buffered, no newline"
    assert files == ["atexit", "thread"]  # no "teardown": module objects were never freed


def test_without_tensorflow_it_is_a_normal_exit(tmp_path):
    done, files = _run(tmp_path, "plain")
    assert done.returncode == 3, done.stderr
    assert done.stdout == "buffered, no newline"
    assert files == ["atexit", "teardown", "thread"]
