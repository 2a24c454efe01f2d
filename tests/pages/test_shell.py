"""The shell around every page: TensorFlow stays out of pages that don't need it, and the sidebar's
active model can be switched to a finished run."""

import json
import os
import subprocess
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "app" / "main.py")

PROBE = """
import sys
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({entry!r}, default_timeout=60).run()
assert not at.exception, at.exception
at.switch_page("../pages/data.py").run()
assert not at.exception, at.exception
at.switch_page("../pages/evaluate.py").run()
assert not at.exception, at.exception
assert at.metric[0].value == "99.17%", at.metric
print("TF_LOADED" if "tensorflow" in sys.modules else "TF_ABSENT")
"""


def test_home_data_and_evaluate_pages_do_not_import_tensorflow():
    """Evaluate reads the default model's stored evaluation (models/default/evaluations/): no TensorFlow."""
    env = dict(os.environ, LAB_PRELOAD="0")  # the server's background preload would import it anyway
    out = subprocess.run([sys.executable, "-c", PROBE.format(entry=ENTRY)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "TF_ABSENT"


def test_sidebar_switches_the_active_model_to_a_finished_run(monkeypatch, tmp_path):
    from core.runs import rundir
    from core.paths import default_model_path, runs_dir

    monkeypatch.setenv("LAB_RUNS_DIR", str(tmp_path / "runs"))  # keep other tests' runs tables unchanged

    run = rundir.new_run_dir(runs_dir(), "mnist-sidebar-test")
    rundir.write_config(run, {"kind": "train", "dataset": "mnist", "net": {"name": "assignment"}, "epochs": 1})
    rundir.write_status(run, state="finished", started=1.0, finished=2.0)
    rundir.append_metrics(run, {"epoch": 1, "test_accuracy": 0.5, "train_accuracy": 0.5})
    (run / "model.keras").write_bytes(default_model_path().read_bytes())

    at = AppTest.from_file(ENTRY, default_timeout=60).run()
    box = at.selectbox(key="sidebar_model_choice")
    assert box.value == str(default_model_path())
    assert f"{run.name} - 50.00%" in box.options  # labels: the run and its best test accuracy
    box.set_value(str(run / "model.keras")).run()
    assert not at.exception
    assert at.session_state["active_model_path"] == str(run / "model.keras")
    assert at.query_params["model"] in ([f"run/{run.name}"], f"run/{run.name}")
    assert json.loads((run / "status.json").read_text())["state"] == "finished"
