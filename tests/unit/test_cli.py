"""`python -m core`: exit codes, one-line errors, JSON output, the default model's quality."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args, env=None, timeout=600):
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


def test_help_lists_the_commands():
    out = cli("--help")
    assert out.returncode == 0
    for command in ("train", "evaluate"):
        assert command in out.stdout


def test_evaluate_default_model_json():
    out = cli("evaluate", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["test_accuracy"] >= 0.99
    assert 0 < result["test_loss"] < 0.1
    first = result["first_10"]
    assert len(first) == 10
    assert [r["label"] for r in first] == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert all(r["predicted"] == r["label"] for r in first)
    assert all(len(r["outputs"]) == 10 and all(round(v, 2) == v for v in r["outputs"]) for r in first)


def test_evaluate_store_keeps_the_evaluation_in_the_run_directory(tmp_path, mnist):
    """`--store` writes what the Evaluate page reads; the numbers are those of a plain evaluation."""
    import shutil

    from core.examine.eval_store import stored_evaluation
    from core.paths import DEFAULT_RUN_DIR

    run = tmp_path / "run"
    run.mkdir()
    for name in ("model.keras", "config.json"):
        shutil.copy(DEFAULT_RUN_DIR / name, run / name)
    out = cli("evaluate", "--model", str(run / "model.keras"), "--store", "--json")
    assert out.returncode == 0, out.stderr
    assert len(list((run / "evaluations").glob("*.npz"))) == 1
    stored, _ = stored_evaluation(run / "model.keras", mnist)
    result = json.loads(out.stdout)
    assert result["test_accuracy"] == stored.accuracy
    plain = json.loads(cli("evaluate", "--model", str(run / "model.keras"), "--json").stdout)
    assert plain["test_accuracy"] == result["test_accuracy"] and plain["first_10"] == result["first_10"]


def test_train_json_leaves_a_complete_run_dir(tmp_path):
    run_dir = tmp_path / "run"
    out = cli("train", "--preset", "assignment", "--epochs", "1", "--train-subset", "1000",
              "--test-subset", "500", "--run-dir", str(run_dir), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["run_dir"] == str(run_dir)
    assert len(result["epochs"]) == 1 and result["test_accuracy"] == result["epochs"][0]["test_accuracy"]
    for name in ("config.json", "status.json", "metrics.jsonl", "model.keras", "progress.json"):
        assert (run_dir / name).is_file(), name
    assert json.loads((run_dir / "status.json").read_text())["state"] == "finished"
    assert "epoch 1/1" in out.stderr
    # evaluating that model through --model works too
    out = cli("evaluate", "--model", str(run_dir / "model.keras"), "--limit", "200", "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["examples"] == 200


@pytest.mark.parametrize("args, message", [
    (["train", "--preset", "nope"], "invalid choice"),
    (["train", "--epochs", "0"], "must be at least 1"),
    (["train", "--config", "/nonexistent/net.json"], "Cannot read the config file"),
    (["evaluate", "--model", "/nonexistent/model.keras"], "Model file not found"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_one_line(args, message):
    out = cli(*args)
    assert out.returncode == 2
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert "Traceback" not in out.stderr


def test_bad_config_and_model_files(tmp_path):
    config = tmp_path / "net.json"
    config.write_text('{"conv": [{"filters": 32, "kernel_size": 99}]}')
    out = cli("train", "--config", str(config))
    assert out.returncode == 2 and "conv[0].kernel_size must be a whole number from 1 to 15" in out.stderr
    fake = tmp_path / "model.keras"
    fake.write_bytes(b"definitely not a zip archive")
    out = cli("evaluate", "--model", str(fake))
    assert out.returncode == 2 and "not a Keras 3" in out.stderr and "Traceback" not in out.stderr


def test_missing_dataset_is_a_clear_error(tmp_path):
    env = {"LAB_DATA_DIR": str(tmp_path), "KERAS_HOME": str(tmp_path / "k"), "LAB_OFFLINE": "1"}
    out = cli("train", "--epochs", "1", "--run-dir", str(tmp_path / "r"), env=env)
    assert out.returncode == 2
    assert "LAB_DATA_DIR" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r").exists()  # nothing half-made


@pytest.mark.slow
def test_one_real_full_data_epoch(tmp_path):
    out = cli("train", "--preset", "assignment", "--epochs", "1", "--run-dir", str(tmp_path / "full"), "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["epochs"][0]["train_accuracy"] > 0.97 and result["test_accuracy"] > 0.97


def test_import_core_does_not_import_streamlit_or_tensorflow():
    code = ("import sys, core, core.cli, core.data.datasets, core.nets.config, core.runs.rundir, core.runs.jobs, core.nets.catalog;"
            "core.cli.build_parser();"
            "print('streamlit' in sys.modules, 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"], out.stderr
