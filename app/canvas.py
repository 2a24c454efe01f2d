"""A reusable drawing canvas (streamlit-drawable-canvas) for digits and letters.

280x280 pixels (10x MNIST), adjustable stroke width. Clearing keeps the mounted component: a
freshly mounted canvas (a new widget key) swallows the first stroke drawn before it has loaded its
initial drawing, so "Clear" instead hands the same canvas a new, empty `initial_drawing` (the
component reloads it in place) and empties the widget's stored drawing at once, so the very run
that handles the click already shows an empty reading. `streamlit_drawable_canvas` is imported
inside the functions: importing it outside a running app raises.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import streamlit as st

SIZE = 280
# the lab's own components-v2 module: a finished stroke leaves without the canvas's 200 ms wait
_send_at_once = st.components.v2.component(
    "recognition_lab.canvas_send_at_once",
    js=(Path(__file__).parent / "canvas_frontend" / "send_at_once.js").read_text(encoding="utf-8"))


def _clears_key(key: str) -> str:
    return f"{key}_clears"


def _empty_drawing(clears: int) -> dict | None:
    """The canvas's initial drawing after `clears` clears: empty, but different from the last one.

    The component reloads its drawing only when `initial_drawing` changes (compared as JSON), so
    the clear count rides along in a key Fabric.js ignores.
    """
    return None if clears == 0 else {"objects": [], "labClears": clears}


def clear_canvas(key: str) -> None:
    """Empty the canvas `key`: a button callback, so it runs before the canvas is drawn again."""
    clears = st.session_state.get(_clears_key(key), 0) + 1
    st.session_state[_clears_key(key)] = clears
    if key in st.session_state:  # the documented write-through of a component's stored state
        st.session_state[key]["drawing"] = {"raw": {"objects": []}, "data": None}


def decode_drawing(png: bytes) -> np.ndarray:
    """A canvas PNG as the RGBA uint8 array (H, W, 4) the canvas shows, background included."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def drawing_canvas(key: str, stroke_width: int = 18, size: int = SIZE, ink: str = "#FFFFFF",
                   background: str = "#000000") -> bytes | None:
    """Show the canvas and return its drawing as PNG bytes.

    Args:
        key: the widget key; the page's prefix (e.g. "draw_canvas").
        stroke_width: brush width in canvas pixels. Defaults to 18 (about MNIST's stroke at 280 px).
        size: width and height in pixels. Defaults to 280.
        ink: stroke colour. Defaults to white (MNIST's polarity).
        background: background colour, baked into the returned image. Defaults to black.

    Returns:
        PNG bytes of the whole canvas (decode with `decode_drawing`), or None before the first
        stroke and after clearing. Equal drawings give equal bytes: cache per-stroke work on them.
    """
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(stroke_width=int(stroke_width), stroke_color=ink, background_color=background,
                       height=size, width=size, drawing_mode="freedraw", update_streamlit=True,
                       return_image_data=True, key=key,
                       initial_drawing=_empty_drawing(st.session_state.get(_clears_key(key), 0)))
    # No strokes (never drawn on, or just cleared) is "nothing drawn", even once the cleared
    # canvas has sent its blank image back: a clear must not read as a blank drawing.
    if not (result.json_data or {}).get("objects"):
        return None
    return result.image_bytes


def canvas_with_controls(key: str, default_width: int = 18, size: int = SIZE,
                         ink: str = "#FFFFFF", background: str = "#000000") -> bytes | None:
    """The canvas with a stroke-width slider and a Clear button under it; returns its PNG bytes."""
    png = drawing_canvas(key, st.session_state.get(f"{key}_stroke", default_width), size, ink, background)
    st.slider("Stroke width", 4, 40, default_width, key=f"{key}_stroke",
              help="Brush width in canvas pixels; MNIST strokes are about 18 px at this size.")
    st.button("Clear the canvas", key=f"{key}_clear", on_click=clear_canvas, args=(key,),
              icon=":material/delete:")
    _send_at_once(key=f"{key}_send_at_once")  # last: an element with nothing to show, so no gap shows
    return png


def drawn_ink(png: bytes) -> np.ndarray | None:
    """A white-on-black canvas PNG as greyscale uint8 (H, W) ink, or None when nothing shows."""
    rgb = decode_drawing(png)[..., :3]
    return rgb.max(axis=2).astype(np.uint8) if rgb.max() > 0 else None
