"""What a sweep found: trial rows, progress, per-dimension effects, importance and hypotheses.

Everything reads the Optuna storage and the run directories only (never a running optimiser), so
the Experiments page can poll a sweep that another process drives.
"""

from __future__ import annotations

import math
import statistics
import time
from pathlib import Path

from core.runs import rundir
from core.runs.liveness import is_alive
from core.sweep import storage

ROW_KEYS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss", "seconds", "wall_seconds",
            "param_count", "status", "error", "run_dir", "host", "retry_of")


def trial_rows(study) -> list[dict]:
    """One dict per trial: number, state (Optuna's name), params, metrics, seconds, run_dir, error."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        row = {"number": t.number, "state": t.state.name, "params": dict(t.params)}
        row.update({k: t.user_attrs.get(k) for k in ROW_KEYS})
        if row["test_accuracy"] is None and t.value is not None:
            row["test_accuracy"] = t.value
        row["started"] = t.datetime_start.timestamp() if t.datetime_start else None
        row["finished"] = t.datetime_complete.timestamp() if t.datetime_complete else None
        row["has_model"] = bool(row["run_dir"]) and (Path(row["run_dir"]) / "model.keras").is_file()
        rows.append(row)
    return rows


def complete(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["state"] == "COMPLETE" and r["test_accuracy"] is not None]


def best_row(rows: list[dict]) -> dict | None:
    """The completed trial with the highest test accuracy (fewest seconds breaks ties)."""
    done = complete(rows)
    return max(done, key=lambda r: (r["test_accuracy"], -(r["seconds"] or 0))) if done else None


def driver_state(name: str) -> dict:
    """The `sweep run` process of a local study: state running|finished|stopped|failed|killed|none, pid.

    `killed` (read, never written) when it is recorded as running but shows no life: its pid is
    gone on this host, or on any host its heartbeat is older than `core.runs.liveness.STALE_S`.
    """
    folder = storage.study_dir(name, create=False)
    info = rundir.read_json(folder / "driver.json", {}) or {}
    if info.get("state") == "running":
        beat = (rundir.read_json(folder / storage.DRIVER_BEAT, {}) or {}).get("time") or 0
        if not is_alive(info.get("host"), info.get("pid"), max(beat, info.get("started") or 0) or None):
            info["state"] = "killed"
    info.setdefault("state", "none")
    info["stop_requested"] = (folder / "STOP").exists()
    return info


def progress(rows: list[dict], n_trials: int, running: bool) -> dict:
    """Trials done, running, failed, best so far and an ETA from the median trial wall time."""
    done = [r for r in rows if r["state"] in ("COMPLETE", "PRUNED")
            or (r["state"] == "FAIL" and r["status"] != "interrupted")]
    walls = [r["finished"] - r["started"] for r in done if r["finished"] and r["started"]]
    remaining = max(n_trials - len(done), 0)
    best = best_row(rows)
    median = statistics.median(walls) if walls else None
    return {
        "done": len(done), "n_trials": n_trials, "remaining": remaining,
        "running": sum(r["state"] == "RUNNING" for r in rows),
        "failed": sum(r["state"] == "FAIL" and r["status"] != "interrupted" for r in rows),
        "interrupted": sum(r["status"] == "interrupted" for r in rows),
        "best_accuracy": best["test_accuracy"] if best else None,
        "best_params": best["params"] if best else None,
        "median_trial_s": median,
        "eta_s": median * remaining if (median and running) else None,
        "time": time.time(),
    }


def _sort_key(value):
    return (0, value, "") if isinstance(value, (int, float)) else (1, 0, str(value))


def dimension_effects(rows: list[dict], dims: list[str]) -> dict:
    """Per dimension: mean/max accuracy and mean seconds per value, and the spread of the means.

    Returns:
        {dim: {"values": [{"value", "n", "mean_accuracy", "max_accuracy", "mean_seconds"}],
        "spread": max-min mean accuracy, "best_value", "summary": a sentence}}.
    """
    done = complete(rows)
    out = {}
    for dim in dims:
        groups: dict = {}
        for r in done:
            if dim in r["params"]:
                groups.setdefault(r["params"][dim], []).append(r)
        values = []
        for value in sorted(groups, key=_sort_key):
            g = groups[value]
            secs = [x["seconds"] for x in g if x["seconds"] is not None]
            values.append({"value": value, "n": len(g),
                           "mean_accuracy": statistics.fmean(x["test_accuracy"] for x in g),
                           "max_accuracy": max(x["test_accuracy"] for x in g),
                           "mean_seconds": statistics.fmean(secs) if secs else None})
        out[dim] = _effect(dim, values)
    return out


def _effect(dim: str, values: list[dict]) -> dict:
    if len(values) < 2:
        return {"values": values, "spread": None, "best_value": values[0]["value"] if values else None,
                "summary": f"Not enough finished trials with different {dim} values to measure an effect."}
    best = max(values, key=lambda v: v["mean_accuracy"])
    worst = min(values, key=lambda v: v["mean_accuracy"])
    spread = best["mean_accuracy"] - worst["mean_accuracy"]
    secs = [v for v in values if v["mean_seconds"] is not None]
    time_text = ""
    if len(secs) >= 2:
        fast, slow = min(secs, key=lambda v: v["mean_seconds"]), max(secs, key=lambda v: v["mean_seconds"])
        time_text = (f" Training time ranges from {fast['mean_seconds']:.1f} s ({dim}={fast['value']}) "
                     f"to {slow['mean_seconds']:.1f} s ({dim}={slow['value']}).")
    return {"values": values, "spread": spread, "best_value": best["value"],
            "summary": (f"Best mean accuracy {best['mean_accuracy']:.2%} at {dim}={best['value']}, worst "
                        f"{worst['mean_accuracy']:.2%} at {dim}={worst['value']} (spread "
                        f"{spread * 100:.2f} points).{time_text}")}


def hypothesis_table(rows: list[dict], dims: list[str], hypotheses: dict) -> list[dict]:
    """One row per dimension: the user's hypothesis beside the measured effect."""
    effects = dimension_effects(rows, dims)
    return [{"dimension": d, "hypothesis": hypotheses.get(d) or "(none written)",
             "measured": effects[d]["summary"], "best_value": effects[d]["best_value"],
             "spread_points": None if effects[d]["spread"] is None else round(effects[d]["spread"] * 100, 2)}
            for d in dims]


def importance(study) -> tuple[dict | None, str | None]:
    """Optuna's parameter importances (fANOVA), or (None, why not) when there is too little to go on."""
    import optuna

    done = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(done) < 4:
        return None, f"Parameter importance needs at least 4 finished trials ({len(done)} so far)."
    varied = [p for p in done[0].params if len({str(t.params.get(p)) for t in done}) > 1]
    if not varied:
        return None, "Parameter importance needs trials that differ in at least one dimension."
    try:
        result = optuna.importance.get_param_importances(study)
    except (RuntimeError, ValueError) as exc:
        return None, f"Optuna could not compute importances: {exc}"
    if not result or any(isinstance(v, float) and math.isnan(v) for v in result.values()):
        return None, "Optuna could not compute importances from these trials."
    return dict(result), None


def show_rows(rows: list[dict]) -> list[dict]:
    """The `sweep show --json` objects: number, state, params, test_accuracy, seconds, run_dir (and more)."""
    keys = ("number", "state", "params", "test_accuracy", "seconds", "run_dir", "train_accuracy",
            "test_loss", "param_count", "status", "error")
    return [{k: r.get(k) for k in keys} for r in rows]
