"""Task 4: a sweep's plan, hypotheses, results, per-dimension effects, best configurations and time vs accuracy."""

from __future__ import annotations

import json

from core.report.context import Context

KEY = "task4"
BEST = 5  # best configurations listed


def add(report, ctx: Context) -> dict:
    """Add every Task 4 item for `ctx.study` to `report`; returns the numbers report.md states."""
    from core.sweep import report as sweep, storage

    report.section(KEY, f"Task 4: the sweep `{ctx.study}`")
    study = storage.load_study(ctx.study)
    info = storage.read_sweep_json(ctx.study)
    space = study.user_attrs.get("space") or info.get("space") or {}
    dims = list(space.get("dimensions", {}))
    hypotheses = study.user_attrs.get("hypotheses") or info.get("hypotheses") or {}
    rows = sweep.trial_rows(study)
    plan(report, study, space)
    results(report, rows)
    hypotheses_vs_results(report, rows, dims, hypotheses)
    charts(report, rows, dims)
    best = sweep.best_row(rows)
    return {"study": ctx.study, "trials": len(rows), "trials_complete": len(sweep.complete(rows)),
            "best_accuracy": best["test_accuracy"] if best else None, "best_params": best["params"] if best else None}


def plan(report, study, space: dict) -> None:
    rows = [{"dimension": name, "values or range": json.dumps(spec)} for name, spec in space.get("dimensions", {}).items()]
    report.table(KEY, "task4_plan_dimensions", rows, "The plan: dimensions and their values or ranges", inline=True)
    report.text(KEY, f"Strategy **{study.user_attrs.get('strategy', '?')}**, {study.user_attrs.get('n_trials', '?')} "
                     f"trials planned; base network `{space.get('base', '?') if isinstance(space.get('base'), str) else 'custom'}`, "
                     f"{space.get('dataset', 'mnist')} ({space.get('train_subset') or 'all'} training / "
                     f"{space.get('test_subset') or 'all'} test images, {space.get('epochs', '?')} epoch(s) per trial).")


def results(report, rows: list[dict]) -> None:
    from core.sweep import report as sweep

    flat = [{"number": r["number"], "state": r["state"], **{f"param {k}": v for k, v in r["params"].items()},
             "test_accuracy": r.get("test_accuracy"), "train_accuracy": r.get("train_accuracy"),
             "seconds": r.get("seconds"), "param_count": r.get("param_count"), "error": r.get("error") or ""}
            for r in sweep.show_rows(rows)]
    report.table(KEY, "task4_results", flat, f"Results: all {len(rows)} trials")
    done = sorted(sweep.complete(rows), key=lambda r: (-r["test_accuracy"], r["seconds"] or 0))[:BEST]
    best = [{"rank": i + 1, "trial": r["number"], **r["params"], "test_accuracy": r["test_accuracy"],
             "seconds": r["seconds"]} for i, r in enumerate(done)]
    report.table(KEY, "task4_best_configurations", best, f"The {len(best)} best configurations", inline=True)
    if done:
        top = done[0]
        report.text(KEY, f"Best: trial {top['number']}, test accuracy **{top['test_accuracy']:.4f}** in "
                         f"{top['seconds'] or 0:.1f} s, with " + ", ".join(f"{k}={v}" for k, v in top["params"].items()) + ".")


def hypotheses_vs_results(report, rows: list[dict], dims: list[str], hypotheses: dict) -> None:
    from core.sweep import report as sweep

    table = sweep.hypothesis_table(rows, dims, hypotheses)
    report.table(KEY, "task4_hypotheses_vs_results", table, "Each hypothesis beside what the results show",
                 inline=True)


def charts(report, rows: list[dict], dims: list[str]) -> None:
    from core.sweep import figures, report as sweep

    effects = sweep.dimension_effects(rows, dims)
    for dim in dims:
        report.chart(KEY, f"task4_effect_{dim}", figures.effect(rows, dim, effects[dim]), f"Effect of {dim}",
                     effects[dim]["summary"])
    report.chart(KEY, "task4_accuracy_vs_time", figures.accuracy_vs_time(rows), "Time versus accuracy",
                 "Test accuracy against training seconds, one point per finished trial.")
