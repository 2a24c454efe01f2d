"""The runs table rows and re-attaching to the newest active run."""

import os
import socket
import time

from core.runs import rundir
from core.runs.table import newest_active_run, run_label, table_rows


def _run(root, name, state, started, pid=None, metrics=()):
    path = root / name
    path.mkdir(parents=True)
    rundir.write_config(path, {"kind": "train", "dataset": "mnist", "epochs": 3, "net": {"name": "assignment"}})
    rundir.write_status(path, state=state, started=started, pid=pid or os.getpid(), host=socket.gethostname(),
                        finished=None if state in rundir.ACTIVE_STATES else started + 65)
    for row in metrics:
        rundir.append_metrics(path, row)
    return path


def test_table_rows_show_status_dataset_preset_best_accuracy_epochs_duration(tmp_path):
    _run(tmp_path, "a", "finished", time.time() - 100,
         metrics=[{"epoch": 1, "test_accuracy": 0.97}, {"epoch": 2, "test_accuracy": 0.985}])
    rows = table_rows(rundir.list_runs(tmp_path))
    assert rows == [{
        "run": "a", "status": "finished", "dataset": "mnist", "preset": "assignment",
        "best test acc": 0.985, "epochs": "2/3", "duration": "1 min 05 s", "started": rows[0]["started"],
    }]
    assert rows[0]["started"].count(":") == 2
    assert "best 98.50%" in run_label(rundir.list_runs(tmp_path)[0])


def test_newest_active_run_skips_finished_runs_and_dead_workers(tmp_path):
    now = time.time()
    assert newest_active_run(tmp_path) is None
    _run(tmp_path, "old-running", "running", now - 50)
    _run(tmp_path, "newer-finished", "finished", now - 10)
    assert newest_active_run(tmp_path).name == "old-running"
    newest = _run(tmp_path, "newest-running", "running", now)
    assert newest_active_run(tmp_path) == newest
    # a run whose worker died is not re-attached to (it is reported as failed)
    dead = _run(tmp_path, "dead", "running", now + 5, pid=2**22 + 12345)
    assert newest_active_run(tmp_path) == newest
    assert rundir.read_status(dead)["state"] == "failed"
