"""Sweep benchmark: trials per minute and per-trial overhead of a 20-trial sweep on 10k images.

    python -m bench.sweep [--trials 20] [--train-subset 10000] [--test-subset 2000] [--fresh-trials 4]

Runs `python -m core sweep run` (the real process model: one trial process per `--recycle` trials)
in a temporary workspace, random search over filters, dense units and learning rate, 1 epoch each.
Overhead = trial wall time minus its training (fit) seconds, split into setup (data, model build;
the first trial of a process also pays the TensorFlow import) and the per-epoch evaluation on the
training and test slices plus saving the model; driver overhead = sweep wall time minus the trials'
wall times. `overhead_fraction_excluding_evaluation` is the share of the sweep's wall time that is
neither fitting nor evaluating (the evaluation is what a trial reports), the figure issue 11 targets. `--fresh-trials N` repeats N trials with a fresh process per trial
(`--recycle 1`) to show what a TensorFlow import per trial would cost. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
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

SPACE = {"name": "bench", "base": "assignment", "dataset": "mnist", "epochs": 1,
         "dimensions": {"filters": [8, 16, 32], "dense_units": [32, 64, 128],
                        "learning_rate": {"low": 0.0003, "high": 0.003, "log": True}}}


def run_sweep(home: Path, study: str, trials: int, train: int, test: int, recycle: int) -> dict:
    """Run one sweep through the CLI and measure it from its trials' own records."""
    space = home / f"{study}.json"
    space.write_text(json.dumps({**SPACE, "train_subset": train, "test_subset": test}))
    env = dict(os.environ, LAB_HOME=str(home), PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "core", "sweep", "run", "--space", str(space), "--strategy",
                           "random", "--trials", str(trials), "--study", study, "--recycle", str(recycle),
                           "--json"], cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"sweep failed: {done.stderr[-2000:]}")
    os.environ["LAB_HOME"] = str(home)
    from core.sweep import report, storage

    rows = [r for r in report.trial_rows(storage.load_study(study)) if r["state"] == "COMPLETE"]
    from core.runs import rundir

    walls = [r["wall_seconds"] for r in rows]
    fits = [r["seconds"] for r in rows]
    overhead = [w - f for w, f in zip(walls, fits)]
    # train_loop's epoch time = fit + evaluation on the training and test slices + saving the model
    metrics = [rundir.read_metrics(r["run_dir"]) for r in rows]
    epochs = [sum(m["seconds"] for m in ms) for ms in metrics]
    eval_save = [e - f for e, f in zip(epochs, fits)]
    setup = [w - e for w, e in zip(walls, epochs)]
    # the evaluations are the trial's result (its test accuracy), not overhead; older runs lack the split
    evals = [sum(m.get("eval_seconds", m["seconds"] - m["fit_seconds"]) for m in ms) for ms in metrics]
    pure = [w - f - e for w, f, e in zip(walls, fits, evals)]
    return {
        "trials": len(rows), "recycle": recycle, "sweep_wall_s": round(wall, 2),
        "trials_per_minute": round(60 * len(rows) / wall, 2),
        "median_trial_wall_s": round(statistics.median(walls), 3),
        "median_training_s": round(statistics.median(fits), 3),
        "median_in_trial_overhead_s": round(statistics.median(overhead), 3),
        "median_evaluate_and_save_s": round(statistics.median(eval_save), 3),
        "median_setup_s": round(statistics.median(setup), 3),
        "per_trial_overhead_s": round((wall - sum(fits)) / len(rows), 3),
        "median_evaluate_s": round(statistics.median(evals), 3),
        "per_trial_overhead_excluding_evaluation_s": round((wall - sum(fits) - sum(evals)) / len(rows), 3),
        "overhead_fraction_excluding_evaluation": round((wall - sum(fits) - sum(evals)) / wall, 3),
        "median_in_trial_overhead_excluding_evaluation_s": round(statistics.median(pure), 3),
        "driver_and_process_overhead_per_trial_s": round((wall - sum(walls)) / len(rows), 3),
        "best_test_accuracy": round(max(r["test_accuracy"] for r in rows), 4),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--train-subset", type=int, default=10000)
    parser.add_argument("--test-subset", type=int, default=2000)
    parser.add_argument("--recycle", type=int, default=10, help="trials per trial process (default 10)")
    parser.add_argument("--fresh-trials", type=int, default=4,
                        help="also run N trials with a fresh process each (0 to skip)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        home = Path(tmp)
        result = {"benchmark": "sweep", "machine": platform.machine(), "cpus": os.cpu_count(),
                  "load_average_at_start": os.getloadavg()[0], "train_subset": args.train_subset,
                  "test_subset": args.test_subset, "epochs": 1}
        result["recycled"] = run_sweep(home, "bench", args.trials, args.train_subset, args.test_subset,
                                       args.recycle)
        if args.fresh_trials:
            fresh = run_sweep(home, "bench-fresh", args.fresh_trials, args.train_subset, args.test_subset, 1)
            result["fresh_process_per_trial"] = fresh
            result["saved_per_trial_by_recycling_s"] = round(
                fresh["per_trial_overhead_s"] - result["recycled"]["per_trial_overhead_s"], 3)
        result["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
