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
from app.widgets import stop_with_error
from core.examine import activations as acts
from core.examine import filters as flt
from core.examine import panels, pictures
from core.errors import LabError

DRAW_PAGE = Path(__file__).resolve().parent / "draw.py"
TOLERANCE = 1e-4


def show_figure(image, name: str, key: str, caption: str | None = None) -> None:
    """Show a PIL picture and a button that downloads exactly that picture as PNG."""
    data = pictures.to_png(image)
    st.image(data, caption=caption)
    st.download_button("Download PNG", data, file_name=f"{name}.png", mime="image/png",
                       key=f"examine_dl_{key}", on_click="ignore", icon=":material/download:")


def draw_hint() -> None:
    st.caption("No drawn digit yet: draw or upload one on the Draw page and it becomes an input here.")
    if DRAW_PAGE.is_file():
        st.page_link(str(DRAW_PAGE), label="Go to the Draw page", icon=":material/draw:")


def input_ui(ds, path: str, mt: float) -> acts.InputImage:
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
        st.markdown(f"The model reads **{_class_name(ds, pred)}** ({probs[pred]:.1%})")
    return choice


def _class_name(ds, i: int) -> str:
    return ds.class_names[i] if i < len(ds.class_names) else str(i)


def _values_frame(kernel: np.ndarray, index: int, channel: int) -> pd.DataFrame:
    rows = flt.filter_table(kernel, index, channel, decimals=3)
    return pd.DataFrame([[f"{v:.3f}" for v in row] for row in rows])


def filters_ui(model) -> None:
    """(1) The filters of any conv layer: an 8-column heatmap grid on one scale, and their values."""
    names = flt.conv_layer_names(model)
    if not names:
        st.info("This model has no convolution layer, so it has no filters to show.")
        return
    left, right = st.columns(2)
    layer = left.selectbox("Convolution layer", names, key="examine_filter_layer")
    info = flt.conv_info(model, layer)
    kernel, bias = flt.layer_filters(model, layer)
    channel = 0
    if kernel.shape[2] > 1:
        channel = right.slider("Input channel", 0, kernel.shape[2] - 1, 0, key="examine_filter_channel",
                               help="A deeper layer's filter has one small kernel per input channel "
                                    "(per map of the layer before).")
    st.caption(info.describe + ". Blue is negative, red positive; one colour scale for all filters.")
    maps = flt.filter_maps(kernel, channel)
    suffix = f", input channel {channel}" if kernel.shape[2] > 1 else ""
    show_figure(panels.filter_grid(kernel, layer, channel), f"{layer}_filters_channel{channel}", "filters")
    with st.expander(f"Values of the {len(maps)} filters{suffix} (3 decimals)", expanded=True):
        per_row = max(1, min(4, 12 // kernel.shape[1]))  # room for every column of a table
        for start in range(0, len(maps), per_row):
            for i, col in zip(range(start, min(start + per_row, len(maps))), st.columns(per_row)):
                col.markdown(f"**#{i}** bias {bias[i]:+.3f}")
                col.table(_values_frame(kernel, i, channel), hide_index=True, hide_header=True)
        st.caption("Per filter: weight sum (its response to a flat patch; near 0 for edge detectors), "
                   "L2 norm and largest absolute weight, over all input channels.")
        stats = pd.DataFrame(flt.filter_stats(kernel, bias)).set_index("filter")
        st.dataframe(stats.style.format("{:.3f}"), height=200)
        st.download_button("Download all values (CSV)", flt.filters_csv(kernel, bias),
                           file_name=f"{layer}_filters.csv", mime="text/csv",
                           key="examine_dl_filters_csv", on_click="ignore")


def filter2d_ui(model, path: str, mt: float, choice) -> None:
    """(2) The layer re-done with cv2.filter2D beside the network's own output, with the difference."""
    names = flt.conv_layer_names(model)
    if not names:
        st.info("This model has no convolution layer to re-do with filter2D.")
        return
    layer = st.columns(2)[0].selectbox("Convolution layer", names, key="examine_f2d_layer",
                         help="The first layer works on the image; deeper layers on the previous layer's output.")
    comp = cache.comparison(path, mt, layer, choice.image)
    pre, post = comp.max_abs_diff_pre, comp.max_abs_diff_post
    c1, c2 = st.columns(2)
    c1.metric("Max |filter2D - network| before the activation", f"{pre:.2e}")
    c2.metric("Max |filter2D - network| after the activation (the layer's output)", f"{post:.2e}")
    if comp.max_abs_diff <= TOLERANCE:
        st.success(f"filter2D and the network agree: max abs difference {comp.max_abs_diff:.2e} <= {TOLERANCE:g}.")
    else:
        st.error(f"filter2D and the network differ by up to {comp.max_abs_diff:.2e} (> {TOLERANCE:g}).")
    st.markdown("**Accounted for:**\n" + "\n".join(f"- {note}" for note in comp.accounted))
    info = comp.info
    if info.kernel_size == (3, 3) and info.padding == "valid" and info.strides == (1, 1) and info.in_channels == 1:
        st.code("pre = cv2.filter2D(img, cv2.CV_32F, kernel, borderType=cv2.BORDER_CONSTANT)[1:-1, 1:-1] + bias\n"
                f"out = {info.activation}(pre)  # compare with the truncated model's {layer} output",
                language="python")
    stage = st.radio("Show the maps", ["after the activation", "before the activation"], horizontal=True,
                     key="examine_f2d_stage")
    ours, net = (comp.filter2d_post, comp.network_post) if stage.startswith("after") else \
        (comp.filter2d_pre, comp.network_pre)
    limit = pictures.symmetric_limit(ours, net)  # one scale for both sides, so equal maps look equal
    h, w, n = ours.shape
    for col, arr, who in zip(st.columns(2), (ours, net), ("cv2.filter2D", f"network ({layer} output)")):
        with col:
            title = f"{who}: {n} maps of {h}x{w}, {stage}"
            grid = panels.maps_grid(arr, title, limit)
            show_figure(grid, f"{layer}_{'filter2d' if who.startswith('cv2') else 'network'}",
                        f"f2d_{'ours' if who.startswith('cv2') else 'net'}")


def activations_ui(model, path: str, mt: float, choice, ds) -> None:
    """(3) Activation galleries for the chosen layers, then the comparison of a few digits."""
    rows = acts.layer_rows(model)
    labels = {r["name"]: f"{r['name']} ({r['type']}, {'x'.join(map(str, r['shape']))})" for r in rows}
    chosen = st.multiselect("Layers", list(labels), default=acts.default_layers(model),
                            format_func=labels.get, key="examine_layers")
    st.caption(f"Outputs of each layer for {choice.title}; one colour scale per layer (white is 0).")
    for layer in chosen:
        out = cache.layer_output(path, mt, layer, choice.image)
        show_figure(panels.gallery(layer, out), f"{layer}_activations", f"act_{layer}")
        s = acts.summary(out)
        st.caption(f"shape {s['shape']}, {s['zeros']:.0%} zeros, mean {s['mean']:.3f}, max {s['max']:.3f}")
    compare_ui(model, path, mt, ds)


def _parse_indices(text: str) -> list[int]:
    try:
        return [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise LabError("Type test example numbers separated by commas, e.g. 0, 1, 2.") from None


def compare_ui(model, path: str, mt: float, ds) -> None:
    """Several digits' outputs of one layer (the pooling layer by default) side by side, one scale."""
    st.subheader("Compare digits")
    spatial = [r["name"] for r in acts.layer_rows(model) if len(r["shape"]) == 3]
    if not spatial:
        st.info("This model has no layer with 2-D maps to compare.")
        return
    default = acts.first_pool_name(model) or spatial[-1]
    c1, c2, c3 = st.columns([2, 3, 2])
    layer = c1.selectbox("Layer", spatial, index=spatial.index(default), key="examine_cmp_layer")
    text = c2.text_input("Test examples (2 or 3, comma separated)", "0, 1, 2", key="examine_cmp_indices")
    drawn = st.session_state.get("drawn_digit")
    add_drawn = c3.checkbox("Add your drawing", key="examine_cmp_drawn", disabled=drawn is None)
    try:
        indices = _parse_indices(text)
        inputs = [acts.choose_input(ds, "test", i) for i in indices]
        if add_drawn and drawn is not None:
            inputs.append(acts.choose_input(ds, "drawn", drawn=drawn))
        if not 1 <= len(indices) <= 3 or len(inputs) < 2:
            raise LabError(f"Compare 2 or 3 test examples (or 1 to 3 and your drawing); you chose {len(inputs)} "
                           "digit(s).")
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


def over_time_ui(entry) -> None:
    """(4) The first-layer filters after each epoch of the run that trained the active model."""
    from core.runs.rundir import read_metrics

    run_dir = entry.run_dir
    history = cache.epoch_filters(run_dir) if run_dir else {}
    if not history:
        st.info("The active model has no saved per-epoch filters: only models trained in the lab "
                "(the default model, your runs and sweep trials) keep them.")
        return
    epochs = sorted(history)
    if any(np.ndim(history[e]["kernel"]) != 4 for e in epochs):
        st.info("The saved per-epoch weights of this run are not convolution filters.")
        return
    epoch = epochs[0] if len(epochs) == 1 else st.select_slider(
        "Epoch", epochs, value=epochs[-1], key="examine_epoch", help="Epoch 0 is the random start.")
    limit = pictures.symmetric_limit(*(history[e]["kernel"] for e in epochs))  # one scale for all epochs
    kernel, start = history[epoch]["kernel"], history[epochs[0]]["kernel"]
    when = "before training" if epoch == 0 else f"after epoch {epoch}"
    acc = {m.get("epoch"): m.get("test_accuracy") for m in read_metrics(run_dir)}.get(epoch)
    st.caption(f"{len(epochs)} saved epochs ({epochs[0]}..{epochs[-1]}); one colour scale over all of them"
               + (f". Test accuracy {when}: {acc:.2%}." if isinstance(acc, float) else "."))
    left, right = st.columns(2)
    with left:
        show_figure(flt.epoch_grid(history, epoch, limit), f"filters_epoch_{epoch:03d}", "time_filters")
    with right:
        change = kernel - start
        grid = pictures.heatmap_grid(flt.filter_maps(change), cols=8, cell=56,
                                     titles=[f"#{i}" for i in range(kernel.shape[-1])],
                                     title=f"Change since epoch {epochs[0]}")
        show_figure(grid, f"filters_change_epoch_{epoch:03d}", "time_change",
                    caption=f"mean |change| per weight: {np.abs(change).mean():.4f}")
    if len(epochs) > 1:
        st.download_button("Download all epochs as an animated GIF", cache.epochs_gif(run_dir),
                           file_name="filters_over_epochs.gif", mime="image/gif", key="examine_dl_time_gif",
                           on_click="ignore", icon=":material/animation:")


def why_ui(model, path: str, mt: float, choice, ds) -> None:
    """(5) Gradient saliency and Grad-CAM for the chosen input and class."""
    from core.examine import saliency

    probs = cache.probabilities(path, mt, choice.image)
    pred = int(np.argmax(probs))
    c1, c2 = st.columns(2)
    cls = c1.selectbox("Class to explain", list(range(len(probs))), index=pred,
                       format_func=lambda i: f"{_class_name(ds, i)} ({probs[i]:.1%})"
                       + (", predicted" if i == pred else ""),
                       key=f"examine_class_{choice.title}")
    smooth = c1.toggle("SmoothGrad (average over 24 noisy copies)", value=True, key="examine_smoothgrad")
    spatial = saliency.spatial_layer_names(model)
    sal = cache.saliency_map(path, mt, choice.image, cls, samples=24 if smooth else 0)
    row = [pictures.picture(choice.image, 5, "input"),
           pictures.picture(pictures.colorize(sal, "sequential", vmin=0, vmax=1), 5, "saliency")]
    if spatial:
        default = saliency.default_cam_layer(model)
        layer = c2.selectbox("Grad-CAM layer", spatial, index=spatial.index(default), key="examine_cam_layer")
        cam, big = cache.grad_cam(path, mt, layer, choice.image, cls)
        row.append(pictures.picture(pictures.colorize(big, "sequential", vmin=0, vmax=1), 5,
                                    f"Grad-CAM ({layer})"))
        row.append(pictures.picture(pictures.overlay(choice.image, big), 5, "Grad-CAM on the input"))
    fig = pictures.stack_vertical([pictures.side_by_side(row),
                                   pictures.color_scale(pictures.side_by_side(row).width, "sequential", 0, 1)])
    show_figure(fig, f"why_{_class_name(ds, cls)}", "why",
                caption=f"Why '{_class_name(ds, cls)}' for {choice.title}")
    st.caption("Saliency: how much each pixel changes the class score (before the softmax). Grad-CAM: "
               "where the chosen layer's maps, weighted by their gradient, support the class "
               "(0 = no support, 1 = the strongest).")


def main() -> None:
    st.title("Examine the network")
    entry = active_entry()
    try:
        model = resources.load_model(entry.path)
        ds = resources.dataset(acts.dataset_for_run(entry.run_dir))
    except LabError as exc:
        stop_with_error(str(exc))
    path, mt = entry.path, cache.mtime(entry.path)
    st.caption(f"Active model: {entry.label}")
    choice = input_ui(ds, path, mt)
    tabs = st.tabs(["Filters", "filter2D vs network", "Activations", "Filters over time", "Why this answer"])
    blocks = [lambda: filters_ui(model), lambda: filter2d_ui(model, path, mt, choice),
              lambda: activations_ui(model, path, mt, choice, ds), lambda: over_time_ui(entry),
              lambda: why_ui(model, path, mt, choice, ds)]
    for tab, block in zip(tabs, blocks):
        with tab:
            try:
                block()
            except LabError as exc:
                st.error(str(exc))


main()
