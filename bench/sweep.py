"""Sweep benchmark: trials per minute and per-trial overhead of a 20-trial sweep on 10k images.

    python -m bench.sweep [--trials 20] [--train-subset 10000] [--test-subset 2000] [--recycle K]
                          [--fresh-trials 0] [--code DIR]

Runs `python -m core sweep run` (the real process model, with the CLI's own `--recycle` default
unless one is given) in a temporary workspace, random search over filters, dense units and learning
rate, 1 epoch each. Every second of the sweep's wall time is put in one place, from the trials' own
records (Optuna's ask/tell times, `wall_start`, the metric rows with their fit, evaluation and save
seconds):

- fitting (`fit_seconds`; its first call also traces the train step: `median_fit_first_call_extra_s`),
- evaluating on the training and test slices (the trial's result, not overhead),
- `startup_s`: command start to the first trial's ask (driver start, study set-up, the trial
  process's start, TensorFlow import and data load),
- in-trial overhead: ask to tell minus fit and evaluation (run directory, model build, the epoch-0
  and per-epoch saves, TensorBoard events, histograms, Optuna round trips),
- gaps between one trial's tell and the next one's ask (Keras session clearing, driver polling,
  trial processes replaced), and `teardown_s` after the last tell.

`overhead_fraction_excluding_evaluation` is the share of the sweep's wall time that is neither fitting
nor evaluating, the figure issue 11 targets. Startup is paid once per sweep, so the fraction of a
short sweep (a few trials) overstates what a trial costs; `steady_state_overhead_fraction` leaves the
startup and teardown out (what each further trial adds). `--fresh-trials N` repeats N trials with a
fresh process per trial (`--recycle 1`). `--code DIR` runs another checkout's code (e.g. the main
branch) under this benchmark, for a before/after pair. Prints one JSON object.
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


def run_sweep(home: Path, study: str, args, recycle: int | None, code: Path = ROOT) -> dict:
    """Run one sweep of `args.trials` trials through the CLI of checkout `code` and measure it."""
    space = home / f"{study}.json"
    space.write_text(json.dumps({**SPACE, "train_subset": args.train_subset, "test_subset": args.test_subset}))
    env = dict(os.environ, LAB_HOME=str(home), PYTHONPATH=str(code))
    cmd = [sys.executable, "-m", "core", "sweep", "run", "--space", str(space), "--strategy", "random",
           "--trials", str(args.trials), "--study", study, "--json"]
    t0 = time.time()
    done = subprocess.run(cmd + (["--recycle", str(recycle)] if recycle else []), cwd=code, env=env,
                          capture_output=True, text=True)
    t_end = time.time()
    if done.returncode != 0:
        raise SystemExit(f"sweep failed: {done.stderr[-2000:]}")
    os.environ["LAB_HOME"] = str(home)
    from core.sweep import report, storage

    rows = sorted((r for r in report.trial_rows(storage.load_study(study)) if r["state"] == "COMPLETE"),
                  key=lambda r: r["started"])
    return {"recycle": recycle or "CLI default", **account(rows, t0, t_end)}


def _trial_parts(row: dict) -> dict:
    """One finished trial's seconds: ask to tell, fitting, evaluating, saving, first fit call's extra."""
    from core.runs import rundir

    metrics = rundir.read_metrics(row["run_dir"])
    progress = rundir.read_json(Path(row["run_dir"]) / "progress.json", {}) or {}
    fit = sum(m.get("fit_seconds", m["seconds"]) for m in metrics)
    evaluate = sum(m.get("eval_seconds", 0.0) for m in metrics)
    traced = (progress.get("first_step_s") or 0.0) - (progress.get("batch_s") or 0.0)
    return {"ask_to_tell": row["finished"] - row["started"], "fit": fit, "eval": evaluate,
            "save": sum(m.get("save_seconds", 0.0) for m in metrics), "first_call_extra": traced}


def account(rows: list[dict], t0: float, t_end: float) -> dict:
    """Where the sweep's wall time `t0`..`t_end` went, from its completed trial rows (sorted by start)."""
    wall, parts = t_end - t0, [_trial_parts(r) for r in rows]
    fit, evaluate = sum(p["fit"] for p in parts), sum(p["eval"] for p in parts)
    in_trial = [p["ask_to_tell"] - p["fit"] - p["eval"] for p in parts]
    gaps = [b["started"] - a["finished"] for a, b in zip(rows, rows[1:])]
    startup, teardown = rows[0]["started"] - t0, t_end - rows[-1]["finished"]
    # each further trial costs its own overhead plus one gap (the mean: process replacements included)
    steady = sum(in_trial) + len(rows) * (sum(gaps) / len(gaps) if gaps else 0.0)
    steady_wall = fit + evaluate + steady
    med = lambda values: round(statistics.median(values), 3) if values else None  # noqa: E731
    return {
        "trials": len(rows), "sweep_wall_s": round(wall, 2),
        "trials_per_minute": round(60 * len(rows) / wall, 2),
        "median_trial_wall_s": med([p["ask_to_tell"] for p in parts]),
        "median_training_s": med([p["fit"] for p in parts]),
        "median_fit_first_call_extra_s": med([p["first_call_extra"] for p in parts]),
        "median_evaluate_s": med([p["eval"] for p in parts]),
        "median_save_s": med([p["save"] for p in parts]),
        "startup_s": round(startup, 2),
        "median_in_trial_overhead_excluding_evaluation_s": med(in_trial),
        "median_gap_between_trials_s": med(gaps), "max_gap_between_trials_s": round(max(gaps, default=0), 2),
        "teardown_s": round(teardown, 2),
        "per_trial_overhead_excluding_evaluation_s": round((wall - fit - evaluate) / len(rows), 3),
        "overhead_fraction_excluding_evaluation": round((wall - fit - evaluate) / wall, 3),
        "steady_state_overhead_fraction": round(steady / steady_wall, 3),
        "best_test_accuracy": round(max(r["test_accuracy"] for r in rows), 4),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--train-subset", type=int, default=10000)
    parser.add_argument("--test-subset", type=int, default=2000)
    parser.add_argument("--recycle", type=int, default=None,
                        help="trials per trial process (default: the CLI's default)")
    parser.add_argument("--fresh-trials", type=int, default=0,
                        help="also run N trials with a fresh process each (default 0: skip)")
    parser.add_argument("--code", type=Path, default=ROOT,
                        help="checkout whose `python -m core sweep run` is measured (default: this one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        home = Path(tmp)
        result = {"benchmark": "sweep", "machine": platform.machine(), "cpus": os.cpu_count(),
                  "code": str(args.code.resolve()), "load_average_at_start": os.getloadavg()[0],
                  "train_subset": args.train_subset, "test_subset": args.test_subset, "epochs": 1}
        result["sweep"] = run_sweep(home, "bench", args, args.recycle, args.code.resolve())
        if args.fresh_trials:
            fresh = argparse.Namespace(**{**vars(args), "trials": args.fresh_trials})
            result["fresh_process_per_trial"] = run_sweep(home, "bench-fresh", fresh, 1, args.code.resolve())
        result["load_average_at_end"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
