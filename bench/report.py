"""Benchmark: `python -m core report` for the default model plus a 60-trial study, on this machine.

The report reads a study's trials, it does not train them, so the study is stored here through Optuna's
public API (as `sweep run` stores one) over the example space's 12 dimensions, with made-up accuracies.
Prints one JSON object: seconds per stage and in total, with the load average beside them.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPACE = ROOT / "assets" / "sweeps" / "assignment_space.json"


def _made_up(params: dict, rng) -> tuple[float, float]:
    return float(min(0.999, 0.95 + 0.01 * rng.standard_normal())), float(5 + 20 * rng.random())


def make_study(name: str, space: dict, trials: int, seed: int = 0, outcome=_made_up) -> None:
    """Store a finished sweep `name` of `trials` random points of `space` in this workspace.

    Args:
        name: the study name.
        space: a search space dict (as in assets/sweeps/*.json), with its hypotheses.
        trials: how many finished trials to store.
        seed: seed of the random points. Defaults to 0.
        outcome: callable(params, rng) -> (test accuracy, training seconds). Defaults to made-up numbers.
    """
    import numpy as np
    import optuna

    from core.sweep import storage
    from core.sweep.space import space_from_dict

    values = {n: d.discrete() for n, d in space_from_dict(space).dimensions.items()}
    url = storage.default_storage_url(name)
    storage.study_dir(name)
    study = optuna.create_study(study_name=name, storage=storage.open_storage(url), direction="maximize")
    hypotheses = space.get("hypotheses", {})
    for key, value in (("space", space), ("strategy", "random"), ("n_trials", trials), ("hypotheses", hypotheses)):
        study.set_user_attr(key, value)
    storage.write_sweep_json(name, {"study": name, "storage": url, "strategy": "random", "n_trials": trials,
                                    "space": space, "hypotheses": hypotheses})
    rng = np.random.default_rng(seed)
    dists = {n: optuna.distributions.CategoricalDistribution(v) for n, v in values.items()}
    for _ in range(trials):
        params = {n: v[int(rng.integers(len(v)))] for n, v in values.items()}
        acc, seconds = outcome(params, rng)
        study.add_trial(optuna.trial.create_trial(
            params=params, distributions=dists, value=acc,
            user_attrs={"test_accuracy": acc, "train_accuracy": acc, "seconds": seconds, "status": "ok"}))


def main() -> int:
    os.environ.setdefault("LAB_HOME", tempfile.mkdtemp(prefix="bench-report-"))
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data").is_dir():
        os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
    make_study("bench-60", json.loads(SPACE.read_text()), 60)
    t0 = time.time()
    marks = {}
    from core.report.build import build_report

    out = Path(os.environ["LAB_HOME"]) / "report"
    result = build_report(out, study="bench-60", progress=lambda text: marks.setdefault(text, time.time() - t0))
    total = time.time() - t0
    print(json.dumps({"benchmark": "report", "total_s": round(total, 1),
                      "stages_s": {k: round(v, 1) for k, v in marks.items()}, "files": len(result["files"]),
                      "cpu_count": os.cpu_count(), "load_average": os.getloadavg(),
                      "charts_as_png": "chart_export_note" not in result["numbers"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
