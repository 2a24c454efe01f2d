"""Real sweeps on MNIST slices through the CLI: JSON output, failing trials, resume after a kill, linear search."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.sweep.strategies import params_key

ROOT = Path(__file__).resolve().parents[2]
TINY = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3},
                                 {"filters": 4, "kernel_size": 3, "pool_size": 2, "dropout": 0.25}],
        "dense": [{"units": 16, "dropout": 0.25}], "batch_size": 64, "epochs": 1}


def _space(tmp_path: Path, dims: dict, **extra) -> Path:
    path = tmp_path / f"space-{len(list(tmp_path.iterdir()))}.json"
    path.write_text(json.dumps({"name": "t", "base": TINY, "train_subset": 2000, "test_subset": 400,
                                "epochs": 1, "dimensions": dims, **extra}))
    return path


def _cli(*args, timeout=300):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_cli_grid_sweep_records_every_trial_and_a_failing_one_does_not_stop_it(tmp_path, lab_home):
    space = _space(tmp_path, {"filter_size": [3, 9], "conv_layers": [1, 4]},
                   hypotheses={"filter_size": "9x9 kernels are slower"})
    done = _cli("sweep", "run", "--space", str(space), "--strategy", "grid", "--study", "cli-grid", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["study"] == "cli-grid" and out["reason"] == "done"
    trials = out["trials"]
    assert len(trials) == 4
    combos = {params_key(t["params"]) for t in trials}
    assert len(combos) == 4  # the whole grid, each point once
    failed = [t for t in trials if t["state"] == "FAIL"]
    assert [t["params"] for t in failed] == [{"filter_size": 9, "conv_layers": 4}]
    assert "1x1" in failed[0]["error"]
    for t in trials:
        if t["state"] == "COMPLETE":
            assert 0.1 < t["test_accuracy"] <= 1.0 and t["seconds"] > 0 and t["param_count"] > 0
            run_dir = Path(t["run_dir"])
            assert run_dir.parent == lab_home / "sweeps" / "cli-grid" / "runs"
            assert (run_dir / "model.keras").is_file()
            assert json.loads((run_dir / "status.json").read_text())["state"] == "finished"
    assert out["best"]["test_accuracy"] == max(t["test_accuracy"] or 0 for t in trials)

    shown = _cli("sweep", "show", "--study", "cli-grid", "--json")
    assert shown.returncode == 0, shown.stderr
    rows = json.loads(shown.stdout)
    assert [r["number"] for r in rows] == [0, 1, 2, 3]
    assert {r["state"] for r in rows} == {"COMPLETE", "FAIL"}
    assert all(set(r) >= {"number", "state", "params", "test_accuracy", "seconds", "run_dir"} for r in rows)
    # the hypothesis is stored with the sweep
    sweep_json = json.loads((lab_home / "sweeps" / "cli-grid" / "sweep.json").read_text())
    assert sweep_json["hypotheses"] == {"filter_size": "9x9 kernels are slower"}
    # every finished trial's model can be chosen anywhere in the lab
    from core.nets.catalog import list_models

    trial_models = [e for e in list_models() if e.source == "trial" and "cli-grid" in e.label]
    assert len(trial_models) == 3


def test_cli_errors_are_one_line_messages(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"dimensions": {"filterz": [1]}}))
    result = _cli("sweep", "run", "--space", str(bad), "--strategy", "grid")
    assert result.returncode == 2 and result.stderr.startswith("error: Unknown dimension 'filterz'")
    result = _cli("sweep", "show", "--study", "no-such-study")
    assert result.returncode == 2 and "no study 'no-such-study'" in result.stderr
    result = _cli("sweep", "run", "--study", "bad/name", "--space", str(bad))
    assert result.returncode == 2 and "not allowed" in result.stderr


def _states(study: str) -> dict:
    from core.runs import rundir
    from core.sweep import report, storage

    try:
        rows = report.trial_rows(storage.load_study(study))
    except Exception:
        return {}
    training = [r for r in rows if r["state"] == "RUNNING" and r["run_dir"]
                and (rundir.read_json(Path(r["run_dir"]) / "status.json", {}) or {}).get("state") == "running"]
    return {"COMPLETE": sum(r["state"] == "COMPLETE" for r in rows),
            "RUNNING": sum(r["state"] == "RUNNING" for r in rows), "TRAINING": len(training)}


def test_a_killed_sweep_resumes_with_no_trial_lost_or_run_twice(tmp_path, lab_home):
    space = _space(tmp_path, {"filters": [2, 4], "dense_units": [8, 16]}, train_subset=1000)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "core", "sweep", "run", "--space", str(space), "--strategy", "grid",
           "--study", "killed", "--json"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.time() + 240
    try:
        while time.time() < deadline:
            s = _states("killed")
            # killed mid-training: the trial has all its parameters and its run is training
            if s.get("COMPLETE", 0) >= 1 and s.get("TRAINING", 0) == 1:
                break
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.2)
        else:
            pytest.fail("the sweep never had a finished trial and one training")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its trial process, mid-trial
        proc.wait()
    assert _states("killed")["RUNNING"] == 1

    done = _cli("sweep", "run", "--study", "killed", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert len(out["recovered"]) == 1
    complete = [t for t in out["trials"] if t["state"] == "COMPLETE"]
    interrupted = [t for t in out["trials"] if t["status"] == "interrupted"]
    assert len(complete) == 4 and len(interrupted) == 1
    assert len({params_key(t["params"]) for t in complete}) == 4  # each grid point exactly once
    assert params_key(interrupted[0]["params"]) in {params_key(t["params"]) for t in complete}
    assert not [t for t in out["trials"] if t["state"] in ("RUNNING", "WAITING")]


def test_linear_sweep_through_the_runner_changes_one_dimension_at_a_time(tmp_path):
    from core.sweep import report, runner, storage
    from core.sweep.space import load_space

    space = load_space(_space(tmp_path, {"filters": [2, 4], "dense_units": [8, 16]}, train_subset=1000))
    runner.setup_study("linear", space, "linear", 4)
    result = runner.drive("linear", in_process=True)
    assert result["reason"] == "done"
    rows = report.trial_rows(storage.load_study("linear"))
    params = [r["params"] for r in rows]
    # 3 trials when neither pass improved on the base (converged), else the budget of 4
    assert len(params) in (3, 4) and all(r["state"] == "COMPLETE" for r in rows)
    assert len({params_key(p) for p in params}) == len(params)
    assert params[0] == {"filters": 4, "dense_units": 16}  # the base network's values come first
    for i, p in enumerate(params[1:], start=1):
        assert min(sum(p[d] != q[d] for d in p) for q in params[:i]) == 1
    assert params[1]["dense_units"] == 16 and params[1]["filters"] == 2  # first pass: filters only
    # each epoch's test accuracy was reported to Optuna
    trial = storage.load_study("linear").trials[0]
    assert trial.intermediate_values == {1: pytest.approx(trial.value)}
