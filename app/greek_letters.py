"""The Greek page's letter blocks: where the letters come from, and the user's own letters placed among them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from app.html_views import image_strip
from app.server import server_folders_allowed
from app.widgets import png_bytes, stop_with_error
from core.errors import LabError
from core.paths import ASSETS_DIR, workspace_dir

DEFAULT_SET = ASSETS_DIR / "greek"
SOURCES = ("Default set (assets/greek)", "A folder on this computer", "Upload a zip", "My letters")
PHOTO_TYPES = ["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif"]


def _zip_folder() -> Path:
    from core.greek.symbols import extract_zip

    upload = st.file_uploader("A zip of letter images", type=["zip"], key="greek_zip")
    if upload is None:
        st.info("Upload a zip whose images are named like `alpha_001.png` or sit in class folders.")
        st.stop()
    data = upload.getvalue()
    dest = workspace_dir("greek_uploads") / hashlib.sha1(data).hexdigest()[:16]
    try:
        return extract_zip(data, dest)
    except LabError as exc:
        stop_with_error(str(exc))


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
        return _zip_folder()
    if source == SOURCES[3]:
        mine = workspace_dir("my_letters")
        if not any(p.is_file() for p in mine.rglob("*.png")):
            stop_with_error("No letters saved yet. Choose the default set, draw or upload letters under "
                            "*Your own letters* and save them with a label (two kinds at least).")
        return mine
    return DEFAULT_SET


def _letter_ui(key, name: str, raw_image, image, res, symbols, k: int) -> None:
    """One letter: its 28x28, the KNN vote, its nearest neighbours, and Save with a label."""
    from core.greek.lab import save_letter

    cols = st.columns([1, 4])
    cols[0].image(png_bytes(image, 4), caption=f"{name} (28x28)", output_format="PNG")
    cols[0].markdown(f"KNN vote (k={k}): **{res.predicted}**  \n"
                     + ", ".join(f"{c}: {v}" for c, v in res.votes.items()))
    cols[1].html(image_strip([(f"{r['class']} SSD {r['ssd']:.1f}", png_bytes(symbols.images[r["index"]], 3))
                              for r in res.neighbours], max_px=84))
    cols[1].caption("Nearest first by the KNN distance chosen in the sidebar; SSD is the raw "
                    "128-number sum-squared distance.")
    label = cols[0].text_input("Label", value=res.predicted, key=f"greek_label_{key}")
    if cols[0].button("Save to my letters", key=f"greek_save_{key}"):
        try:
            path = save_letter(workspace_dir("my_letters"), label, raw_image)
            cols[0].success(f"Saved as {path.parent.name}/{path.name} in my letters.")
        except LabError as exc:
            cols[0].error(str(exc))


def _read_letter(key, name: str, raw_image, symbols, analysis, model) -> None:
    """One drawn or uploaded letter, preprocessed like MNIST and placed among the set by KNN."""
    from core.greek.lab import query
    from core.handwriting.preprocess import NoInkFound, preprocess

    k = max(st.session_state.get("greek_k", 1), 1)
    try:
        image = preprocess(raw_image).image
    except NoInkFound as exc:
        st.info(f"{name}: {exc}")
        return
    except LabError as exc:
        st.error(f"{name}: {exc}")
        return
    _letter_ui(key, name, raw_image, image, query(model, analysis, symbols, image, k=k), symbols, k)


@st.fragment
def _drawn_letter(symbols, analysis, model) -> None:
    """The letter canvas and its reading; a fragment, so a stroke reruns only this block, not the
    page's SSD tables, heatmap and projections."""
    from app.canvas import canvas_with_controls, decode_drawing

    drawn = canvas_with_controls("greek_canvas")  # PNG bytes; RGBA to preprocess, as the Draw page does
    if drawn is not None:
        _read_letter("drawing", "drawing", decode_drawing(drawn), symbols, analysis, model)


def own_letters_ui(symbols, analysis, model) -> None:
    """Draw or upload letters; each is preprocessed like MNIST and placed among the set by KNN."""
    from core.handwriting.imageio import decode_image

    st.subheader("Your own letters")
    tab_draw, tab_upload = st.tabs(["Draw", "Upload photos"])
    with tab_draw:
        _drawn_letter(symbols, analysis, model)
    with tab_upload:
        files = st.file_uploader("Photos of letters", type=PHOTO_TYPES, accept_multiple_files=True,
                                 key="greek_photos")
        for n, f in enumerate(files or []):
            try:
                raw_image = decode_image(f.getvalue())
            except LabError as exc:
                st.error(f"{f.name}: {exc}")
                continue
            _read_letter(n, f.name, raw_image, symbols, analysis, model)
