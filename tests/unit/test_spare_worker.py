"""A spare worker (core.runs.spare) takes the next run: the run trains in it, and a new spare follows."""

from __future__ import annotations

import os
import shutil
import time

from core.nets.config import preset
from core.runs import jobs, rundir, spare
from core.runs.liveness import pid_alive
from core.runs.training import make_train_config


def _wait(predicate, timeout_s: float, what: str):
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_ready_spare_runs_the_next_run_and_a_new_spare_follows(tmp_path, monkeypatch):
    monkeypatch.delenv(spare.ENV_VAR, raising=False)
    root = tmp_path / "runs"
    root.mkdir()
    first = spare.keep_ready(root)
    assert first and spare.keep_ready(root) is None  # one spare per folder, however often asked
    folder = spare.spares_dir(root)
    _wait(lambda: (folder / f"{first}.ready").is_file(), 180, "the spare to warm up")

    config = make_train_config(preset("quick").with_overrides(epochs=1), train_subset=512, test_subset=256)
    run_dir = jobs.start_run(config, root=root, queue=False)
    assert rundir.read_status(run_dir)["pid"] == first  # handed over, not a cold start
    status = jobs.wait_for(run_dir, timeout_s=180, poll_s=0.2)
    assert status["state"] == "finished", (run_dir / "worker.log").read_text()
    assert len(rundir.read_metrics(run_dir)) == 1 and (run_dir / "model.keras").is_file()
    assert "Traceback" not in (run_dir / "worker.log").read_text()
    _wait(lambda: not pid_alive(first), 30, "the used spare to exit")

    waiting = [p for p in folder.glob("*.starting") if p.stem.isdigit()]
    assert len(waiting) == 1 and int(waiting[0].stem) != first  # the next spare, warming up later
    replacement = int(waiting[0].stem)
    shutil.rmtree(folder)  # an idle spare whose folder goes away exits
    _wait(lambda: not pid_alive(replacement), 30, "the replacement spare to exit")


def test_without_a_ready_spare_a_run_starts_a_fresh_worker(tmp_path, monkeypatch):
    monkeypatch.setenv(spare.ENV_VAR, "0")
    root = tmp_path / "runs"
    root.mkdir()
    assert spare.keep_ready(root) is None and not spare.spares_dir(root).exists()
    config = make_train_config(preset("quick").with_overrides(epochs=1), train_subset=256, test_subset=128)
    run_dir = jobs.start_run(config, root=root, queue=False)
    pid = rundir.read_status(run_dir)["pid"]
    assert pid != os.getpid() and jobs.wait_for(run_dir, timeout_s=180, poll_s=0.2)["state"] == "finished"
