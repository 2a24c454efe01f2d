"""The CLI prints one line for any failure: exit 2 for input or environment, 1 for internal errors.

Tracebacks go to `<workspace>/cli.log` or the run's `worker.log`, and to the console only with
LAB_DEBUG=1. Internal faults are injected by replacing one function before `core.cli.main` runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.full_disk import tmpfs_available

ROOT = Path(__file__).resolve().parents[2]


def run_py(code: str, debug: bool = False, timeout: int = 300):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("LAB_DEBUG", None)
    if debug:
        env["LAB_DEBUG"] = "1"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)


def cli(*args, debug: bool = False, timeout: int = 300):
    return run_py(f"import sys; from core.cli import main; sys.exit(main({list(map(str, args))!r}))", debug,
                  timeout)


def one_line(out, code: int) -> str:
    assert out.returncode == code, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    assert "Traceback" not in out.stdout + out.stderr
    return lines[0]


def test_output_paths_that_are_a_file_or_a_folder(tmp_path):
    (tmp_path / "a_file").write_text("keep me")
    line = one_line(cli("greek-csv", "assets/greek", "--out-dir", tmp_path / "a_file"), 2)
    assert "is a file" in line and (tmp_path / "a_file").read_text() == "keep me"
    line = one_line(cli("embed", "assets/greek", "--out", tmp_path), 2)
    assert "is a folder" in line


INTERNAL = ("import sys, core.greek.symbols as s\n"
            "def broken(*a, **k): raise ZeroDivisionError('deep inside')\n"
            "s.load_folder = broken\n"
            "from core.cli import main\n"
            "sys.exit(main(['greek-csv', 'assets/greek', '--out-dir', {out!r}]))")


def test_an_internal_error_is_one_line_and_its_traceback_is_logged(tmp_path, lab_home):
    log = lab_home / "cli.log"
    log.unlink(missing_ok=True)
    line = one_line(run_py(INTERNAL.format(out=str(tmp_path / "out"))), 1)
    assert "internal error (ZeroDivisionError: deep inside)" in line and str(log) in line
    assert "LAB_DEBUG=1" in line
    text = log.read_text()
    assert "Traceback" in text and "ZeroDivisionError: deep inside" in text and "greek-csv" in text


def test_lab_debug_prints_the_traceback_too(tmp_path):
    out = run_py(INTERNAL.format(out=str(tmp_path / "out")), debug=True)
    assert out.returncode == 1
    assert "Traceback" in out.stderr and "def broken" not in out.stdout
    assert out.stderr.strip().splitlines()[-1].startswith("error: internal error (ZeroDivisionError")


def test_transfer_with_a_model_without_dense_layer(tmp_path):
    code = ("import keras\n"
            "i = keras.Input((28, 28, 1)); x = keras.layers.Conv2D(4, 3, name='conv1')(i)\n"
            "x = keras.layers.Flatten()(x); o = keras.layers.Dense(3, activation='softmax', name='output')(x)\n"
            f"keras.Model(i, o).save({str(tmp_path / 'nodense.keras')!r})")
    assert run_py(code).returncode == 0
    line = one_line(cli("transfer", "--model", tmp_path / "nodense.keras", "--train", "assets/greek",
                        "--run-dir", tmp_path / "run"), 2)
    assert "no hidden dense layer" in line
    assert not (tmp_path / "run").exists()


WORKER_FAULT = ("import sys, core.runs.training as t\n"
                "def broken(*a, **k): raise RuntimeError('fault in the job')\n"
                "t.load_training_data = broken\n"
                "from core.cli import main\n"
                "sys.exit(main(['train', '--preset', 'fast', '--epochs', '1', '--run-dir', {run!r}]))")


@pytest.mark.parametrize("debug", [False, True])
def test_a_job_failing_inside_the_worker(tmp_path, debug):
    run = tmp_path / "run"
    out = run_py(WORKER_FAULT.format(run=str(run)), debug=debug)
    if debug:
        assert out.returncode == 1 and "Traceback" in out.stderr
        assert out.stderr.strip().splitlines()[-1] == "error: RuntimeError: fault in the job"
    else:
        assert one_line(out, 1) == "error: RuntimeError: fault in the job"
    assert "RuntimeError: fault in the job" in (run / "worker.log").read_text()
    assert json.loads((run / "status.json").read_text())["state"] == "failed"


needs_tmpfs = pytest.mark.skipif(not tmpfs_available(), reason="needs `unshare -rm` and tmpfs mounts")


def _on_tmpfs(tmp_path: Path, size: str, then: str):
    disk = tmp_path / "disk"
    disk.mkdir()
    script = f"mount -t tmpfs -o size={size} tmpfs {disk} && {then.format(disk=disk, py=sys.executable)}"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("LAB_DEBUG", None)
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=600)


@needs_tmpfs
def test_starting_a_run_on_a_full_disk(tmp_path):
    out = _on_tmpfs(tmp_path, "64k", "dd if=/dev/zero of={disk}/fill bs=4k 2>/dev/null; "
                    "{py} -m core train --preset fast --epochs 1 --run-dir {disk}/run; echo rc=$?; "
                    "ls -A {disk}")
    assert "rc=2" in out.stdout, out.stdout + out.stderr
    [line] = [x for x in out.stderr.splitlines() if x.strip()]
    assert line.startswith("error: The disk is full: could not write config.json"), out.stderr
    assert out.stdout.split()[-1] == "fill"  # no run folder, no 0-byte temporary config left


@needs_tmpfs
def test_a_training_that_fills_the_disk(tmp_path):
    out = _on_tmpfs(tmp_path, "300k",
                    "{py} -m core train --preset fast --epochs 1 --train-subset 256 --test-subset 128 "
                    "--run-dir {disk}/run; echo rc=$?; ls -A {disk}/run")
    assert "rc=2" in out.stdout, out.stdout + out.stderr
    lines = [x for x in out.stderr.splitlines() if x.strip() and not x.startswith("epoch ")]
    assert len(lines) == 1 and lines[0].startswith("error: The disk is full"), out.stderr
    assert "Traceback" not in out.stderr
    assert not [name for name in out.stdout.split() if ".tmp" in name]  # no temporary file left
