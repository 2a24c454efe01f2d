"""Plotly figures of a sweep for the Experiments page (Optuna's own where they fit)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from core.sweep.report import complete


def parallel_coordinates(study):
    """Optuna's parallel-coordinates plot of the finished trials (objective: test accuracy)."""
    import optuna

    fig = optuna.visualization.plot_parallel_coordinate(study, target_name="test accuracy")
    fig.update_layout(height=420, margin=dict(l=40, r=40, t=60, b=30))
    return fig


def history(study):
    """Optuna's optimisation history: accuracy per trial and the best so far."""
    import optuna

    fig = optuna.visualization.plot_optimization_history(study, target_name="test accuracy")
    fig.update_layout(height=340, margin=dict(l=40, r=20, t=50, b=30))
    return fig


def importance_bars(importances: dict):
    """Horizontal bars of parameter importance (fANOVA share of accuracy variance)."""
    names = list(importances)[::-1]
    fig = go.Figure(go.Bar(x=[importances[n] for n in names], y=names, orientation="h",
                           text=[f"{importances[n]:.2f}" for n in names], textposition="auto"))
    fig.update_layout(title="Parameter importance for test accuracy (fANOVA)", height=120 + 30 * len(names),
                      xaxis_title="importance", margin=dict(l=40, r=20, t=50, b=30))
    return fig


def effect(rows: list[dict], dim: str, effect_info: dict):
    """Accuracy vs value and training time vs value for one dimension: every trial and the mean."""
    done = [r for r in complete(rows) if dim in r["params"]]
    fig = make_subplots(rows=1, cols=2, subplot_titles=("test accuracy", "training seconds"))
    categorical = any(isinstance(r["params"][dim], str) for r in done)
    xs = [str(r["params"][dim]) if categorical else r["params"][dim] for r in done]
    hover = [f"trial {r['number']}" for r in done]
    fig.add_trace(go.Scatter(x=xs, y=[r["test_accuracy"] for r in done], mode="markers", name="trials",
                             marker=dict(opacity=0.55), text=hover), 1, 1)
    fig.add_trace(go.Scatter(x=xs, y=[r["seconds"] for r in done], mode="markers", name="trials",
                             marker=dict(opacity=0.55), text=hover, showlegend=False), 1, 2)
    vals = effect_info["values"]
    vx = [str(v["value"]) if categorical else v["value"] for v in vals]
    fig.add_trace(go.Scatter(x=vx, y=[v["mean_accuracy"] for v in vals], mode="lines+markers", name="mean"),
                  1, 1)
    fig.add_trace(go.Scatter(x=vx, y=[v["mean_seconds"] for v in vals], mode="lines+markers", name="mean",
                             showlegend=False), 1, 2)
    numeric = not categorical and all(isinstance(v, (int, float)) for v in xs)
    log = numeric and xs and min(xs) > 0 and max(xs) / min(xs) >= 50
    for col in (1, 2):
        fig.update_xaxes(title_text=dim, type="log" if log else None, row=1, col=col)
    fig.update_layout(height=320, margin=dict(l=40, r=20, t=40, b=40), legend=dict(orientation="h"))
    return fig


def accuracy_vs_time(rows: list[dict], color_by: str | None = None):
    """Test accuracy against training seconds, one point per finished trial."""
    done = complete(rows)
    color = [str(r["params"].get(color_by)) for r in done] if color_by else None
    fig = go.Figure()
    groups = sorted(set(color)) if color else [None]
    for g in groups:
        sel = [r for i, r in enumerate(done) if color is None or color[i] == g]
        fig.add_trace(go.Scatter(
            x=[r["seconds"] for r in sel], y=[r["test_accuracy"] for r in sel], mode="markers",
            name=f"{color_by}={g}" if g is not None else "trials",
            text=[f"trial {r['number']}: " + ", ".join(f"{k}={v}" for k, v in r["params"].items()) for r in sel],
            hovertemplate="%{text}<br>%{x:.1f} s, %{y:.2%}<extra></extra>"))
    fig.update_layout(title="Accuracy vs training time", xaxis_title="training seconds",
                      yaxis_title="test accuracy", height=400, margin=dict(l=40, r=20, t=50, b=40))
    return fig
