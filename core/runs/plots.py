"""Figures and texts for watching a training run: accuracy/loss curves and batch progress with ETA.

Everything here reads plain run-directory data (metric rows, progress dicts), so the Train page can
redraw it every second without touching TensorFlow.
"""

from __future__ import annotations

import time

TRAIN_COLOR = "#1f77b4"
TEST_COLOR = "#d62728"


def metrics_figure(rows: list[dict], epochs: int | None = None, title: str | None = None):
    """Accuracy and loss per epoch, train and test, side by side.

    Args:
        rows: metric lines of a run (`core.runs.rundir.read_metrics`), one per finished epoch.
        epochs: planned epoch count; fixes the x axis so the curves grow into it. Defaults to None.
        title: optional figure title.

    Returns:
        A `plotly.graph_objects.Figure` with four traces named "train accuracy", "test accuracy",
        "train loss", "test loss" (in that order).
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("Accuracy", "Loss"), horizontal_spacing=0.1)
    x = [r["epoch"] for r in rows]
    for col, metric in ((1, "accuracy"), (2, "loss")):
        for split, color in (("train", TRAIN_COLOR), ("test", TEST_COLOR)):
            fig.add_trace(go.Scatter(
                x=x, y=[r.get(f"{split}_{metric}") for r in rows], mode="lines+markers",
                name=f"{split} {metric}", line={"color": color, "dash": "solid" if split == "test" else "dot"},
                legendgroup=split, hovertemplate=f"epoch %{{x}}<br>{split} {metric} %{{y:.4f}}<extra></extra>",
            ), row=1, col=col)
    last = max([epochs or 0] + x) or 1
    fig.update_xaxes(title_text="epoch", range=[0.5, last + 0.5], dtick=1 if last <= 20 else None)
    fig.update_yaxes(tickformat=".1%", row=1, col=1)
    if not rows:  # empty axes default to odd ranges such as -100%..400%
        fig.update_yaxes(range=[0, 1], row=1, col=1)
        fig.update_yaxes(range=[0, 2.5], row=1, col=2)
    fig.update_layout(height=340, margin={"l": 10, "r": 10, "t": 50 if title else 30, "b": 10},
                      legend={"orientation": "h", "y": -0.25}, title=title)
    return fig


def format_duration(seconds: float | None) -> str:
    """'1 h 02 min', '3 min 05 s', '12 s', or '?' for unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "?"
    seconds = int(round(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


# Until a run's first evaluation has been timed: seconds to evaluate one image relative to training on
# one (measured by bench.training at the evaluation batch of 256: 0.25 for the assignment net, 0.26
# for the quick preset; it was 0.8-0.9 for the quick preset at 1024 behind Keras' autotuned
# pipeline; at today's batch of 512 evaluations take 10-20% less, so the guess errs long, bench.eta's
# worst ratio 1.24), and the cost of tracing the evaluation relative to the first training step (a
# forward graph, about a third).
EVAL_COST_PER_IMAGE = 0.3
EVAL_TRACE_PER_FIRST_STEP = 0.3
SAVE_S = 0.5  # saving model, filters and histograms after an epoch, until a run has timed it


def _evaluation_estimate(progress: dict, metrics: list[dict], fit: float) -> float:
    """Seconds of one epoch's evaluation: its measured pace, else the last one, else a guess."""
    if progress.get("eval_batch_s") is not None and progress.get("eval_batches"):
        return float(progress["eval_batch_s"]) * int(progress["eval_batches"])
    evals = [m["eval_seconds"] for m in metrics if "eval_seconds" in m]
    if evals:
        return min(evals)
    train, evaluated = progress.get("train_images") or 0, progress.get("eval_images") or 0
    trace = EVAL_TRACE_PER_FIRST_STEP * float(progress.get("first_step_s") or 0.0)
    return (EVAL_COST_PER_IMAGE * fit * evaluated / train if train else 0.0) + trace


def _save_estimate(metrics: list[dict]) -> float:
    saves = [m["save_seconds"] for m in metrics if "save_seconds" in m]
    return sum(saves) / len(saves) if saves else SAVE_S


def _estimates(progress: dict, metrics: list[dict]) -> tuple[float | None, float | None]:
    """(seconds per epoch still to come, seconds of one epoch's evaluation)."""
    batch, batches = int(progress.get("batch") or 0), int(progress.get("batches") or 0)
    if progress.get("batch_s") is not None and batches:
        fit = float(progress["batch_s"]) * batches  # the steady pace, without the first step's tracing
        evaluation = _evaluation_estimate(progress, metrics, fit)
        return fit + evaluation + _save_estimate(metrics), evaluation
    if metrics:  # e.g. the first batches of a later epoch, or progress written by an older worker
        evals = [m["seconds"] - m["fit_seconds"] for m in metrics if "fit_seconds" in m and "seconds" in m]
        return sum(m.get("seconds", 0.0) for m in metrics) / len(metrics), min(evals, default=0.0)
    if batch and batches and "batch_s" not in progress:  # an older worker: elapsed time per batch
        return (progress.get("epoch_elapsed_s") or 0.0) / batch * batches, 0.0
    return None, None


def progress_view(status: dict, progress: dict, metrics: list[dict], now: float | None = None) -> dict:
    """What a progress bar shows for a run.

    Args:
        status: the run's status.json (`core.runs.rundir.read_status`).
        progress: the run's progress.json (batch within the current epoch).
        metrics: finished-epoch rows; their durations estimate the time of the epochs still to come.
        now: current time; defaults to `time.time()`.

    Returns:
        {"fraction": 0..1 over the whole run, "text": a one-line description with the ETA,
         "eta_s": seconds left or None}.
    """
    now = time.time() if now is None else now
    state = status.get("state", "unknown")
    epochs = int(progress.get("epochs") or status.get("epochs") or 0)
    done = len(metrics)
    if state == "queued":
        return {"fraction": 0.0, "text": "Queued: waiting for another run to finish.", "eta_s": None}
    if state in ("finished", "stopped", "failed"):
        frac = 1.0 if state == "finished" else (done / epochs if epochs else 0.0)
        return {"fraction": min(1.0, frac), "text": f"{state.capitalize()} after {done} epoch(s).",
                "eta_s": None}
    if not progress:
        return {"fraction": 0.0, "text": "Starting: loading TensorFlow and the data...", "eta_s": None}
    epoch = int(progress.get("epoch") or 1)
    batch, batches = int(progress.get("batch") or 0), int(progress.get("batches") or 0)
    evaluating = epoch <= done or (batches and batch >= batches)
    in_epoch = 1.0 if evaluating else (batch / batches if batches else 0.0)
    fraction = ((epoch - 1) + in_epoch) / epochs if epochs else 0.0
    per_epoch, evaluation = _estimates(progress, metrics)
    eta = _remaining(progress, metrics, epoch, epochs, evaluating, (per_epoch, evaluation), now)
    stage = "evaluating" if evaluating else f"batch {batch}/{batches}"
    text = f"Epoch {epoch}/{epochs}, {stage} - about {format_duration(eta)} left"
    return {"fraction": max(0.0, min(1.0, fraction)), "text": text, "eta_s": eta}


def _remaining(progress, metrics, epoch, epochs, evaluating, estimates, now) -> float | None:
    """Seconds left: the rest of this epoch's fit, its evaluation and saves, then the epochs to come."""
    (per_epoch, evaluation), done = estimates, len(metrics)
    if per_epoch is None:
        return None
    later = max(0, epochs - epoch) * per_epoch
    if epoch <= done:  # this epoch is recorded; the next one has not started yet
        return later
    since = max(0.0, now - float(progress.get("time") or now))
    if evaluating:
        left = progress.get("eval_eta_s")
        left = (evaluation or 0.0) * (1 - int(progress.get("eval_batch") or 0) / int(
            progress.get("eval_batches") or 1)) if left is None else float(left)
        return max(0.0, left - since) + (_save_estimate(metrics) if "batch_s" in progress else 0.0) + later
    fit_left = progress.get("epoch_eta_s")
    if fit_left is None:
        return None
    saves = _save_estimate(metrics) if "batch_s" in progress else 0.0
    return max(0.0, float(fit_left) - since) + (evaluation or 0.0) + saves + later
