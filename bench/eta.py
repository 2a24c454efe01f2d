"""ETA benchmark: how far the Train page's "about N left" is from the truth during a real run.

    python -m bench.eta [--preset quick] [--train-subset N] [--epochs E] [--save FILE]

Starts a background run (`start_run`, as the Train page does), reads its status, progress and
metrics files every 0.5 s as a polling page would, and once the run is over compares each shown
estimate with the time that was really left. Reports the worst ratio (estimate / truth, or its
inverse) after 5% of the first epoch while more than 2 s are left, for `core.runs.plots.progress_view` and for the formula the
lab used before (elapsed time per batch, tracing included, times batches left, no evaluation).
`--save` writes the recording (the unit test `tests/unit/test_eta_recorded.py` replays one).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
sys.path.insert(0, str(ROOT))


def record(config: dict, root: Path, poll_s: float = 0.5) -> dict:
    """Run `config` in the background and sample what a page polling it would read."""
    from core.runs import jobs, rundir

    t0 = time.time()
    run = jobs.start_run(config, root=root, queue=False)
    samples = []
    while True:
        status = rundir.read_status(run)
        samples.append({"now": time.time(), "status": status, "progress": rundir.read_progress(run),
                        "metrics": rundir.read_metrics(run)})
        if status.get("state") in rundir.FINAL_STATES:
            break
        time.sleep(poll_s)
    # the end is when the worker recorded it, not when the next poll (up to `poll_s` later) saw it
    ended = float(samples[-1]["status"].get("finished") or samples[-1]["now"])
    return {"started": t0, "ended": ended, "state": samples[-1]["status"].get("state"), "samples": samples}


def old_eta(progress: dict, metrics: list) -> float | None:
    """The estimate the lab showed before: elapsed per batch (tracing included), no evaluation."""
    batch, batches = int(progress.get("batch") or 0), int(progress.get("batches") or 0)
    if not batch or not batches:
        return None
    per_batch = (progress.get("epoch_elapsed_s") or 0.0) / batch
    done = len(metrics)
    per_epoch = sum(m["seconds"] for m in metrics) / done if done else per_batch * batches
    left = 0.0 if batch >= batches else per_batch * (batches - batch)
    return left + max(0, int(progress["epochs"]) - int(progress["epoch"])) * per_epoch


def worst_ratios(recording: dict, min_fraction: float = 0.05) -> dict:
    """Worst estimate/truth ratio (>= 1 either way) over samples past `min_fraction` of the first epoch."""
    from core.runs.plots import progress_view

    worst = {"now": 1.0, "before": 1.0}
    first = {}
    for s in recording["samples"]:
        p, status = s["progress"], s["status"]
        if status.get("state") != "running" or not p or not p.get("batches"):
            continue
        if int(p["epoch"]) == 1 and p["batch"] / p["batches"] < min_fraction:
            continue
        truth = recording["ended"] - s["now"]
        for name, eta in (("now", progress_view(status, p, s["metrics"], now=s["now"])["eta_s"]),
                          ("before", old_eta(p, s["metrics"]))):
            if eta is None or truth < 2.0:  # the last 2 s: an absolute error, not a ratio, is what matters
                continue
            ratio = max(eta / truth, truth / eta) if eta > 0 else float("inf")
            worst[name] = max(worst[name], ratio)
            first.setdefault(name, {"estimate_s": round(eta, 1), "truth_s": round(truth, 1)})
    return {"worst_ratio_after_5_percent": {k: round(v, 2) for k, v in worst.items()},
            "first_estimate_after_5_percent": first}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--train-subset", type=int, default=None)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--save", type=Path, help="write the recording to this JSON file")
    args = parser.parse_args(argv)
    from core.nets.config import preset
    from core.runs.training import make_train_config

    net = preset(args.preset)
    net = net.with_overrides(epochs=args.epochs) if args.epochs else net
    with tempfile.TemporaryDirectory(prefix="bench-eta-") as home:
        os.environ["LAB_HOME"] = home
        recording = record(make_train_config(net, train_subset=args.train_subset), Path(home))
    if args.save:
        args.save.write_text(json.dumps(recording))
    print(json.dumps({"benchmark": "eta", "preset": args.preset, "train_subset": args.train_subset,
                      "run_s": round(recording["ended"] - recording["started"], 1), "state": recording["state"],
                      **worst_ratios(recording)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
