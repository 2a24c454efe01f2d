"""One queue for all local training: CLI `train` and sweep trials wait for a slot held by another training."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from core.errors import LabError
from core.runs import queue, rundir

ROOT = Path(__file__).resolve().parents[2]


def test_the_number_of_slots_comes_from_the_setting(monkeypatch):
    monkeypatch.delenv(queue.ENV_VAR, raising=False)
    assert queue.max_trainings() == 1
    monkeypatch.setenv(queue.ENV_VAR, "3")
    assert queue.max_trainings() == 3
    for bad in ("0", "-2", "two"):
        monkeypatch.setenv(queue.ENV_VAR, bad)
        with pytest.raises(LabError, match=queue.ENV_VAR):
            queue.max_trainings()


def test_slots_are_shared_up_to_the_setting_and_freed_on_close(monkeypatch):
    monkeypatch.setenv(queue.ENV_VAR, "2")
    first, second = queue.try_slot(), queue.try_slot()
    assert first is not None and second is not None
    assert queue.try_slot() is None  # a third training waits
    second.close()
    third = queue.try_slot()
    assert third is not None
    first.close()
    third.close()


def test_cli_train_waits_for_a_busy_slot_then_trains(tmp_path, monkeypatch):
    monkeypatch.delenv(queue.ENV_VAR, raising=False)
    held = queue.try_slot()  # another training (a UI run, a sweep trial) has the machine
    assert held is not None
    run_dir = tmp_path / "cli-run"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "core", "train", "--epochs", "1", "--train-subset", "300",
                             "--test-subset", "100", "--run-dir", str(run_dir), "--json"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 120
        while rundir.read_status(run_dir).get("state") != "queued":
            assert proc.poll() is None and time.time() < deadline, "the CLI run never queued"
            time.sleep(0.2)
        time.sleep(3)
        assert rundir.read_status(run_dir)["state"] == "queued" and not rundir.read_metrics(run_dir)
        released = time.time()
    finally:
        held.close()
    out, err = proc.communicate(timeout=240)
    assert proc.returncode == 0, err[-2000:]
    assert "waiting for a free training slot" in err
    status = rundir.read_status(run_dir)
    assert status["state"] == "finished" and status["started"] >= released - 0.5
    assert json.loads(out)["state"] == "finished"


def test_a_sweep_trial_takes_the_same_queue(monkeypatch, lab_home):
    from core.sweep import report, runner, storage
    from core.sweep.space import space_from_dict

    monkeypatch.delenv(queue.ENV_VAR, raising=False)
    tiny = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3, "pool_size": 2}], "dense": [{"units": 8}],
            "batch_size": 64, "epochs": 1}
    space = space_from_dict({"name": "q", "base": tiny, "train_subset": 300, "test_subset": 100, "epochs": 1,
                             "dimensions": {"filters": [2]}})
    runner.setup_study("queued-trial", space, "grid", None)
    run_dir = storage.study_dir("queued-trial") / "runs" / "trial-0000"
    held = queue.try_slot()
    assert held is not None
    sweep = threading.Thread(target=runner.drive, args=("queued-trial",), kwargs={"in_process": True})
    sweep.start()
    try:
        deadline = time.time() + 120
        while rundir.read_status(run_dir).get("state") != "queued":
            assert sweep.is_alive() and time.time() < deadline, "the trial never queued"
            time.sleep(0.2)
        time.sleep(2)
        assert rundir.read_status(run_dir)["state"] == "queued" and not rundir.read_metrics(run_dir)
    finally:
        held.close()
    sweep.join(timeout=240)
    assert not sweep.is_alive()
    rows = report.trial_rows(storage.load_study("queued-trial"))
    assert [r["state"] for r in rows] == ["COMPLETE"]
    assert rundir.read_status(run_dir)["state"] == "finished"
