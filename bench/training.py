"""Training benchmark: throughput of the assignment net on a 60k epoch against this machine's peak,
and wall-clock seconds from start to 99.0% test accuracy for each preset.

    python -m bench.training [--presets assignment,fast,pytorch-tutorial] [--max-epochs 15] [--skip-99]

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
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
sys.path.insert(0, str(ROOT))


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


def epoch_throughput(batch_size: int = 128) -> dict:
    """Images/s of one full 60k-image training epoch of the assignment net (after a warm-up)."""
    import keras

    from core.nets.config import preset
    from core.data.datasets import load_dataset
    from core.nets.inputs import to_batch
    from core.nets.network import build_model, forward_flops

    keras.utils.set_random_seed(0)
    data = load_dataset("mnist")
    x = to_batch(data.x_train)
    y = keras.utils.to_categorical(data.y_train, 10)
    model = build_model(preset("assignment").with_overrides(batch_size=batch_size))
    model.fit(x[:batch_size * 20], y[:batch_size * 20], batch_size=batch_size, epochs=1, verbose=0)
    t0 = time.perf_counter()
    model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
    seconds = time.perf_counter() - t0
    flops = forward_flops(model)
    return {"batch_size": batch_size, "epoch_seconds": round(seconds, 2),
            "images_per_s": round(len(x) / seconds, 1),
            "forward_mflop_per_image": round(flops / 1e6, 2),
            "train_gflops_achieved": round(3 * flops * len(x) / seconds / 1e9, 1)}


def seconds_to_99(name: str, max_epochs: int) -> dict:
    """Train a preset on full MNIST in a worker process until test accuracy >= 0.99 (or max epochs)."""
    from core.runs import rundir
    from core.nets.config import preset
    from core.runs.jobs import start_run, stop_run, wait_for
    from core.runs.training import make_train_config

    with tempfile.TemporaryDirectory() as tmp:
        config = make_train_config(preset(name).with_overrides(epochs=max_epochs))
        t0 = time.time()
        run = start_run(config, root=Path(tmp), queue=False)
        reached = {}

        def watch():
            while rundir.read_status(run).get("state") not in rundir.FINAL_STATES:
                for row in rundir.read_metrics(run):
                    if row["test_accuracy"] >= 0.99 and not reached:
                        reached.update(epoch=row["epoch"], seconds=round(row["time"] - t0, 1))
                        stop_run(run)
                time.sleep(0.5)

        thread = threading.Thread(target=watch, daemon=True)
        thread.start()
        status = wait_for(run, timeout_s=3600)
        thread.join(5)
        metrics = rundir.read_metrics(run)
    return {"preset": name, "reached_99": bool(reached), "epochs": reached.get("epoch"),
            "seconds": reached.get("seconds"), "state": status.get("state"),
            "best_test_accuracy": max((m["test_accuracy"] for m in metrics), default=None),
            "epoch_seconds_median": sorted(m["seconds"] for m in metrics)[len(metrics) // 2] if metrics else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", default="assignment,fast,pytorch-tutorial")
    parser.add_argument("--max-epochs", type=int, default=15)
    parser.add_argument("--skip-99", action="store_true", help="only measure throughput and peak")
    args = parser.parse_args(argv)
    peak = matmul_gflops()
    epoch = epoch_throughput()
    result = {
        "benchmark": "training",
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "matmul_gflops": round(peak, 1),
        "assignment_epoch": epoch,
        "fraction_of_peak": round(epoch["train_gflops_achieved"] / peak, 3),
    }
    if not args.skip_99:
        result["to_99_percent"] = [seconds_to_99(p, args.max_epochs) for p in args.presets.split(",")]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
