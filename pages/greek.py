"""Greek letters: the MNIST network as an embedding space (SSD tables, KNN, your own letters, transfer)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from app.active_model import active_path
from core.runs.plots import TEST_COLOR, TRAIN_COLOR
from app.jobs import watch_run
from app.resources import load_model, mtime
from app.server import server_folders_allowed
from app.widgets import png_bytes, stop_with_error
from core.runs import rundir
from core.greek.embedding import DEFAULT_MODE, FEATURE_MODES
from core.errors import LabError
from core.paths import ASSETS_DIR, workspace_dir
from core.greek.projection import METHODS, image_data_uri

DEFAULT_SET = ASSETS_DIR / "greek"
# Leave-one-out 1-NN with the shipped default model, measured on real letters (tests/unit/test_knn.py).
NOTES = """
The SSD tables and the heatmap use the raw 128 numbers, as the assignment asks. For KNN the lab
can compare better-prepared vectors (sidebar, *KNN distances*):

| distances | Omniglot alpha/beta/gamma | Omniglot, all 24 letters | phone photos (6 letters) |
|---|---|---|---|
| raw 128 numbers | 60/60 | 439/480 (91.5%) | 48/51 |
| embedding averaged over small shifts/rotations, unit length | 60/60 | 448/480 (93.3%) | 47/51 |
| combined: that + the pooled conv features | **60/60** | **457/480 (95.2%)** | **50/51** |

Averaging over 1-pixel shifts and 8-degree rotations makes a letter's vector less sensitive to
where exactly it sits; unit length removes the effect of a thicker or fainter pen; the pooled conv
features (12x12x32, square-rooted) keep stroke shapes that the digit-trained dense layer throws
away. A plain resize-and-invert reaches about 52/60, 323/480 and 36/51.
"""
SOURCES = ("Default set (assets/greek)", "A folder on this computer", "Upload a zip", "My letters")


@st.cache_data(max_entries=8, show_spinner="Reading and preprocessing the letters...")
def _load(folder: str, signature: str):
    from core.greek.symbols import load_folder

    return load_folder(folder)


@st.cache_data(max_entries=8, show_spinner="Embedding the letters...")
def _analyze(folder: str, signature: str, model_path: str, model_mtime: float, mode: str):
    from core.greek.lab import analyze

    return analyze(load_model(model_path), _load(folder, signature), mode)


def choose_folder() -> Path:
    """The source picker; returns the folder of letters to use (stops the page on bad input)."""
    offered = [s for s in SOURCES if s != SOURCES[1] or server_folders_allowed()]  # server disk: local only
    source = st.radio("Letters", offered, horizontal=True, key="greek_source")
    if source == SOURCES[1]:
        text = st.text_input("Folder path", key="greek_folder",
                             placeholder="/path/to/letters (alpha_001.png or alpha/001.png)")
        if not text.strip():
            stop_with_error("Enter the path of a folder of letter images.")
        return Path(text.strip()).expanduser()
    if source == SOURCES[2]:
        upload = st.file_uploader("A zip of letter images", type=["zip"], key="greek_zip")
        if upload is None:
            st.info("Upload a zip whose images are named like `alpha_001.png` or sit in class folders.")
            st.stop()
        from core.greek.symbols import extract_zip

        data = upload.getvalue()
        dest = workspace_dir("greek_uploads") / hashlib.sha1(data).hexdigest()[:16]
        try:
            return extract_zip(data, dest)
        except LabError as exc:
            stop_with_error(str(exc))
    if source == SOURCES[3]:
        mine = workspace_dir("my_letters")
        if not any(p.is_file() for p in mine.rglob("*.png")):
            stop_with_error("No letters saved yet. Choose the default set, draw or upload letters under "
                            "*Your own letters* and save them with a label (two kinds at least).")
        return mine
    return DEFAULT_SET


def _thumb(image) -> str:
    return image_data_uri(image, 1)


def show_set(symbols) -> None:
    counts = ", ".join(f"{c}: {n}" for c, n in symbols.counts().items())
    st.markdown(f"**{len(symbols)} images, {len(symbols.class_names)} classes** ({counts}), each "
                "preprocessed to 28x28 like MNIST.")
    if symbols.skipped:
        st.warning("Skipped unreadable images:\n\n" + "\n".join(f"- {s}" for s in symbols.skipped[:10]))
    with st.expander("All images, as the network sees them"):
        for c, cname in enumerate(symbols.class_names):
            idx = np.flatnonzero(symbols.labels == c)[:24]
            st.image([png_bytes(symbols.images[i], 2) for i in idx], caption=[symbols.names[i] for i in idx])


def show_embedding(symbols, analysis) -> None:
    st.subheader("Embedding: the network cut at its 128-unit dense layer")
    first = analysis.raw[0]
    cols = st.columns([1, 5])
    cols[0].image(png_bytes(symbols.images[0], 4), caption=symbols.names[0])
    cols[1].markdown(f"The first training example (`{symbols.names[0]}`) gives **{first.shape[0]} numbers** "
                     f"at layer `{analysis.layer}`:")
    cols[1].dataframe(pd.DataFrame([first], columns=[str(i) for i in range(first.shape[0])]),
                      hide_index=True, key="greek_first_vector")


def show_ssd(symbols, analysis) -> None:
    st.subheader("Sum-squared distances (SSD) between embeddings")
    cols = st.columns(len(symbols.class_names)) if len(symbols.class_names) <= 4 else None
    from core.greek.embedding import ssd_table

    for c, cname in enumerate(symbols.class_names):
        idx = np.flatnonzero(symbols.labels == c)
        box = cols[c] if cols else st.expander(f"SSD table for a {cname}", expanded=c < 3)
        with box:
            pick = st.selectbox(f"Example {cname}", idx, index=0, key=f"greek_ssd_pick_{cname}",
                                format_func=lambda i: symbols.names[i])
            rows = ssd_table(analysis.raw, int(pick), symbols.labels, symbols.names, symbols.class_names)
            frame = pd.DataFrame({"image": [_thumb(symbols.images[r["index"]]) for r in rows],
                                  "SSD": [r["ssd"] for r in rows], "class": [r["class"] for r in rows],
                                  "file": [r["name"] for r in rows]})
            st.dataframe(frame, hide_index=True, key=f"greek_ssd_table_{cname}",
                         column_config={"image": st.column_config.ImageColumn("image", width="small"),
                                        "SSD": st.column_config.NumberColumn("SSD", format="%.2f")})
    import plotly.express as px

    order = np.argsort(symbols.labels, kind="stable")
    labels = [symbols.names[i] for i in order]
    fig = px.imshow(analysis.ssd[np.ix_(order, order)], x=labels, y=labels,
                    color_continuous_scale="Viridis", labels={"color": "SSD"}, title="SSD between every pair of images (sorted by class)")
    fig.update_layout(height=560, xaxis={"showticklabels": len(labels) <= 60},
                      yaxis={"showticklabels": len(labels) <= 60})
    st.plotly_chart(fig, key="greek_heatmap")


def show_knn(symbols, analysis) -> None:
    from core.greek.knn import leave_one_out

    st.subheader("K-nearest neighbours in the embedding space")
    k = st.slider("k (neighbours that vote)", 1, max(1, min(15, len(symbols) - 1)), 1, key="greek_k")
    result = leave_one_out(analysis.features, symbols.labels, k, len(symbols.class_names))
    st.metric("Leave-one-out accuracy", f"{result.accuracy:.1%}", help="each image classified by the "
              "k nearest other images", delta=f"{result.correct}/{len(symbols)} correct", delta_color="off")
    conf = pd.DataFrame(result.confusion(), index=[f"true {c}" for c in symbols.class_names],
                        columns=[f"predicted {c}" for c in symbols.class_names])
    conf["accuracy"] = result.per_class_accuracy()
    st.dataframe(conf, key="greek_confusion", column_config={
        "accuracy": st.column_config.NumberColumn(format="percent")})
    st.caption(f"Distances: {FEATURE_MODES[analysis.mode]} (change it in the sidebar).")
    with st.expander("Why not just the raw 128 numbers?"):
        st.markdown(NOTES)


def show_projection(symbols, analysis) -> None:
    from core.greek.projection import hover_chart, project, scatter_figure

    st.subheader("The embedding space in 2-D")
    c1, c2 = st.columns(2)
    method = c1.radio("Projection", METHODS, horizontal=True, key="greek_projection")
    chart = c2.radio("Chart", ["Images on hover", "Plotly (click points)"], horizontal=True,
                     key="greek_chart")
    points = project(analysis.features, method, seed=0)
    if chart == "Images on hover":
        st.altair_chart(hover_chart(points, symbols.labels, symbols.class_names, symbols.names,
                                    symbols.images), key="greek_hover_chart")
        st.caption("Hover a point to see its image; scroll to zoom.")
        return
    thumbs = c2.checkbox("Draw the images on the chart", key="greek_thumbs", value=len(symbols) <= 60)
    fig = scatter_figure(points, symbols.labels, symbols.class_names, symbols.names, symbols.images,
                         thumbnails=thumbs)
    event = st.plotly_chart(fig, key="greek_scatter", on_select="rerun", selection_mode="points")
    picked = [p.get("customdata") for p in (event.selection.points if event else [])]
    picked = [int(p[0] if isinstance(p, list) else p) for p in picked if p is not None]
    st.caption("Hover a point for its file; click points to see their images here.")
    if picked:
        st.image([png_bytes(symbols.images[i], 4) for i in picked[:12]],
                 caption=[symbols.names[i] for i in picked[:12]])


def own_letters(symbols, analysis, model) -> None:
    from core.greek.lab import query, save_letter
    from core.handwriting.imageio import decode_image
    from core.handwriting.preprocess import preprocess

    st.subheader("Your own letters")
    tab_draw, tab_upload = st.tabs(["Draw", "Upload photos"])
    inputs = []
    with tab_draw:
        from app.canvas import canvas_with_controls

        drawn = canvas_with_controls("greek_canvas")
        if drawn is not None and drawn[..., :3].max() > 0:
            inputs.append(("drawing", drawn[..., :3].max(axis=2).astype(np.uint8)))
    with tab_upload:
        files = st.file_uploader("Photos of letters", type=["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif"],
                                 accept_multiple_files=True, key="greek_photos")
        for f in files or []:
            try:
                inputs.append((f.name, decode_image(f.getvalue())))
            except LabError as exc:
                st.error(f"{f.name}: {exc}")
    k = st.session_state.get("greek_k", 1)
    for n, (name, raw_image) in enumerate(inputs):
        try:
            image = preprocess(raw_image).image
        except LabError as exc:
            st.error(f"{name}: {exc}")
            continue
        res = query(model, analysis, symbols, image, k=max(k, 1))
        cols = st.columns([1, 4])
        cols[0].image(png_bytes(image, 4), caption=f"{name} (28x28)")
        cols[0].markdown(f"KNN vote (k={max(k, 1)}): **{res.predicted}**  \n"
                         + ", ".join(f"{c}: {v}" for c, v in res.votes.items()))
        cols[1].image([png_bytes(symbols.images[r["index"]], 3) for r in res.neighbours],
                      caption=[f"{r['class']} SSD {r['ssd']:.1f}" for r in res.neighbours])
        cols[1].caption("Nearest first by the KNN distance chosen in the sidebar; SSD is the raw "
                        "128-number sum-squared distance.")
        label = cols[0].text_input("Label", value=res.predicted, key=f"greek_label_{n}")
        if cols[0].button("Save to my letters", key=f"greek_save_{n}"):
            try:
                path = save_letter(workspace_dir("my_letters"), label, raw_image)
                cols[0].success(f"Saved as {path.parent.name}/{path.name} in my letters.")
            except LabError as exc:
                cols[0].error(str(exc))


def _chart(run_dir, status) -> None:
    from core.runs.jobs import stop_run

    metrics = rundir.read_metrics(run_dir)
    state = status.get("state")
    progress = rundir.read_progress(run_dir)
    epochs = progress.get("epochs") or rundir.read_json(Path(run_dir) / "config.json", {}).get("epochs")
    st.markdown(f"Transfer run `{Path(run_dir).name}`: **{state}**, epoch {len(metrics)}/{epochs or '?'}")
    if state in rundir.ACTIVE_STATES:
        done = len(metrics) + (progress.get("batch", 0) / max(progress.get("batches") or 1, 1))
        st.progress(min(1.0, done / max(epochs or 1, 1)))
        if st.button("Stop after this batch", key="greek_stop"):
            stop_run(run_dir)
    if metrics:
        frame = pd.DataFrame(metrics).set_index("epoch")[["train_accuracy", "test_accuracy"]]
        frame.columns = ["training letters", "held-out letters"]
        st.line_chart(frame, height=240, x_label="epoch", y_label="accuracy", color=[TRAIN_COLOR, TEST_COLOR])
    if state == "failed":
        st.error(status.get("error") or "The run failed.")


def transfer(folder: Path, symbols, model_path: str) -> None:
    from core.runs.jobs import start_run
    from core.greek.transfer import make_transfer_config, read_comparison

    st.subheader("Transfer learning: a new head on the frozen network")
    st.markdown(f"The network is frozen up to its embedding layer and a new {len(symbols.class_names)}-output "
                "softmax head is trained on these letters in the background.")
    c1, c2 = st.columns(2)
    held = c1.radio("Held-out letters", ["A third of this set", "My letters", "Another folder"],
                    key="greek_heldout")
    epochs = c2.slider("Epochs", 5, 100, 30, key="greek_epochs")
    test_dir = None
    if held == "My letters":
        test_dir = workspace_dir("my_letters")
    elif held == "Another folder":
        text = c1.text_input("Folder of held-out letters", key="greek_test_folder")
        test_dir = Path(text.strip()).expanduser() if text.strip() else None
    if st.button("Train the new head", type="primary", key="greek_train"):
        try:
            from core.greek.transfer import load_transfer_data

            if held != "A third of this set" and test_dir is None:
                raise LabError("Enter the folder of held-out letters.")
            config = make_transfer_config(model_path, folder.resolve(), test_dir, epochs=epochs)
            load_transfer_data(config)  # bad folders are reported now, not in the worker
            st.session_state["greek_run"] = str(start_run(config, label="greek-transfer"))
        except LabError as exc:
            st.error(str(exc))
    run = st.session_state.get("greek_run")
    if not run:
        return
    watch_run(Path(run), _chart, key="greek_transfer")
    compare = read_comparison(run)
    if compare:
        c1, c2 = st.columns(2)
        c1.metric("Transfer head on held-out letters", f"{compare['test_accuracy']:.1%}")
        c2.metric(f"{compare['k']}-NN on the same letters", f"{compare['knn_accuracy']:.1%}")
        st.dataframe(pd.DataFrame(compare["rows"]), hide_index=True, key="greek_compare")


st.title("Greek letters in the MNIST embedding space")
st.markdown("The digit network, cut at its 128-unit dense layer, turns any letter into 128 numbers. "
            "Letters of one kind should land close together: the SSD tables, the heatmap, KNN and the "
            "2-D projection show how well that works.")
folder = choose_folder()
model_path = active_path()
try:
    from core.greek.lab import folder_signature

    signature = folder_signature(folder)
    symbols = _load(str(folder), signature)
    model = load_model(model_path)
    mode = st.sidebar.selectbox("KNN distances", list(FEATURE_MODES), index=list(FEATURE_MODES).index(DEFAULT_MODE),
                                format_func=lambda m: f"{m}: {FEATURE_MODES[m]}", key="greek_mode")
    analysis = _analyze(str(folder), signature, model_path, mtime(model_path), mode)
except LabError as exc:
    stop_with_error(str(exc))
show_set(symbols)
show_embedding(symbols, analysis)
show_ssd(symbols, analysis)
show_knn(symbols, analysis)
show_projection(symbols, analysis)
own_letters(symbols, analysis, model)
transfer(folder, symbols, model_path)
