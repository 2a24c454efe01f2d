"""Training benchmark: the lab against plain Keras and this machine's matmul peak, all in one run.

    python -m bench.training [--seeds 42,1,2,3] [--presets fast,...] [--max-epochs 15] [--lab-root DIR]

Measures, in this order: TensorFlow's float32 matmul peak; the reference loop (plain Keras: a
`keras.Sequential` of the assignment net, `fit` one 60k epoch at batch 128, `evaluate` on train and
test at the same batch size) and one lab epoch of the assignment net (`python -m core train`: fit,
both evaluations, every save), twice each in the order reference, lab, lab, reference, each taken at
its faster try; `python -m core train --preset quick --json` per seed, timed from process start to
exit; start to first batch progress of a background run (`start_run`), with a warm spare worker as
the Train page keeps one, and with a cold worker; optionally seconds to 99% for other presets. Ratios are taken against the reference measured in the same run, because the
machine is shared. `--lab-root` runs the lab commands of another checkout (for before/after tables).
Prints one JSON object. Needs MNIST (LAB_DATA_DIR, the Keras cache or ../shared/data).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
sys.path.insert(0, str(ROOT))

ASSIGNMENT_TRAIN_MFLOP = 3 * 12.19  # forward 12.19 MFLOP per image (core.nets.network.forward_flops)


def matmul_gflops(n: int = 2048, repeats: int = 20) -> float:
    """Best-of float32 matmul GFLOP/s of TensorFlow on this machine."""
    import tensorflow as tf

    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    tf.linalg.matmul(a, b).numpy()  # warm-up
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        tf.linalg.matmul(a, b).numpy()
        best = max(best, 2 * n**3 / (time.perf_counter() - t0) / 1e9)
    return best


def plain_keras_epoch(batch_size: int = 128) -> dict:
    """The reference: plain Keras fits the assignment net for one epoch and evaluates on train and test."""
    import keras
    import numpy as np
    from keras import layers

    keras.utils.set_random_seed(0)
    with np.load(Path(os.environ["LAB_DATA_DIR"]) / "mnist.npz") as data:
        x, y = data["x_train"][..., None] / np.float32(255), keras.utils.to_categorical(data["y_train"], 10)
        xt, yt = data["x_test"][..., None] / np.float32(255), keras.utils.to_categorical(data["y_test"], 10)
    model = keras.Sequential([
        keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2), layers.Dropout(0.25),
        layers.Flatten(), layers.Dense(128, activation="relu"), layers.Dropout(0.5),
        layers.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    fit = time.perf_counter() - t0
    model.evaluate(x, y, batch_size=batch_size, verbose=0)
    model.evaluate(xt, yt, batch_size=batch_size, verbose=0)
    total = time.perf_counter() - t0
    return {"fit_s": round(fit, 2), "evaluate_s": round(total - fit, 2), "epoch_s": round(total, 2),
            "images_per_s": round(len(x) / fit, 1)}


def in_fresh_process(function: str) -> dict:
    """Run `bench.training.<function>()` in a new Python process and return its JSON result.

    The reference loop and the matmul peak run in processes of their own, as the lab's commands do,
    so both sides start from the same state (a fresh interpreter, nothing else holding TensorFlow).
    """
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = f"import json; from bench.training import {function} as f; print(json.dumps(f()))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{function} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def lab_train(lab_root: Path, *args: str) -> dict:
    """`python -m core train ... --json` in a fresh process; its JSON plus the process' wall time."""
    with tempfile.TemporaryDirectory(prefix="bench-train-") as home:
        env = dict(os.environ, LAB_HOME=home, PYTHONPATH=str(lab_root))
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "core", "train", *args, "--json"], cwd=lab_root,
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"core train {' '.join(args)} failed: {done.stderr[-2000:]}")
    return {**json.loads(done.stdout), "process_wall_s": round(wall, 2)}


def lab_epoch(lab_root: Path) -> dict:
    """One lab epoch of the assignment net (`core train --epochs 1`): its metrics row."""
    return lab_train(lab_root, "--preset", "assignment", "--epochs", "1")["epochs"][0]


def reference_and_lab_epoch(lab_root: Path, peak: float, skip_lab: bool) -> tuple[dict, dict | None]:
    """The reference epoch and the lab's, in the order reference, lab, lab, reference.

    The machine's speed drifts within a run; this order gives both the same drift, and each is
    taken at its faster try (noise only ever adds time). Returns (reference, lab epoch or None).
    """
    refs = [in_fresh_process("plain_keras_epoch")]
    labs = [] if skip_lab else [lab_epoch(lab_root) for _ in range(2)]
    refs.append(in_fresh_process("plain_keras_epoch"))
    reference = dict(min(refs, key=lambda r: r["epoch_s"]), tries_epoch_s=[r["epoch_s"] for r in refs])
    reference["fraction_of_matmul_peak"] = round(
        ASSIGNMENT_TRAIN_MFLOP * 1e6 * 60000 / reference["fit_s"] / 1e9 / peak, 3)
    if not labs:
        return reference, None
    row = min(labs, key=lambda r: r["seconds"])
    achieved = ASSIGNMENT_TRAIN_MFLOP * 1e6 * 60000 / row["fit_seconds"] / 1e9
    return reference, {
        "fit_s": round(row["fit_seconds"], 2), "epoch_s": round(row["seconds"], 2),
        "evaluate_s": round(row.get("eval_seconds", row["seconds"] - row["fit_seconds"]), 2),
        "images_per_s": round(60000 / row["fit_seconds"], 1), "train_gflops": round(achieved, 1),
        "fraction_of_matmul_peak": round(achieved / peak, 3), "tries_epoch_s": [round(r["seconds"], 2) for r in labs],
        "ratio_to_plain_keras": round(row["seconds"] / reference["epoch_s"], 3)}


def quick_runs(lab_root: Path, seeds: list[int], reference: dict) -> list[dict]:
    """`core train --preset quick` per seed: test accuracy and process wall time against the reference."""
    rows = []
    for seed in seeds:
        out = lab_train(lab_root, "--preset", "quick", "--seed", str(seed))
        rows.append({"seed": seed, "test_accuracy": out["test_accuracy"], "epochs": len(out["epochs"]),
                     "process_wall_s": out["process_wall_s"],
                     "ratio_to_plain_keras_epoch": round(out["process_wall_s"] / reference["epoch_s"], 3)})
    return rows


def start_to_first_progress(lab_root: Path, preset: str = "quick", spare: bool = True) -> dict:
    """Seconds from `start_run` to the first progress file, and to the first finished batch in it.

    With `spare`, as on the Train page: a spare worker has warmed up first (the page keeps one
    ready), and the clock starts when the run is started. Without, a cold worker process.
    """
    code = f"""
import json, os, sys, time
from pathlib import Path
root = Path(sys.argv[1]) / "runs"
root.mkdir()
os.environ["LAB_SPARE_WORKER"] = "1" if {spare!r} else "0"
from core.runs import jobs, rundir
if {spare!r} and hasattr(jobs, "keep_spare_ready"):  # an older checkout has no spare workers
    jobs.keep_spare_ready(root)
    deadline = time.time() + 300
    while not list((root / ".spares").glob("*/*.ready")) and time.time() < deadline:
        time.sleep(0.1)
t0 = time.time()
from core.nets.config import preset
from core.runs.training import make_train_config
run = jobs.start_run(make_train_config(preset({preset!r})), root=root, queue=False)
first = batch = None
while batch is None and time.time() - t0 < 300:
    p = rundir.read_progress(run)
    if p and first is None:
        first = time.time() - t0
    if p.get("batch"):
        batch = time.time() - t0
    time.sleep(0.05)
jobs.stop_run(run)
jobs.wait_for(run, timeout_s=120)
print(json.dumps({{"first_progress_s": first, "first_batch_s": batch}}))
"""
    with tempfile.TemporaryDirectory(prefix="bench-start-") as home:
        env = dict(os.environ, LAB_HOME=home, PYTHONPATH=str(lab_root))
        done = subprocess.run([sys.executable, "-c", code, home], cwd=lab_root, env=env,
                              capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"start_run failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"preset": preset, "spare_worker": spare,
            **{k: round(v, 2) if v is not None else None for k, v in result.items()}}


def seconds_to_99(lab_root: Path, name: str, max_epochs: int) -> dict:
    """Train a preset on full MNIST for up to `max_epochs`; when it first reaches 99.0% test accuracy."""
    out = lab_train(lab_root, "--preset", name, "--epochs", str(max_epochs))
    elapsed, reached = 0.0, None
    for row in out["epochs"]:
        elapsed += row["seconds"]
        if reached is None and row["test_accuracy"] >= 0.99:
            reached = {"epochs": row["epoch"], "training_s": round(elapsed, 1)}
    return {"preset": name, "reached_99": reached is not None, **(reached or {}),
            "best_test_accuracy": max(r["test_accuracy"] for r in out["epochs"])}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="42,1,2,3", help="seeds of the quick preset (default 42,1,2,3)")
    parser.add_argument("--presets", default="", help="also time these presets to 99%% (slow), e.g. fast")
    parser.add_argument("--max-epochs", type=int, default=15)
    parser.add_argument("--lab-root", type=Path, default=ROOT, help="the checkout whose lab is measured")
    parser.add_argument("--skip-quick", action="store_true", help="for a checkout without the quick preset")
    parser.add_argument("--skip-lab-epoch", action="store_true", help="leave out the lab's assignment epoch")
    parser.add_argument("--skip-start", action="store_true", help="leave out start to first progress")
    args = parser.parse_args(argv)
    lab_root = args.lab_root.resolve()
    result = {"benchmark": "training", "lab_root": str(lab_root),
              "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
              "load_average_at_start": round(os.getloadavg()[0], 1)}
    peak = in_fresh_process("matmul_gflops")
    result["matmul_gflops"] = round(peak, 1)
    reference, result["lab_assignment_epoch"] = reference_and_lab_epoch(lab_root, peak, args.skip_lab_epoch)
    result["plain_keras_epoch"] = reference
    if not args.skip_quick:
        runs = quick_runs(lab_root, [int(s) for s in args.seeds.split(",") if s], reference)
        result["quick"] = {"runs": runs, "all_reached_99": all(r["test_accuracy"] >= 0.99 for r in runs),
                           "max_process_wall_s": max(r["process_wall_s"] for r in runs),
                           "max_ratio_to_plain_keras_epoch": max(r["ratio_to_plain_keras_epoch"] for r in runs)}
    if not args.skip_start:
        name = "assignment" if args.skip_quick else "quick"
        result["start_to_first_progress"] = start_to_first_progress(lab_root, name, spare=True)
        result["start_to_first_progress_cold_worker"] = start_to_first_progress(lab_root, name, spare=False)
    if args.presets:
        result["to_99_percent"] = [seconds_to_99(lab_root, p, args.max_epochs) for p in args.presets.split(",")]
    result["load_average_at_end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
