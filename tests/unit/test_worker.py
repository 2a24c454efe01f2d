"""The background worker and its run directory: contents, STOP, a killed worker, reproducibility."""

import json
import os
import signal
import time

import numpy as np
import pytest

from core.runs import jobs, rundir
from core.nets.config import preset
from core.runs.training import make_train_config


def _wait(predicate, timeout=180, what="condition"):
    deadline = time.time() + timeout
    while not predicate():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def _config(epochs, subset, batch_size=64, seed=3):
    net = preset("assignment").with_overrides(epochs=epochs, batch_size=batch_size, seed=seed)
    return make_train_config(net, train_subset=subset, test_subset=500)


def test_worker_writes_a_complete_run_directory(tmp_path):
    from core.nets.modelio import load_model

    run = jobs.start_run(_config(epochs=2, subset=1500), root=tmp_path, queue=False)
    status = jobs.wait_for(run, timeout_s=240)
    assert status["state"] == "finished", (run / "worker.log").read_text()[-2000:]
    assert status["epochs_done"] == 2 and status["pid"] > 0 and status["finished"] >= status["started"]
    metrics = rundir.read_metrics(run)
    assert [m["epoch"] for m in metrics] == [1, 2]
    for key in ("train_loss", "train_accuracy", "test_loss", "test_accuracy", "seconds"):
        assert all(isinstance(m[key], float) for m in metrics), key
    assert metrics[1]["test_accuracy"] > 0.6
    assert json.loads((run / "config.json").read_text())["net"]["name"] == "assignment"
    progress = rundir.read_progress(run)
    assert progress["epoch"] == 2 and progress["batch"] == progress["batches"] == 24
    filters = rundir.load_epoch_filters(run)
    assert sorted(filters) == [0, 1, 2] and filters[2]["kernel"].shape == (3, 3, 1, 32)
    assert not np.allclose(filters[0]["kernel"], filters[2]["kernel"])
    model = load_model(run / "model.keras")
    assert model.get_layer("conv1").get_weights()[0].shape == (3, 3, 1, 32)
    row = rundir.summarize(run)
    assert row["state"] == "finished" and row["best_test_accuracy"] == max(m["test_accuracy"] for m in metrics)
    beat = rundir.read_json(run / "heartbeat.json")  # the worker beat while it lived
    assert beat["pid"] == status["pid"] and status["created"] <= beat["time"] <= status["finished"] + 1


def test_stop_file_stops_after_the_current_batch(tmp_path):
    run = jobs.start_run(_config(epochs=3, subset=30000, batch_size=32), root=tmp_path, queue=False)
    _wait(lambda: rundir.read_progress(run).get("batch", 0) > 5, what="training to start")
    jobs.stop_run(run)
    status = jobs.wait_for(run, timeout_s=120)
    assert status["state"] == "stopped"
    assert status["epochs_done"] == 0
    progress = rundir.read_progress(run)
    assert progress["batch"] < progress["batches"]  # it did not finish the epoch first


def test_killed_worker_is_reported_and_leaves_a_loadable_model(tmp_path):
    from core.nets.modelio import load_model

    run = jobs.start_run(_config(epochs=6, subset=2000), root=tmp_path, queue=False)
    _wait(lambda: len(rundir.read_metrics(run)) >= 1, what="the first epoch")
    _wait(lambda: rundir.read_progress(run).get("epoch", 0) >= 2, what="the second epoch to start")
    pid = rundir.read_status(run)["pid"]
    os.kill(pid, signal.SIGKILL)
    _wait(lambda: not rundir.pid_alive(pid), what="the worker to die")
    status = rundir.read_status(run)
    assert status["state"] == "failed" and "ended unexpectedly" in status["error"]
    assert load_model(run / "model.keras") is not None
    assert len(rundir.read_metrics(run)) >= 1


def test_queued_runs_wait_for_each_other(tmp_path):
    first = jobs.start_run(_config(epochs=1, subset=1500), root=tmp_path, queue=True)
    second = jobs.start_run(_config(epochs=1, subset=1500), root=tmp_path, queue=True)
    assert jobs.wait_for(first, 240)["state"] == "finished"
    assert jobs.wait_for(second, 240)["state"] == "finished"
    s1, s2 = rundir.read_status(first), rundir.read_status(second)
    a, b = sorted([s1, s2], key=lambda s: s["started"])
    assert b["started"] >= a["finished"] - 0.5  # never trained at the same time


def test_same_seed_and_config_give_identical_weights(tmp_path):
    from core.nets.modelio import load_model

    runs = [jobs.start_run(_config(epochs=1, subset=600, seed=11), root=tmp_path, queue=False)
            for _ in range(2)]
    for run in runs:
        assert jobs.wait_for(run, 240)["state"] == "finished"
    a, b = (load_model(run / "model.keras").get_weights() for run in runs)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_stale_active_state_is_corrected(tmp_path):
    run = rundir.new_run_dir(tmp_path, "ghost")
    rundir.write_config(run, {"kind": "train"})
    import socket

    rundir.write_status(run, state="running", pid=2**22 + 12345, host=socket.gethostname())
    assert rundir.read_status(run)["state"] == "failed"
    assert rundir.read_json(run / "status.json")["state"] == "running"  # reading wrote nothing
    assert rundir.reconcile(run)["state"] == "failed"
    assert rundir.read_json(run / "status.json")["state"] == "failed"  # the explicit step recorded it
    with pytest.raises(Exception):
        rundir.read_config(tmp_path / "nope")


def test_full_disk_keeps_the_previous_model_and_says_so(tmp_path, default_model):
    import errno

    from core.nets.modelio import save_model_atomic
    from core.runs.worker import describe_error

    target = tmp_path / "model.keras"
    save_model_atomic(default_model, target)
    before = target.read_bytes()

    class FullDisk:
        def save(self, path):
            with open(path, "wb") as fh:
                fh.write(b"partial")
            raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        save_model_atomic(FullDisk(), target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no temporary file left behind
    assert describe_error(info.value).startswith("The disk is full")
