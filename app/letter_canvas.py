"""The Greek page's own letters: a letter drawn on the canvas or uploaded, among its nearest neighbours.

The canvas runs in its own fragment, so a stroke reruns only the canvas and its result, not the
page's SSD tables, heatmap and projections.
"""

from __future__ import annotations

import streamlit as st

from app.widgets import png_bytes
from core.errors import LabError
from core.paths import workspace_dir


@st.fragment
def drawn_letter(symbols, analysis, model) -> None:
    """The letter canvas and its neighbours; a fragment, so a stroke reruns only this part."""
    from app.canvas import canvas_with_controls, drawn_ink

    png = canvas_with_controls("greek_canvas")
    ink = drawn_ink(png) if png is not None else None
    if ink is not None:
        letter_result(symbols, analysis, model, "drawing", ink, "drawing")


def letter_result(symbols, analysis, model, name: str, raw_image, key: str) -> None:
    """One letter preprocessed, voted by its nearest neighbours, and offered for saving."""
    from core.greek.lab import query, save_letter
    from core.handwriting.preprocess import preprocess

    k = st.session_state.get("greek_k", 1)
    try:
        image = preprocess(raw_image).image
    except LabError as exc:
        st.error(f"{name}: {exc}")
        return
    res = query(model, analysis, symbols, image, k=max(k, 1))
    cols = st.columns([1, 4])
    cols[0].image(png_bytes(image, 4), caption=f"{name} (28x28)", output_format="PNG")
    cols[0].markdown(f"KNN vote (k={max(k, 1)}): **{res.predicted}**  \n"
                     + ", ".join(f"{c}: {v}" for c, v in res.votes.items()))
    cols[1].image([png_bytes(symbols.images[r["index"]], 3) for r in res.neighbours],
                  caption=[f"{r['class']} SSD {r['ssd']:.1f}" for r in res.neighbours], output_format="PNG")
    cols[1].caption("Nearest first by the KNN distance chosen in the sidebar; SSD is the raw "
                    "128-number sum-squared distance.")
    label = cols[0].text_input("Label", value=res.predicted, key=f"greek_label_{key}")
    if cols[0].button("Save to my letters", key=f"greek_save_{key}"):
        try:
            path = save_letter(workspace_dir("my_letters"), label, raw_image)
            cols[0].success(f"Saved as {path.parent.name}/{path.name} in my letters.")
        except LabError as exc:
            cols[0].error(str(exc))
