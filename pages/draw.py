"""Your handwriting: draw, upload or photograph digits and see every preprocessing step and the reading."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from app.active_model import active_entry, check_or_offer_default
from app.canvas import canvas_with_controls
from app.html_views import image_strip, probability_bars
from app.live import live_tab
from app.resources import load_model
from app.shown_input import NotShown, ShownInput, shown_input
from app.widgets import png_bytes, tab_sections
from core.handwriting import user_set
from core.errors import LabError
from core.handwriting.imageio import decode_image
from core.handwriting.reading import (DEFAULT_THRESHOLD, Reading, check_readable, follow_reading, read,
                                      saved_label_choices, what_it_reads)
from core.handwriting.sheets import annotate, segment

MAX_UPLOADS = 24
KIND_KEY = "draw_model_kind"  # the active model's kind, set by main() for the fragment's reruns


@st.cache_data(max_entries=8, show_spinner="Finding the digits on the sheet...")
def segmented(data: bytes):
    """(decoded sheet, characters in reading order), or the message saying what went wrong."""
    try:
        raw = decode_image(data)
        return raw, segment(raw)[0]
    except LabError as exc:
        return str(exc)


def names() -> tuple:
    """The active model's class names: readings say "beta" for a letter model, never "1"."""
    return st.session_state[KIND_KEY].class_names


def model_or_stop():
    """(the active model, its file) when it can read handwriting, or a one-line reason and the end of the
    page run."""
    entry = active_entry()
    check_or_offer_default(check_readable, entry, "draw_use_default")
    st.session_state[KIND_KEY] = entry.model_kind
    st.caption(what_it_reads(entry.model_kind))
    try:
        return load_model(entry.path), entry.path
    except LabError as exc:
        st.error(f"{exc} Choose another model in the sidebar or train one on the Train page.")
        st.stop()


def remember(image: np.ndarray, source: str) -> None:
    """Make a newly seen input the `drawn_digit` the Examine page looks at."""
    digest = hashlib.sha1(image.tobytes()).hexdigest()
    seen = st.session_state.setdefault("draw_seen", [])
    if digest not in seen:
        seen.append(digest)
        del seen[:-50]
        st.session_state["drawn_digit"] = {"image": image.astype(np.float32), "source": source}


def steps_ui(steps) -> None:
    """The preprocessing steps side by side, each with its title (PNG bytes, made once per input)."""
    st.html(image_strip(steps))


def reading_ui(reading: Reading, threshold: float, key: str) -> None:
    """Prediction, top 3, 'unclear' flag and the probabilities as a bar chart, in the model's class names."""
    if reading.unclear(threshold):
        st.warning(f"Unclear: best guess **{reading.name}** at {reading.confidence:.1%} "
                   f"(below the {threshold:.0%} threshold)", icon=":material/help:")
    else:
        st.success(f"Prediction: **{reading.name}** ({reading.confidence:.1%})", icon=":material/check:")
    st.markdown("Top 3: " + " · ".join(f"**{c}** {p:.1%}" for c, p in reading.top_named(3)))
    st.html(probability_bars(reading.class_names, reading.probabilities))


def save_ui(image: np.ndarray, reading: Reading, source: str, key: str) -> None:
    """Label the digit and save it into 'My handwriting set'."""
    if saved_label_choices(st.session_state[KIND_KEY]) is None:
        st.caption("Your handwriting set keeps digits: make a digit model active to save drawings to it.")
        return
    follow_reading(st.session_state, f"{key}_label", reading)
    with st.form(f"{key}_save", border=False):
        left, right = st.columns([1, 1], vertical_alignment="bottom")
        label = left.selectbox("True label", list(range(10)), key=f"{key}_label")
        if right.form_submit_button("Save to my set", icon=":material/save:"):
            try:
                saved = user_set.save_digit(image, int(label), source)
            except (LabError, OSError) as exc:
                st.error(f"Could not save the digit: {exc}")
            else:
                st.toast(f"Saved as {saved.label}: {saved.path.name}")
                st.rerun()  # the whole page, so the set tab shows the new digit


def input_ui(shown: ShownInput | NotShown, source: str, threshold: float, key: str, steps_area=None) -> None:
    """Everything shown for one input: steps (in `steps_area` if given), the final 28x28, the reading."""
    if isinstance(shown, NotShown):
        if shown.bad_file:
            st.error(shown.message)
        else:
            st.info(shown.message, icon=":material/ink_eraser:")
        return
    reading = Reading(shown.probabilities, names())
    remember(shown.image, source)
    with steps_area if steps_area is not None else st.container():
        st.markdown("**Preprocessing, step by step**")
        steps_ui(shown.steps)
    left, right = st.columns([1, 2])
    left.image(shown.network_png, caption="What the network sees (28x28)", output_format="PNG")
    with right:
        reading_ui(reading, threshold, key)
        save_ui(shown.image, reading, source, key)


@st.fragment
def canvas_tab(model_path: str, threshold: float) -> None:
    """The canvas and its reading; a fragment, so a stroke reruns only this part of the page."""
    st.caption("Draw one digit with the mouse; the reading updates after every stroke.")
    st.space(32)  # the canvas's toolbar pops up 2.65rem above it on hover: keep the caption clear
    left, right = st.columns([1, 2])
    with left:
        png = canvas_with_controls("draw_canvas")
    steps_area = st.container()
    with right:
        if png is None:
            st.info("Draw a digit on the canvas.", icon=":material/draw:")
        else:
            input_ui(shown_input(png, "canvas", model_path), "canvas", threshold, "draw_canvas_in", steps_area)


def uploads_tab(model_path: str, threshold: float) -> None:
    files = st.file_uploader("Photos or scans of single digits", accept_multiple_files=True,
                             type=["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif", "tiff"],
                             key="draw_uploads")
    if not files:
        st.caption("Upload one or more photos: dark ink on paper or light ink on a dark background.")
        return
    if len(files) > MAX_UPLOADS:
        st.warning(f"Showing the first {MAX_UPLOADS} of {len(files)} files.")
    for i, f in enumerate(files[:MAX_UPLOADS]):
        with st.container(border=True):
            st.markdown(f"**{f.name}**")
            input_ui(shown_input(f.getvalue(), "file", model_path), f"upload: {f.name}", threshold,
                     f"draw_upload_{i}")


def camera_tab(model_path: str, threshold: float) -> None:
    if not st.toggle("Use the camera", key="draw_camera_on",
                     help="Asks the browser for camera access; hold a digit written on paper in front of it."):
        return
    shot = st.camera_input("Take a picture of one digit", key="draw_camera")
    if shot is None:
        return
    input_ui(shown_input(shot.getvalue(), "file", model_path), "camera", threshold, "draw_camera_in")


def sheet_tab(model, threshold: float) -> None:
    sheet = st.file_uploader("A photo of a page with several digits", key="draw_sheet",
                             type=["png", "jpg", "jpeg", "bmp", "webp", "gif", "tif", "tiff"])
    if sheet is None:
        st.caption("Write 0-9 on a sheet of paper, leave space between the digits, and photograph it.")
        return
    found = segmented(sheet.getvalue())
    if isinstance(found, str):
        st.error(found)
        return
    raw, characters = found
    readings = read(model, [c.image for c in characters], names())
    labels = [f"{r.name}?" if r.unclear(threshold) else r.name for r in readings]
    st.image(annotate(raw, [c.box for c in characters], labels),
             caption=f"{len(characters)} digits found, in reading order", width="stretch")
    st.markdown("Read as: **" + " ".join(r.name for r in readings) + "**")
    per_row = 8
    for start in range(0, len(characters), per_row):
        cols = st.columns(per_row)
        for col, c, r, n in zip(cols, characters[start:], readings[start:], range(start + 1, 10**6)):
            col.image(png_bytes(c.image, 3), caption=f"#{n}: {r.name} ({r.confidence:.0%})")


def set_tab(model) -> None:
    if saved_label_choices(st.session_state[KIND_KEY]) is None:
        st.info("Your handwriting set holds digits; the active model does not read digits.")
        return
    score = user_set.score(model)
    if not score.count:
        st.info("Your set is empty: save drawn or uploaded digits with **Save to my set**.")
        return
    st.metric("Active model's accuracy on your handwriting", f"{score.accuracy:.1%}",
              help=f"{score.count} saved digits")
    st.dataframe(pd.DataFrame(score.per_label()), hide_index=True,
                 column_config={"accuracy": st.column_config.ProgressColumn(format="percent", min_value=0,
                                                                            max_value=1)})
    mistakes = score.mistakes()
    if mistakes:
        st.markdown(f"**Misread ({len(mistakes)})**")
        cols = st.columns(8)
        for i, m in enumerate(mistakes[:32]):
            cols[i % 8].image(png_bytes(score.images[m["index"]], 3),
                              caption=f"{m['label']} read as {m['predicted']}")
    remove_ui(score)
    st.caption(f"Saved in `{user_set.set_dir()}`")


def remove_ui(score) -> None:
    """Remove wrongly saved digits from the set."""
    names = {str(item.path): f"{item.label} · {item.path.name}" for item in score.items}
    chosen = st.multiselect("Remove digits from the set", list(names), format_func=names.get,
                            key="draw_set_remove", placeholder="Choose saved digits to remove")
    if chosen and st.button("Remove", key="draw_set_remove_go", icon=":material/delete:"):
        try:
            for path in chosen:
                user_set.remove_digit(path)
        except (LabError, OSError) as exc:
            st.error(f"Could not remove a digit: {exc}")
        else:
            st.session_state.pop("draw_set_remove", None)
            st.rerun()


def main() -> None:
    st.title("Your handwriting")
    model, model_path = model_or_stop()
    threshold = st.sidebar.slider("Unclear below confidence", 0.5, 0.99, DEFAULT_THRESHOLD, 0.01,
                                  key="draw_threshold", format="%.2f",
                                  help="Readings less confident than this are flagged as unclear.")
    # Live and the set run only while open (a hidden camera stops; the set is scored when looked at);
    # the others hold strokes, photos and a snapshot that a rerun without them would drop.
    tab_sections({"Draw": lambda: canvas_tab(model_path, threshold),
                  "Upload photos": lambda: uploads_tab(model_path, threshold),
                  "Camera": lambda: camera_tab(model_path, threshold),
                  "Live": lambda: live_tab(model, threshold,
                                           lambda jpeg: input_ui(shown_input(jpeg, "file", model_path),
                                                                 "live camera", threshold, "draw_live_in"),
                                           names()),
                  "Sheet of digits": lambda: sheet_tab(model, threshold),
                  "My handwriting set": lambda: set_tab(model)},
                 key="draw_tab", always=("Draw", "Upload photos", "Camera", "Sheet of digits"))


main()
