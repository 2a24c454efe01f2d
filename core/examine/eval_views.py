"""What the Evaluate page shows, computed from an `Evaluation`: tables, the confusion heatmap, galleries."""

from __future__ import annotations

import numpy as np

from core.examine.evaluate import Evaluation


def first_table(evaluation: Evaluation, class_names: list[str], n: int = 10) -> list[dict]:
    """One row per first-`n` test image: its outputs (2 decimals), predicted index, true label.

    Output columns are named by class ("0".."9" for digits, "alpha".. for letters); `predicted` and
    `true` are indices (with their names beside them unless the names are the indices), and
    `correct` says whether they agree.
    """
    rows = []
    for r in evaluation.first(n):
        row = {"image": r["index"]}
        row.update({output_column(class_names, k): v for k, v in enumerate(r["outputs"])})
        row.update({"predicted": r["predicted"], "true": r["label"], "correct": r["predicted"] == r["label"]})
        if class_names and class_names[0] != "0":
            row["predicted name"], row["true name"] = class_names[r["predicted"]], class_names[r["label"]]
        rows.append(row)
    return rows


def output_column(class_names: list[str], k: int) -> str:
    """The first-10 table's column for output `k`: its class name (the index when unnamed)."""
    return str(class_names[k]) if k < len(class_names) else str(k)


def confusion_figure(matrix: np.ndarray, class_names: list[str], selected: tuple[int, int] | None = None):
    """Confusion matrix heatmap (rows true, columns predicted) that can be clicked cell by cell.

    Plotly heatmaps do not report clicks as selections, so a transparent marker sits on every
    cell; selecting one reports `customdata` = [true, predicted]. The colour scale is logarithmic
    so the small off-diagonal counts stay visible next to the large diagonal.
    """
    import plotly.graph_objects as go

    k = matrix.shape[0]
    labels = [str(i) for i in range(k)]
    fig = go.Figure(go.Heatmap(
        z=np.log10(matrix + 1), x=labels, y=labels, text=matrix, texttemplate="%{text}",
        colorscale="Blues", showscale=False, hoverinfo="skip",
    ))
    tt, pp = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
    names = [[f"true {class_names[t]}, predicted {class_names[p]}" for p in range(k)] for t in range(k)]
    fig.add_trace(go.Scatter(
        x=[labels[p] for p in pp.ravel()], y=[labels[t] for t in tt.ravel()], mode="markers",
        marker={"size": 28, "symbol": "square", "color": "rgba(0,0,0,0)"},
        customdata=np.stack([tt.ravel(), pp.ravel(), matrix.ravel()], axis=1),
        hovertext=[n for row in names for n in row],
        hovertemplate="%{hovertext}: %{customdata[2]}<extra></extra>", showlegend=False,
        selected={"marker": {"color": "rgba(0,0,0,0)"}}, unselected={"marker": {"opacity": 1}},
    ))
    if selected is not None:
        t, p = selected
        fig.add_shape(type="rect", x0=p - 0.5, x1=p + 0.5, y0=t - 0.5, y1=t + 0.5,
                      line={"color": "#d62728", "width": 3})
    # Categories stay the class indices (clicks report them); the ticks show the class names.
    ticks = {"tickvals": labels, "ticktext": [str(class_names[i]) for i in range(k)]}
    fig.update_xaxes(title_text="predicted", side="top", type="category", **ticks)
    fig.update_yaxes(title_text="true label", autorange="reversed", type="category", **ticks)
    fig.update_layout(height=480, margin={"l": 10, "r": 10, "t": 50, "b": 10}, clickmode="event+select",
                      dragmode=False)
    return fig


def cell_from_points(points: list[dict]) -> tuple[int, int] | None:
    """(true, predicted) of the first selected confusion-matrix marker, or None.

    The axes' categories are the class indices, so a point's `y` is the true label and `x` the
    prediction; `customdata` ([true, predicted, count], as a list or an index-keyed dict) is the
    fallback.
    """
    for point in points or []:
        try:
            return int(point["y"]), int(point["x"])
        except (KeyError, TypeError, ValueError):
            pass
        data = point.get("customdata")
        if isinstance(data, dict):
            data = [data.get(k, data.get(str(k))) for k in range(2)]
        try:
            return int(data[0]), int(data[1])
        except (TypeError, ValueError, IndexError, KeyError):
            continue
    return None


def gallery(evaluation: Evaluation, order: str = "most confident first", limit: int = 60) -> list[dict]:
    """The misclassified test images, each {"index", "predicted", "label", "confidence"}.

    Args:
        evaluation: predictions on the test set.
        order: "most confident first" or "least confident first".
        limit: at most this many entries. Defaults to 60.
    """
    return evaluation.misclassified(most_confident_first=order == "most confident first")[:limit]


def caption(entry: dict, class_names: list[str]) -> str:
    """'pred 7 / true 2 / 98%' for a gallery image."""
    return (f"pred {class_names[entry['predicted']]} / true {class_names[entry['label']]} "
            f"/ {entry['confidence']:.0%}")


def most_confused(matrix: np.ndarray) -> tuple[int, int]:
    """(true, predicted) of the largest off-diagonal cell (the diagonal's first cell if none)."""
    off = matrix.copy()
    np.fill_diagonal(off, -1)
    if off.max() <= 0:
        return 0, 0
    t, p = np.unravel_index(int(off.argmax()), off.shape)
    return int(t), int(p)
