"""Evaluate: the active model on its own test set - accuracy, the first 10 outputs, confusions, weights.

A digit or Fashion-MNIST model is measured on a 10-class test split, a Greek-letter head on the
held-out letters of its transfer run; a model that fits none says so in one line.
"""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from app.active_model import active_entry, check_or_offer_default
from app.resources import dataset, load_model, mtime
from app.widgets import guarded, png_bytes, tab_sections
from core.examine.eval_views import (caption, cell_from_points, confusion_figure, first_table, gallery,
                                     most_confused, output_column)
from core.examine.evaluate import LETTERS, check_evaluable, run_config_of, title_of_test_set, fitting_test_sets


@st.cache_data(max_entries=8, show_spinner="Reading the letters this head was trained on...")
def _letters(config_json: str, folders_mtime: float):
    import json

    from core.examine.evaluate import load_test_set

    return load_test_set(LETTERS, json.loads(config_json))


def test_set(model_path: str, name: str):
    """The test set `name` for the model at `model_path` (cached). Raises `LabError`."""
    if name != LETTERS:
        return dataset(name)
    import json

    config = run_config_of(model_path) or {}
    folders = [Path(p) for p in (config.get("train_dir"), config.get("test_dir")) if p]
    stamp = max((os.path.getmtime(p) for p in folders if p.exists()), default=0.0)
    return _letters(json.dumps(config, sort_keys=True), stamp)


@st.cache_data(max_entries=8, show_spinner="Evaluating the model on the test set...")
def evaluation(path: str, mtime_: float, dataset_name: str):
    """(predictions on a test set, weight summaries) of the model file: read from its store on disk
    (no TensorFlow), else computed once and stored (`core.examine.eval_store`)."""
    from core.examine.eval_store import evaluate_and_store

    return evaluate_and_store(path, test_set(path, dataset_name), load_model)


@st.cache_data(max_entries=8, show_spinner=False)
def epoch_histograms(run_dir: str, newest: float) -> dict:
    from core.examine.histograms import load_epoch_histograms

    return load_epoch_histograms(Path(run_dir))


def first_ten(ev, data) -> None:
    n = len(data.class_names)
    st.markdown(f"The network's {n} outputs for the first 10 test images, its prediction (the largest "
                "output) and the true label.")
    rows = first_table(ev, data.class_names)
    images = [png_bytes(data.x_test[r["image"]], scale=3) for r in rows]
    for row in rows:  # a bold mark reads better than the table's pale read-only checkbox
        row["correct"] = "yes" if row["correct"] else "NO"
    columns = [output_column(data.class_names, k) for k in range(n)]
    st.dataframe(rows, hide_index=True, width="stretch", key="evaluate_first10",
                 column_config={c: st.column_config.NumberColumn(c, format="%.2f") for c in columns})
    names = data.class_names
    st.image(images, width=84,
             caption=[f"#{r['image']}: pred {names[r['predicted']]}, true {names[r['true']]}" for r in rows])


def confusion(ev, data) -> None:
    matrix = ev.confusion()
    # A click arrives as the chart's widget state; copy it into the two pickers, then mount a fresh
    # chart (a new key) so that the next click - on the same cell too - is a new selection.
    version = st.session_state.get("evaluate_confusion_version", 0)
    state = st.session_state.get(f"evaluate_confusion_{version}") or {}
    points = (state.get("selection") or {}).get("points", []) if hasattr(state, "get") else []
    cell = cell_from_points(points)
    if cell is not None and max(cell) < matrix.shape[0]:
        st.session_state["evaluate_true"], st.session_state["evaluate_pred"] = cell
        version += 1
        st.session_state["evaluate_confusion_version"] = version
    if st.session_state.get("evaluate_true", matrix.shape[0]) >= matrix.shape[0] or \
            st.session_state.get("evaluate_pred", matrix.shape[0]) >= matrix.shape[0]:
        st.session_state["evaluate_true"], st.session_state["evaluate_pred"] = most_confused(matrix)
    chart, detail = st.columns([3, 2], gap="large")
    classes = list(range(len(data.class_names)))
    with detail:
        c1, c2 = st.columns(2)
        true = c1.selectbox("True label", classes, format_func=lambda i: data.class_names[i], key="evaluate_true",
                            persist_state="page")
        pred = c2.selectbox("Predicted", classes, format_func=lambda i: data.class_names[i], key="evaluate_pred",
                            persist_state="page")
        idx = ev.cell(true, pred)
        st.markdown(f"**{len(idx)}** test image(s) with true label **{data.class_names[true]}** "
                    f"predicted as **{data.class_names[pred]}**" + (" (showing 40)" if len(idx) > 40 else ""))
        if len(idx):
            conf = ev.probabilities[idx, pred]
            st.image([png_bytes(data.x_test[i], scale=2) for i in idx[:40]],
                     caption=[f"#{i} {c:.0%}" for i, c in zip(idx[:40], conf[:40])], width=64)
    with chart:
        st.caption("Click a cell (or use the pickers) to see the images behind it.")
        st.plotly_chart(confusion_figure(matrix, data.class_names, (true, pred)), key=f"evaluate_confusion_{version}",
                        on_select="rerun", selection_mode="points", config={"displayModeBar": False})


def misclassified(ev, data) -> None:
    wrong = int((ev.predicted != ev.labels).sum())
    c1, c2 = st.columns(2)
    order = c1.radio("Sort by confidence", ("most confident first", "least confident first"),
                     horizontal=True, key="evaluate_order", persist_state="page")
    limit = c2.slider("How many", 10, 200, 40, 10, key="evaluate_limit", persist_state="page")
    items = gallery(ev, order, limit)
    st.markdown(f"{wrong} of {len(ev.labels)} test images are misclassified.")
    if not items:
        return
    st.image([png_bytes(data.x_test[e["index"]], scale=2) for e in items],
             caption=[caption(e, data.class_names) for e in items], width=84)
    with st.expander("As a table (click a column to sort)"):
        st.dataframe([{"image": e["index"], "predicted": data.class_names[e["predicted"]],
                       "true": data.class_names[e["label"]], "confidence": e["confidence"]} for e in items],
                     hide_index=True, key="evaluate_wrong_table",
                     column_config={"confidence": st.column_config.NumberColumn(format="%.3f")})


def weights(per_layer: dict, entry) -> None:
    from core.examine.histograms import epoch_stats, epochs_figure, layer_figure

    layer = st.selectbox("Layer", list(per_layer), key="evaluate_layer", persist_state="page")
    st.plotly_chart(layer_figure(per_layer[layer], layer), key="evaluate_hist_now")
    if not entry.run_dir:
        st.caption("Uploaded models have no training history, so only their current weights are shown.")
        return
    folder = Path(entry.run_dir)
    stamps = [os.path.getmtime(p) for sub in ("histograms", "filters") for p in (folder / sub).glob("*.npz")]
    history = epoch_histograms(str(folder), max(stamps, default=0.0))
    keys = sorted({k for h in history.values() for k in h if k.startswith(layer + "/")},
                  key=lambda k: (not k.endswith("/kernel"), k))  # kernel first
    if not keys:
        st.caption(f"This run stored no per-epoch history for {layer} (older runs kept only the first conv layer).")
        return
    key = st.radio("Across epochs", keys, horizontal=True, key="evaluate_hist_key", persist_state="page")
    st.plotly_chart(epochs_figure(history, key), key="evaluate_hist_epochs")
    st.dataframe(epoch_stats(history, key), hide_index=True, key="evaluate_hist_stats")


st.title("Evaluate")
entry = active_entry()
kind = entry.model_kind
st.caption(f"Active model: **{entry.label}**, a {kind.describe()} (switch it in the sidebar).")
check_or_offer_default(check_evaluable, entry, "evaluate_use_default")
names = fitting_test_sets(kind)
if st.session_state.get("evaluate_dataset") not in names:
    st.session_state.pop("evaluate_dataset", None)  # chosen for another model: start on this one's own
name = st.selectbox("Test set", names, format_func=title_of_test_set, key="evaluate_dataset",
                    help="The data the model can be measured on; the one it was trained on comes first.")
data = guarded(test_set, entry.path, name)
ev, weight_summaries = guarded(evaluation, entry.path, mtime(entry.path), name)
if name == LETTERS:
    st.caption(f"{len(ev.labels)} held-out letters the head was not trained on, from `{data.source}`.")
c1, c2, c3 = st.columns(3)
c1.metric("Test accuracy", f"{ev.accuracy:.2%}")
c2.metric("Test loss", f"{ev.loss:.4f}")
c3.metric("Misclassified", f"{int((ev.predicted != ev.labels).sum())} / {len(ev.labels)}")
tab_sections({"First 10 test images": lambda: first_ten(ev, data),
              "Confusion matrix": lambda: confusion(ev, data),
              "Misclassified": lambda: misclassified(ev, data),
              "Weights and biases": lambda: weights(weight_summaries, entry)}, key="evaluate_tab")
