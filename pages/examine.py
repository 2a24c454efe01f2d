"""Examine: the active model's filters, filter2D beside conv1, activation galleries, filters over time, Grad-CAM.

UI only. The numbers come from core.examine.filters / filter2d / activations / saliency; every figure is drawn
by core.examine.pictures as a PNG, so each one can be downloaded without a browser-side exporter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from app import examine_cache as cache
from app import resources
from app.active_model import active_entry
from app.examine_filters import filter2d_ui, filters_ui, over_time_ui, show_figure
from app.page_model import model_for_page
from app.widgets import stop_with_error, tab_sections
from core.examine import activations as acts
from core.examine import panels, pictures
from core.errors import LabError

DRAW_PAGE = Path(__file__).resolve().parent / "draw.py"


def draw_hint() -> None:
    st.caption("No drawn digit yet: draw or upload one on the Draw page and it becomes an input here.")
    if DRAW_PAGE.is_file():
        st.page_link(str(DRAW_PAGE), label="Go to the Draw page", icon=":material/draw:")


def input_ui(ds, names: list[str], path: str, mt: float) -> acts.InputImage:
    """The input image every section studies: first training example, a test example, or the drawing."""
    drawn = st.session_state.get("drawn_digit")
    left, mid, right = st.columns([3, 2, 2])
    with left:
        source = st.radio("Input image", list(acts.SOURCES), format_func=acts.SOURCES.get,
                          horizontal=True, key="examine_source")
        if drawn is None:
            draw_hint()
    index = 0
    if source == "test":
        index = mid.number_input("Test example (index)", 0, len(ds.x_test) - 1, 0, step=1,
                                 key="examine_test_index")
    if source == "drawn" and drawn is None:
        mid.warning("There is no drawn digit yet, so the first training example is shown.")
        source = "train"
    try:
        choice = acts.choose_input(ds, source, int(index), drawn)
    except LabError as exc:
        mid.error(str(exc))
        choice = acts.choose_input(ds, "train", 0)
    probs = cache.probabilities(path, mt, choice.image)
    pred = int(np.argmax(probs))
    with right:
        show_figure(pictures.picture(choice.image, 3), "input", "input", caption=choice.title)
        st.markdown(f"The model reads **{names[pred]}** ({probs[pred]:.1%})")
    return choice


def activations_ui(model, path: str, mt: float, choice, ds) -> None:
    """(3) Activation galleries for the chosen layers, then the comparison of a few digits."""
    rows = acts.layer_rows(model)
    labels = {r["name"]: f"{r['name']} ({r['type']}, {'x'.join(map(str, r['shape']))})" for r in rows}
    chosen = st.multiselect("Layers", list(labels), default=acts.default_layers(model),
                            format_func=labels.get, key="examine_layers", persist_state="page")
    st.caption(f"Outputs of each layer for {choice.title}; one colour scale per layer (white is 0).")
    for layer in chosen:
        out = cache.layer_output(path, mt, layer, choice.image)
        show_figure(cache.gallery_png(path, mt, layer, choice.image), f"{layer}_activations", f"act_{layer}")
        s = acts.summary(out)
        st.caption(f"shape {s['shape']}, {s['zeros']:.0%} zeros, mean {s['mean']:.3f}, max {s['max']:.3f}")
    compare_ui(model, path, mt, ds)


def compare_ui(model, path: str, mt: float, ds) -> None:
    """Several digits' outputs of one layer (the pooling layer by default) side by side, one scale."""
    st.subheader("Compare digits")
    spatial = [r["name"] for r in acts.layer_rows(model) if len(r["shape"]) == 3]
    if not spatial:
        st.info("This model has no layer with 2-D maps to compare.")
        return
    default = acts.first_pool_name(model) or spatial[-1]
    c1, c2, c3 = st.columns([2, 3, 2])
    layer = c1.selectbox("Layer", spatial, index=spatial.index(default), key="examine_cmp_layer",
                         persist_state="page")
    text = c2.text_input("Test examples (2 or 3, comma separated)", "0, 1, 2", key="examine_cmp_indices",
                         persist_state="page")
    drawn = st.session_state.get("drawn_digit")
    add_drawn = c3.checkbox("Add the one from the Draw page", key="examine_cmp_drawn", persist_state="page",
                            disabled=drawn is None)
    try:
        indices = acts.parse_indices(text)
        inputs = [acts.choose_input(ds, "test", i) for i in indices]
        if add_drawn and drawn is not None:
            inputs.append(acts.choose_input(ds, "drawn", drawn=drawn))
        if not 1 <= len(indices) <= 3 or len(inputs) < 2:
            raise LabError("Compare 2 or 3 test examples (or 1 to 3 and the one from the Draw page); "
                           f"you chose {len(inputs)} digit(s).")
    except LabError as exc:
        st.error(str(exc))
        return
    outs = cache.layer_output(path, mt, layer, np.stack([c.image for c in inputs]))
    show_figure(panels.compare_digits(inputs, outs), f"{layer}_compare", "compare",
                caption=" | ".join(c.title for c in inputs) + f" - {layer} outputs on one colour scale")
    sim = acts.similarity(outs)
    names = [c.title.split(" (")[0] for c in inputs]
    st.caption(f"Cosine similarity of the {layer} outputs (1 = the same pattern):")
    st.dataframe(pd.DataFrame(sim, index=names, columns=names).style.format("{:.3f}"))


def why_ui(model, path: str, mt: float, choice, names: list[str]) -> None:
    """(5) Gradient saliency and Grad-CAM for the chosen input and class."""
    from core.examine import saliency

    probs = cache.probabilities(path, mt, choice.image)
    pred = int(np.argmax(probs))
    c1, c2 = st.columns(2)
    cls = c1.selectbox("Class to explain", list(range(len(probs))), index=pred,
                       format_func=lambda i: f"{names[i]} ({probs[i]:.1%})"
                       + (", predicted" if i == pred else ""),
                       key=f"examine_class_{choice.title}", persist_state="page")
    smooth = c1.toggle("SmoothGrad (average over 24 noisy copies)", value=True, key="examine_smoothgrad",
                       persist_state="page")
    spatial = saliency.spatial_layer_names(model)
    sal = cache.saliency_map(path, mt, choice.image, cls, samples=24 if smooth else 0)
    row = [pictures.picture(choice.image, 5, "input"),
           pictures.picture(pictures.colorize(sal, "sequential", vmin=0, vmax=1), 5, "saliency")]
    if spatial:
        default = saliency.default_cam_layer(model)
        layer = c2.selectbox("Grad-CAM layer", spatial, index=spatial.index(default), key="examine_cam_layer",
                             persist_state="page")
        cam, big = cache.grad_cam(path, mt, layer, choice.image, cls)
        row.append(pictures.picture(pictures.colorize(big, "sequential", vmin=0, vmax=1), 5,
                                    f"Grad-CAM ({layer})"))
        row.append(pictures.picture(pictures.overlay(choice.image, big), 5, "Grad-CAM on the input"))
    fig = pictures.stack_vertical([pictures.side_by_side(row),
                                   pictures.color_scale(pictures.side_by_side(row).width, "sequential", 0, 1)])
    show_figure(fig, f"why_{names[cls]}", "why",
                caption=f"Why '{names[cls]}' for {choice.title}")
    st.caption("Saliency: how much each pixel changes the class score (before the softmax). Grad-CAM: "
               "where the chosen layer's maps, weighted by their gradient, support the class "
               "(0 = no support, 1 = the strongest).")


def main() -> None:
    st.title("Examine the network")
    entry = active_entry()
    model = model_for_page(entry, acts.check_model, "examine_use_default")
    try:
        ds = resources.dataset(acts.dataset_for_run(entry.run_dir))
    except LabError as exc:
        stop_with_error(str(exc))
    path, mt = entry.path, cache.mtime(entry.path)
    names = acts.class_names(model, ds, entry.model_kind.class_names if entry.model_kind else None)
    st.caption(f"Active model: {entry.label}")
    choice = input_ui(ds, names, path, mt)
    tab_sections({"Filters": lambda: filters_ui(model, path, mt),
                  "filter2D vs network": lambda: filter2d_ui(model, path, mt, choice),
                  "Activations": lambda: activations_ui(model, path, mt, choice, ds),
                  "Filters over time": lambda: over_time_ui(entry),
                  "Why this answer": lambda: why_ui(model, path, mt, choice, names)}, key="examine_tab")


main()
