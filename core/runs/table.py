"""The runs table of the Train page, and finding the run a page should re-attach to."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from core.runs import rundir
from core.runs.plots import format_duration

COLUMNS = ("run", "status", "dataset", "preset", "best test acc", "epochs", "duration", "started")


def table_rows(summaries: list[dict]) -> list[dict]:
    """Display rows (see `COLUMNS`) for `core.runs.rundir.list_runs` summaries, in the same order.

    Accuracy is a fraction (the page formats it as a percentage); epochs reads 'done/planned'.
    """
    rows = []
    for s in summaries:
        started = s.get("started")
        planned = s.get("epochs")
        rows.append({
            "run": s["run"],
            "status": s.get("state", "unknown"),
            "dataset": s.get("dataset", ""),
            "preset": s.get("preset", ""),
            "best test acc": s.get("best_test_accuracy"),
            "epochs": f"{s.get('epochs_done', 0)}/{planned}" if planned else str(s.get("epochs_done", 0)),
            "duration": format_duration(s.get("duration_s")) if s.get("duration_s") is not None else "",
            "started": datetime.fromtimestamp(started).strftime("%Y-%m-%d %H:%M:%S") if started else "",
        })
    return rows


def newest_active_run(root: Path, kinds: tuple = ("train",)) -> Path | None:
    """The most recently started queued/running run of one of `kinds` under `root`, or None.

    This is how a page re-attaches to a run after a reload: the worker keeps going in its own
    process, and its directory says it is still active.
    """
    for summary in rundir.list_runs(root):
        if summary["state"] in rundir.ACTIVE_STATES and summary.get("kind", "train") in kinds:
            return Path(summary["path"])
    return None


def run_label(summary: dict) -> str:
    """A one-line label for a run in pickers: name, state and best accuracy."""
    acc = summary.get("best_test_accuracy")
    acc_text = f", best {acc:.2%}" if isinstance(acc, float) else ""
    return f"{summary['run']} ({summary.get('state', 'unknown')}{acc_text})"
