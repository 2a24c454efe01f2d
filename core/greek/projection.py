"""Embeddings in two dimensions: PCA (NumPy) and t-SNE (scikit-learn, fixed seed), and a plotly scatter."""

from __future__ import annotations

import base64
import io

import numpy as np

from core.errors import LabError

METHODS = ("PCA", "t-SNE")


def project(features: np.ndarray, method: str = "PCA", seed: int = 0) -> np.ndarray:
    """(N, 2) coordinates of the rows of `features`.

    Args:
        features: (N, D) vectors, N >= 3.
        method: "PCA" or "t-SNE". Defaults to "PCA".
        seed: random seed of t-SNE (PCA is deterministic). Defaults to 0.

    Raises:
        LabError: fewer than 3 points or an unknown method.
    """
    x = np.asarray(features, dtype=np.float64).reshape(len(features), -1)
    if len(x) < 3:
        raise LabError("A projection needs at least 3 images.")
    if method == "PCA":
        return _pca_2d(x)
    if method == "t-SNE":
        from sklearn.manifold import TSNE
        from threadpoolctl import threadpool_limits

        perplexity = float(min(30.0, max(2.0, (len(x) - 1) / 3.0)))
        tsne = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed,
                    max_iter=1000)
        # one thread: for a few hundred letters OpenMP start-up and waiting cost more than it saves
        # (measured: 0.2 s instead of 18 s on a busy 2-core machine)
        with threadpool_limits(limits=1):
            return tsne.fit_transform(x).astype(np.float32)
    raise LabError(f"Unknown projection {method!r}. Available: {', '.join(METHODS)}.")


def _pca_2d(x: np.ndarray) -> np.ndarray:
    """The first two principal components of the rows of `x`, signed as scikit-learn's PCA signs them.

    NumPy's SVD rather than scikit-learn: importing scikit-learn (with SciPy) costs the server 1.9 s
    of CPU on 2 cores, for a map that needs one SVD of a few hundred rows.
    """
    centred = x - x.mean(axis=0)
    u, s, vt = np.linalg.svd(centred, full_matrices=False)
    # each axis points where its largest loading is positive (scikit-learn's `svd_flip` on Vt)
    signs = np.sign(vt[np.arange(len(vt)), np.abs(vt).argmax(axis=1)])
    signs[signs == 0] = 1.0
    return (u[:, :2] * s[:2] * signs[:2]).astype(np.float32)


def image_data_uri(image: np.ndarray, scale: int = 2) -> str:
    """A small PNG data URI of a [0, 1] or uint8 image (for hover pictures)."""
    from PIL import Image

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    img = Image.fromarray(arr)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def scatter_figure(points: np.ndarray, labels: np.ndarray, class_names: list, names: list,
                   images: np.ndarray | None = None, title: str = "", thumbnails: bool = False):
    """A plotly scatter of 2-D points, one colour per class; hovering a point names its image.

    Args:
        points: (N, 2).
        labels: (N,) class indices.
        class_names: names of the classes.
        names: file name of every point (shown on hover).
        images: (N, 28, 28) images, drawn at their points when `thumbnails`. Defaults to None.
        title: figure title.
        thumbnails: draw every image at its point. Defaults to False.
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    labels = np.asarray(labels)
    for c, cname in enumerate(class_names):
        idx = np.flatnonzero(labels == c)
        if not len(idx):
            continue
        fig.add_trace(go.Scatter(
            x=points[idx, 0], y=points[idx, 1], mode="markers", name=cname,
            customdata=idx, text=[names[i] for i in idx],
            marker={"size": 10, "line": {"width": 1, "color": "white"}},
            hovertemplate=f"<b>{cname}</b><br>%{{text}}<br>#%{{customdata}}<extra></extra>"))
    if thumbnails and images is not None:
        span = float(np.ptp(points, axis=0).max()) or 1.0
        for i, (x, y) in enumerate(points):
            fig.add_layout_image(source=image_data_uri(images[i], 1), x=float(x), y=float(y),
                                 xref="x", yref="y", sizex=span * 0.06, sizey=span * 0.06,
                                 xanchor="center", yanchor="middle", layer="above", opacity=0.85)
    fig.update_layout(title=title, height=520, legend_title_text="class",
                      margin={"l": 10, "r": 10, "t": 40 if title else 10, "b": 10})
    return fig


def hover_chart(points: np.ndarray, labels: np.ndarray, class_names: list, names: list,
                images: np.ndarray):
    """An Altair (Vega-Lite) scatter whose tooltip shows each point's image (Vega's `image` field)."""
    import altair as alt
    import pandas as pd

    frame = pd.DataFrame({
        "x": points[:, 0], "y": points[:, 1],
        "class": [class_names[int(c)] for c in labels], "file": list(names),
        "image": [image_data_uri(img, 3) for img in images],
    })
    return alt.Chart(frame).mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("x", title=None), y=alt.Y("y", title=None),
        color=alt.Color("class:N", title="class"),
        tooltip=["image", "class", "file"],
    ).properties(height=480).interactive()
