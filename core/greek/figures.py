"""Plotly figures of a letter set in the embedding space (shared by the Greek page and the report)."""

from __future__ import annotations

import numpy as np


def ssd_heatmap(ssd: np.ndarray, labels: np.ndarray, names: list[str]):
    """The SSD between every pair of images, rows and columns sorted by class (Viridis, labelled by file)."""
    import plotly.express as px

    order = np.argsort(labels, kind="stable")
    ticks = [names[i] for i in order]
    fig = px.imshow(ssd[np.ix_(order, order)], x=ticks, y=ticks, color_continuous_scale="Viridis",
                    labels={"color": "SSD"}, title="SSD between every pair of images (sorted by class)")
    fig.update_layout(height=560, xaxis={"showticklabels": len(ticks) <= 60},
                      yaxis={"showticklabels": len(ticks) <= 60})
    return fig
