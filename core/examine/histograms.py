"""Weight and bias histograms per layer: from a model now, and per epoch from a run directory.

A training run stores `histograms/epoch_NNN.npz` after every epoch (epoch_000 = the initial
weights): for every weight tensor `<layer>/<param>` two arrays, `<layer>/<param>/counts` and
`<layer>/<param>/edges`. Histograms instead of raw weights keep a run directory small (the
assignment net's dense layer alone has 590k weights per epoch). Older runs without that folder
still have `filters/` (first conv layer only), which `load_epoch_histograms` falls back to.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import files
from core.runs import rundir

BINS = 60


def layer_weights(model) -> dict[str, dict[str, np.ndarray]]:
    """{layer name: {"kernel": array, "bias": array, ...}} for every layer that has weights."""
    out = {}
    for layer in model.layers:
        weights = {}
        for var in layer.weights:
            param = var.path.rsplit("/", 1)[-1] if hasattr(var, "path") else var.name.split(":")[0]
            weights[param] = np.asarray(var.numpy() if hasattr(var, "numpy") else var)
        if weights:
            out[layer.name] = weights
    return out


def histogram(values: np.ndarray, bins: int = BINS) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of the values; a constant tensor (e.g. zero biases) gets a narrow range."""
    values = np.asarray(values, dtype=np.float64).ravel()
    lo, hi = (float(values.min()), float(values.max())) if values.size else (0.0, 0.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5e-3, hi + 0.5e-3
    return np.histogram(values, bins=bins, range=(lo, hi))


def model_histograms(model, bins: int = BINS) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{"<layer>/<param>": (counts, edges)} for every weight tensor of `model`."""
    return {f"{layer}/{param}": histogram(values, bins)
            for layer, params in layer_weights(model).items() for param, values in params.items()}


def save_epoch_histograms(run_dir: Path, epoch: int, model, group: files.AtomicGroup | None = None) -> None:
    """Store the histograms of every weight tensor after `epoch` (0 = before training), atomically.

    With `group`, the file is staged there and appears together with the epoch's other saves.
    """
    path = Path(run_dir) / "histograms" / f"epoch_{epoch:03d}.npz"
    arrays = {}
    for key, (counts, edges) in model_histograms(model).items():
        arrays[f"{key}/counts"], arrays[f"{key}/edges"] = counts, edges
    if group is None:
        files.atomic_write(path, lambda tmp: np.savez(tmp, **arrays))
    else:
        np.savez(group.stage(path), **arrays)


def load_epoch_histograms(run_dir: Path) -> dict[int, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """{epoch: {"<layer>/<param>": (counts, edges)}} of a run, oldest epoch first.

    Falls back to the first conv layer's stored filters (`filters/`) for runs without histograms.
    """
    out = {}
    for path in sorted((Path(run_dir) / "histograms").glob("epoch_*.npz")):
        try:
            with np.load(path, allow_pickle=False) as data:
                keys = sorted({name.rsplit("/", 1)[0] for name in data.files})
                out[int(path.stem.split("_")[1])] = {k: (data[f"{k}/counts"], data[f"{k}/edges"]) for k in keys}
        except (OSError, ValueError, KeyError):
            continue
    if out:
        return out
    for epoch, weights in rundir.load_epoch_filters(run_dir).items():
        out[epoch] = {"conv1/kernel": histogram(weights["kernel"]), "conv1/bias": histogram(weights["bias"])}
    return out


def tensor_summary(values: np.ndarray, bins: int = BINS) -> dict:
    """What the Weights tab shows of one tensor: {"size", "mean", "std", "counts", "edges"}."""
    values = np.asarray(values)
    counts, edges = histogram(values, bins)
    return {"size": int(values.size), "mean": float(values.mean()) if values.size else 0.0,
            "std": float(values.std()) if values.size else 0.0, "counts": counts, "edges": edges}


def weight_summaries(model) -> dict[str, dict[str, dict]]:
    """{layer: {param: `tensor_summary`}} for every layer that has weights, in layer order."""
    return {layer: {param: tensor_summary(values) for param, values in params.items()}
            for layer, params in layer_weights(model).items()}


def layer_figure(params: dict[str, dict], layer: str):
    """Side-by-side histograms of one layer's tensors (kernel, bias, ...) with mean and std in the titles.

    Args:
        params: {param: `tensor_summary`} of the layer (one entry of `weight_summaries`).
        layer: the layer's name, the figure's title.
    """
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    names = list(params)
    titles = [f"{n} ({params[n]['size']:,} values, mean {params[n]['mean']:.3g}, std {params[n]['std']:.3g})"
              for n in names]
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=titles)
    for i, name in enumerate(names, start=1):
        counts, edges = params[name]["counts"], params[name]["edges"]
        centers = (edges[:-1] + edges[1:]) / 2
        fig.add_trace(go.Bar(x=centers, y=counts, width=np.diff(edges), name=name, marker_color="#1f77b4",
                             hovertemplate="%{x:.4f}: %{y}<extra></extra>"), row=1, col=i)
        fig.update_xaxes(title_text="value", row=1, col=i)
    fig.update_yaxes(title_text="count", row=1, col=1)
    fig.update_layout(height=300, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      title_text=f"{layer}", title_font_size=14, bargap=0)
    return fig


def epochs_figure(history: dict[int, dict], key: str):
    """How one tensor's histogram changed over the epochs: one density line per epoch, light to dark.

    Args:
        history: `load_epoch_histograms` output.
        key: "<layer>/<param>".

    Returns:
        A plotly Figure with one trace per stored epoch that has `key`, named "epoch N"; epochs in
        which the tensor held a single value (zero-initialised biases) are named in a note instead.
    """
    import plotly.graph_objects as go
    from plotly.colors import sample_colorscale

    epochs = [e for e in sorted(history) if key in history[e]]
    colors = sample_colorscale("Viridis", [i / max(1, len(epochs) - 1) for i in range(len(epochs))])
    fig = go.Figure()
    constant = []
    for epoch, color in zip(epochs, colors):
        counts, edges = history[epoch][key]
        if np.count_nonzero(counts) <= 1:  # e.g. zero-initialised biases: a spike that flattens the rest
            constant.append(f"epoch {epoch}: all {float((edges[0] + edges[-1]) / 2):.3g}")
            continue
        widths = np.diff(edges)
        density = counts / max(1, counts.sum()) / widths
        fig.add_trace(go.Scatter(x=(edges[:-1] + edges[1:]) / 2, y=density, mode="lines",
                                 line={"color": color, "width": 2 if epoch == epochs[-1] else 1.2},
                                 name=f"epoch {epoch}", hovertemplate="%{x:.4f}<extra>epoch " + str(epoch) + "</extra>"))
    if constant:
        fig.add_annotation(text="not drawn (one value): " + "; ".join(constant), xref="paper", yref="paper",
                           x=0, y=1.08, showarrow=False, font={"size": 11}, xanchor="left")
    fig.update_layout(height=320, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title_text=f"{key} across epochs",
                      title_font_size=14, xaxis_title="value", yaxis_title="density")
    return fig


def epoch_stats(history: dict[int, dict], key: str) -> list[dict]:
    """Mean and standard deviation of one tensor per epoch, estimated from its histogram."""
    rows = []
    for epoch in sorted(history):
        if key not in history[epoch]:
            continue
        counts, edges = history[epoch][key]
        centers = (edges[:-1] + edges[1:]) / 2
        n = max(1, counts.sum())
        mean = float((counts * centers).sum() / n)
        std = float(np.sqrt(max(0.0, (counts * (centers - mean) ** 2).sum() / n)))
        rows.append({"epoch": epoch, "mean": mean, "std": std, "min": float(edges[0]), "max": float(edges[-1])})
    return rows
