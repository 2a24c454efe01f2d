"""The Examine page's filter blocks: a conv layer's filters, filter2D beside the network, filters over time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from app import examine_cache as cache
from app.widgets import figure_with_download
from core.examine import filters as flt
from core.examine import panels, pictures


def show_figure(image, name: str, key: str, caption: str | None = None) -> None:
    """A PIL picture with a button that downloads exactly that picture as PNG."""
    figure_with_download(image, name, f"examine_dl_{key}", caption)


def _values_frame(kernel: np.ndarray, index: int, channel: int) -> pd.DataFrame:
    rows = flt.filter_table(kernel, index, channel, decimals=3)
    return pd.DataFrame([[f"{v:.3f}" for v in row] for row in rows])


def filters_ui(model, path: str, mt: float) -> None:
    """(1) The filters of any conv layer: an 8-column heatmap grid on one scale, and their values."""
    names = flt.conv_layer_names(model)
    if not names:
        st.info("This model has no convolution layer, so it has no filters to show.")
        return
    left, right = st.columns(2)
    layer = left.selectbox("Convolution layer", names, key="examine_filter_layer", persist_state="page")
    info = flt.conv_info(model, layer)
    kernel, bias = flt.layer_filters(model, layer)
    channel = 0
    if kernel.shape[2] > 1:
        channel = right.slider("Input channel", 0, kernel.shape[2] - 1, 0, key="examine_filter_channel",
                               persist_state="page",
                               help="A deeper layer's filter has one small kernel per input channel "
                                    "(per map of the layer before).")
    st.caption(info.describe + ". Blue is negative, red positive; one colour scale for all filters.")
    maps = flt.filter_maps(kernel, channel)
    suffix = f", input channel {channel}" if kernel.shape[2] > 1 else ""
    show_figure(cache.filter_grid_png(path, mt, layer, channel), f"{layer}_filters_channel{channel}", "filters")
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
    layer = st.columns(2)[0].selectbox(
        "Convolution layer", names, key="examine_f2d_layer", persist_state="page",
        help="The first layer works on the image; deeper layers on the previous layer's output.")
    comp = cache.comparison(path, mt, layer, choice.image)
    pre, post = comp.max_abs_diff_pre, comp.max_abs_diff_post
    c1, c2 = st.columns(2)
    c1.metric("Max |filter2D - network| before the activation", f"{pre:.2e}")
    c2.metric("Max |filter2D - network| after the activation (the layer's output)", f"{post:.2e}")
    (st.success if comp.agrees else st.error)(comp.verdict())
    st.markdown("**Accounted for:**\n" + "\n".join(f"- {note}" for note in comp.accounted))
    info = comp.info
    if info.kernel_size == (3, 3) and info.padding == "valid" and info.strides == (1, 1) and info.in_channels == 1:
        st.code("pre = cv2.filter2D(img, cv2.CV_32F, kernel, borderType=cv2.BORDER_CONSTANT)[1:-1, 1:-1] + bias\n"
                f"out = {info.activation}(pre)  # compare with the truncated model's {layer} output",
                language="python")
    stage = st.radio("Show the maps", ["after the activation", "before the activation"], horizontal=True,
                     key="examine_f2d_stage", persist_state="page")
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
        "Epoch", epochs, value=epochs[-1], key="examine_epoch", persist_state="page",
        help="Epoch 0 is the random start.")
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
        # Drawn when clicked (Streamlit's deferred download): 0.4-0.7 s that a visit should not pay.
        st.download_button("Download all epochs as an animated GIF", lambda: cache.epochs_gif(run_dir),
                           file_name="filters_over_epochs.gif", mime="image/gif", key="examine_dl_time_gif",
                           on_click="ignore", icon=":material/animation:")
