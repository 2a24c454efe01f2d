"""The server preloads pandas, MNIST and Keras in the background once its first page has been drawn."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "app" / "main.py")

PROBE = """
import sys, threading
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({entry!r}, default_timeout=60).run()
assert not at.exception, at.exception
print("AFTER_HOME", sorted(t.name for t in threading.enumerate() if t.name.startswith("lab-preload")))
from app import preload
from core.data import datasets
preload.wait("keras"); preload.wait("data")
import gc, time
while any(t.name == "lab-preload" for t in threading.enumerate()):
    time.sleep(0.05)
print("GC_ENABLED", gc.isenabled())
print("PRELOADED", "keras" in sys.modules, "pandas" in sys.modules, "mnist" in datasets._LOADED,
      "altair" in sys.modules)
at.switch_page("../pages/data.py").run()
assert not at.exception, at.exception
print("STARTED_AGAIN", preload.start())
"""


def _probe(**env) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(entry=ENTRY)], cwd=ROOT,
                         env=dict(os.environ, **env), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    return [line for line in out.stdout.splitlines() if line.split(" ")[0].isupper()]


def test_home_starts_the_preload_once_and_it_loads_keras_pandas_and_mnist():
    lines = _probe()
    assert lines[0] == "AFTER_HOME ['lab-preload']"
    assert lines[1] == "GC_ENABLED True"  # switched off only while the preload ran
    assert lines[2] == "PRELOADED True True True True"
    assert lines[3] == "STARTED_AGAIN False"


def test_lab_preload_0_turns_it_off():
    lines = _probe(LAB_PRELOAD="0")
    assert lines[0] == "AFTER_HOME []"
    assert lines[2] == "PRELOADED False False False False"  # Home needs none of them


def test_work_for_after_the_preload_waits_for_its_end_and_runs_at_once_when_none_runs(monkeypatch):
    import threading

    from app import preload

    calls, gate = [], threading.Event()
    monkeypatch.setattr(preload, "_state", {"thread": None})
    monkeypatch.setattr(preload, "_then", [])
    monkeypatch.setattr(preload, "_done", {name: threading.Event() for name in preload.STEPS})
    monkeypatch.setattr(preload, "_tables_and_data", lambda: calls.append("data"))
    monkeypatch.setattr(preload, "_keras", lambda: (gate.wait(30), calls.append("keras")))
    monkeypatch.setattr(preload, "_extras", lambda: calls.append("extras"))
    monkeypatch.setenv("LAB_PRELOAD", "1")

    preload.when_done(lambda: calls.append("no preload yet"))
    assert calls == ["no preload yet"]
    assert preload.start()

    def spare():
        calls.append(("spare", threading.current_thread().name))

    preload.when_done(spare)
    preload.when_done(spare)  # a rerun of the page asks again
    assert ("spare", "lab-preload") not in calls  # Keras is still importing
    gate.set()
    preload._state["thread"].join(30)
    assert calls == ["no preload yet", "data", "keras", "extras", ("spare", "lab-preload")]
    preload.when_done(lambda: calls.append("after it"))
    assert calls[-1] == "after it"
