"""Sweeps over a real PostgreSQL: a driver and two workers share a study; a killed worker and a
restarting database lose no trial and train none twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from core.runs import rundir
from core.sweep.strategies import params_key
from tests.postgres import postgres  # noqa: F401  (the fixture)

ROOT = Path(__file__).resolve().parents[2]
TINY = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3, "pool_size": 2}],
        "dense": [{"units": 16}], "batch_size": 64, "epochs": 1}
GRID = {"filters": [2, 4, 6], "dense_units": [8, 16]}  # 6 trials


def _space(tmp_path: Path) -> Path:
    path = tmp_path / "space.json"
    path.write_text(json.dumps({"name": "pg", "base": TINY, "train_subset": 2000, "test_subset": 200,
                                "epochs": 1, "dimensions": GRID}))
    return path


def _env() -> dict:
    # three trainings at once, so the driver and both workers each train (the queue's setting)
    return dict(os.environ, PYTHONPATH=str(ROOT), LAB_MAX_TRAININGS="3")


def _start(*args: str) -> subprocess.Popen:
    # stderr to a file, not a pipe nobody reads while the process runs: a full pipe would block it
    errors = tempfile.TemporaryFile("w+")
    proc = subprocess.Popen([sys.executable, "-m", "core", "sweep", *args, "--json"], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=errors, text=True, start_new_session=True)
    proc.errors = errors
    return proc


def _printed(proc: subprocess.Popen, out: str | None = None, tail: int = 800) -> str:
    """The end of what `proc` wrote to stdout (`out` if already read) and stderr, once it has ended."""
    out = (proc.stdout.read() if proc.stdout else "") if out is None else out
    proc.errors.seek(0)
    return f"stdout: {out[-tail:]} stderr: {proc.errors.read()[-tail:]}"


def _rows(study: str, url: str) -> list[dict]:
    """The study's trials, or [] while the study or the database is not there."""
    from core.sweep import report, storage

    try:
        return report.trial_rows(storage.load_study(study, url))
    except Exception:  # not created yet, or the database is restarting
        return []


def _training(rows: list[dict]) -> list[dict]:
    """RUNNING trials whose run directory is training (all parameters set, past the queue)."""
    return [r for r in rows if r["state"] == "RUNNING" and r["run_dir"]
            and (rundir.read_json(Path(r["run_dir"]) / "status.json", {}) or {}).get("state") == "running"]


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _driver_of(row: dict) -> int | None:
    """The `sweep run`/`sweep work` process whose trial process trains `row`."""
    pid = (rundir.read_json(Path(row["run_dir"]) / "status.json", {}) or {}).get("pid")
    return _parent(pid) if isinstance(pid, int) else None


def _wait(predicate, timeout: float, what: str, procs=()):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        for p in procs:
            if p.poll() is not None:  # say what it printed: its one-line error, if any
                pytest.fail(f"a sweep process ended (exit {p.returncode}) before {what}: {_printed(p)}")
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


def _finish(proc: subprocess.Popen, timeout: float = 150) -> dict:
    out, _ = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, _printed(proc, out, tail=1500)
    return json.loads(out.strip().splitlines()[-1])


def _assert_each_point_once(trials: list[dict]) -> None:
    complete = [t for t in trials if t["state"] == "COMPLETE"]
    seen = [(t["number"], t["state"], t["status"], t["params"]) for t in trials]
    assert len(complete) == 6, seen
    grid = {params_key({"filters": f, "dense_units": d}) for f in GRID["filters"] for d in GRID["dense_units"]}
    assert {params_key(t["params"]) for t in complete} == grid, seen  # every grid point, exactly once
    assert not [t for t in trials if t["state"] in ("RUNNING", "WAITING")], seen
    assert all(t["status"] == "interrupted" for t in trials if t["state"] == "FAIL"), seen


def _kill_all(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


def test_a_driver_and_two_workers_share_a_postgres_study_and_a_killed_worker_loses_nothing(
        postgres, tmp_path, lab_home):  # noqa: F811
    url, study = postgres.url, "pg-shared"
    driver = _start("run", "--space", str(_space(tmp_path)), "--strategy", "grid", "--study", study,
                    "--storage", url)
    procs = [driver]
    try:
        _wait(lambda: _rows(study, url), 120, "the study to be created", procs)
        workers = [_start("work", "--study", study, "--storage", url) for _ in range(2)]
        procs += workers
        pids = {w.pid: w for w in workers}
        # kill the worker (its driver and trial process) whose trial is training right now

        def training_worker():
            for r in _training(_rows(study, url)):
                if _driver_of(r) in pids:
                    return pids[_driver_of(r)], r["number"]
            return None

        victim, killed_trial = _wait(training_worker, 120, "a worker's trial to be training", procs)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait()
        out = _finish(driver)
        _finish(next(w for w in workers if w is not victim))
    finally:
        _kill_all(procs)
    assert out["reason"] == "done"
    _assert_each_point_once(out["trials"])
    interrupted = [t for t in out["trials"] if t["status"] == "interrupted"]
    assert killed_trial in {t["number"] for t in interrupted}

    shown = subprocess.run([sys.executable, "-m", "core", "sweep", "show", "--study", study, "--storage", url,
                            "--json"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert [r["number"] for r in rows] == [t["number"] for t in out["trials"]]
    assert sum(r["state"] == "COMPLETE" for r in rows) == 6


def test_a_sweep_resumes_when_its_database_restarts_mid_sweep(postgres, tmp_path, lab_home):  # noqa: F811
    url, study = postgres.url, "pg-restart"
    driver = _start("run", "--space", str(_space(tmp_path)), "--strategy", "grid", "--study", study,
                    "--storage", url)
    try:
        _wait(lambda: any(r["state"] == "COMPLETE" for r in _rows(study, url))
              and _training(_rows(study, url)), 150, "a finished trial and one training", [driver])
        postgres.restart(down_s=3)
        out = _finish(driver, timeout=200)
    finally:
        _kill_all([driver])
    assert out["reason"] == "done"
    _assert_each_point_once(out["trials"])
