"""A reusable drawing canvas (streamlit-drawable-canvas) for digits and letters.

280x280 pixels (10x MNIST), adjustable stroke width, cleared by changing the widget key (the only
reliable way with the canvas component). `streamlit_drawable_canvas` is imported inside the
function: importing it outside a running app raises.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

SIZE = 280


def _version_key(key: str) -> str:
    return f"{key}_version"


def canvas_key(key: str) -> str:
    """The widget key the canvas currently uses (changes on every clear)."""
    return f"{key}_{st.session_state.get(_version_key(key), 0)}"


def clear_canvas(key: str) -> None:
    """Empty the canvas `key` on the next run (a new widget key mounts a blank canvas)."""
    old = canvas_key(key)
    st.session_state[_version_key(key)] = st.session_state.get(_version_key(key), 0) + 1
    st.session_state.pop(old, None)


def drawing_canvas(key: str, stroke_width: int = 18, size: int = SIZE, ink: str = "#FFFFFF",
                   background: str = "#000000") -> np.ndarray | None:
    """Show the canvas and return its drawing.

    Args:
        key: base key; the page's prefix (e.g. "draw_canvas").
        stroke_width: brush width in canvas pixels. Defaults to 18 (about MNIST's stroke at 280 px).
        size: width and height in pixels. Defaults to 280.
        ink: stroke colour. Defaults to white (MNIST's polarity).
        background: background colour, baked into the returned image. Defaults to black.

    Returns:
        RGBA uint8 array (H, W, 4), or None before the first stroke and after clearing.
    """
    from streamlit_drawable_canvas import st_canvas

    result = st_canvas(stroke_width=int(stroke_width), stroke_color=ink, background_color=background,
                       height=size, width=size, drawing_mode="freedraw", update_streamlit=True,
                       return_image_data=True, key=canvas_key(key))
    data = result.image_data
    if data is None:
        return None
    arr = np.asarray(data)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        return None
    return arr


def canvas_with_controls(key: str, default_width: int = 18, size: int = SIZE,
                         ink: str = "#FFFFFF", background: str = "#000000") -> np.ndarray | None:
    """The canvas with a stroke-width slider and a Clear button under it; returns its RGBA image."""
    image = drawing_canvas(key, st.session_state.get(f"{key}_stroke", default_width), size, ink, background)
    st.slider("Stroke width", 4, 40, default_width, key=f"{key}_stroke",
              help="Brush width in canvas pixels; MNIST strokes are about 18 px at this size.")
    st.button("Clear the canvas", key=f"{key}_clear", on_click=clear_canvas, args=(key,),
              icon=":material/delete:")
    return image
