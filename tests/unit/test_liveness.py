"""Run liveness without pids: heartbeats any host can read; reading never writes, reconcile records."""

import socket
import time

import pytest

from core.runs import rundir
from core.runs.liveness import STALE_S, Heartbeat, beat_record
from core.sweep import report, storage


def _run(tmp_path, state: str, host: str, beat_age_s: float | None, pid: int = 4242):
    run = rundir.new_run_dir(tmp_path, "elsewhere")
    rundir.write_config(run, {"kind": "train", "dataset": "mnist", "net": {"name": "assignment"}})
    status = rundir.write_status(run, state=state, pid=pid, host=host, started=time.time() - 600)
    status["updated"] = time.time() - 600  # its last status write was long ago
    rundir.write_json_atomic(run / "status.json", status)
    if beat_age_s is not None:
        rundir.write_json_atomic(run / "heartbeat.json", {"time": time.time() - beat_age_s, "host": host,
                                                          "pid": pid})
    return run


@pytest.mark.parametrize("state", ["running", "queued"])
def test_a_run_on_another_host_with_a_fresh_heartbeat_is_alive(tmp_path, state):
    run = _run(tmp_path, state, "another-machine", beat_age_s=2)
    assert rundir.read_status(run)["state"] == state
    assert rundir.reconcile(run)["state"] == state
    assert rundir.summarize(run)["state"] == state


@pytest.mark.parametrize("state", ["running", "queued"])
def test_a_silent_run_on_another_host_is_failed_but_only_reconcile_writes_it(tmp_path, state):
    run = _run(tmp_path, state, "another-machine", beat_age_s=STALE_S + 5)
    before = (run / "status.json").read_bytes()
    status = rundir.read_status(run)
    assert status["state"] == "failed" and status["error"] == rundir.WORKER_ENDED
    assert "ended unexpectedly" in status["error"] and "Epochs finished before that are kept" in status["error"]
    assert rundir.summarize(run)["state"] == "failed"
    assert (run / "status.json").read_bytes() == before  # polling only reads
    assert rundir.reconcile(run)["state"] == "failed"
    recorded = rundir.read_json(run / "status.json")
    assert recorded["state"] == "failed" and recorded["error"] == rundir.WORKER_ENDED


def test_a_run_without_any_heartbeat_falls_back_to_its_last_status_write(tmp_path):
    run = _run(tmp_path, "running", "another-machine", beat_age_s=None)
    assert rundir.read_status(run)["state"] == "failed"
    fresh = rundir.new_run_dir(tmp_path, "just-launched")
    rundir.write_status(fresh, state="queued", host="another-machine")  # no pid yet, no beat yet
    assert rundir.read_status(fresh)["state"] == "queued"


def test_on_this_host_a_dead_pid_is_failed_at_once_even_with_a_fresh_heartbeat(tmp_path):
    run = _run(tmp_path, "running", socket.gethostname(), beat_age_s=1, pid=2**22 + 12345)
    assert rundir.reconcile(run)["state"] == "failed"
    assert rundir.read_json(run / "status.json")["state"] == "failed"


def test_finished_runs_are_never_touched(tmp_path):
    run = _run(tmp_path, "finished", "another-machine", beat_age_s=10_000)
    before = (run / "status.json").read_bytes()
    assert rundir.reconcile(run)["state"] == "finished"
    assert (run / "status.json").read_bytes() == before


def test_heartbeat_beats_until_stopped_and_survives_a_failing_beat():
    beats = []

    def beat():
        beats.append(time.time())
        if len(beats) == 2:
            raise OSError(28, "No space left on device")

    with Heartbeat(beat, interval_s=0.05):
        time.sleep(0.5)
    count = len(beats)
    assert count >= 4  # the failing second beat did not end it
    time.sleep(0.2)
    assert len(beats) == count  # stopped with the block


def test_a_sweep_driver_is_alive_by_its_heartbeat_on_any_host(lab_home):
    folder = storage.study_dir("beat-study")
    info = {"pid": 4242, "host": "another-machine", "state": "running", "started": time.time() - 600}
    rundir.write_json_atomic(folder / "driver.json", info)
    rundir.write_json_atomic(folder / storage.DRIVER_BEAT, {**beat_record(), "time": time.time() - 3})
    assert report.driver_state("beat-study")["state"] == "running"
    rundir.write_json_atomic(folder / storage.DRIVER_BEAT, {**beat_record(), "time": time.time() - STALE_S - 5})
    before = (folder / "driver.json").read_bytes()
    assert report.driver_state("beat-study")["state"] == "killed"
    assert (folder / "driver.json").read_bytes() == before
