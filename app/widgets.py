"""Small widgets shared by pages: error boxes, tabs that run only the open one, PNG encoding of images."""

from __future__ import annotations

import io

import numpy as np
import streamlit as st

from core.errors import LabError


def stop_with_error(message: str) -> None:
    """Show `message` as an error box and end this page run."""
    st.error(message)
    st.stop()


def guarded(func, *args, **kwargs):
    """Call `func`; on a `LabError` show its message and stop the page (never a traceback)."""
    try:
        return func(*args, **kwargs)
    except LabError as exc:
        stop_with_error(str(exc))


def tab_sections(sections: dict, key: str, always: tuple = (), default: str | None = None) -> None:
    """Tabs whose content runs only while its tab is open; switching tabs reruns the page.

    Streamlit otherwise runs and sends every tab's content on every run, so a page pays for all its
    tabs on each visit and the browser redraws all of them on each rerun. A `LabError` raised by a
    tab's content is shown as an error in that tab; the rest of the page still draws.

    Args:
        sections: tab label -> function drawing that tab's content.
        key: the tabs' widget key; `st.session_state[key]` is the open tab's label.
        always: labels whose content runs even while hidden (a canvas that must keep its strokes).
        default: the tab open on a first visit; None for the first. A new default reopens the tabs
            on it (Streamlit keys the tabs by it), so pass one that changes only with what it shows.
    """
    labels = list(sections)
    for label, tab in zip(labels, st.tabs(labels, key=key, on_change="rerun", default=default)):
        if tab.open or label in always:
            with tab:
                try:
                    sections[label]()
                except LabError as exc:
                    st.error(str(exc))


def figure_with_download(image, name: str, key: str, caption: str | None = None) -> None:
    """Show a PIL picture (or its PNG bytes) and a button that downloads exactly it as `<name>.png`."""
    from core.examine.pictures import to_png

    data = image if isinstance(image, bytes) else to_png(image)
    st.image(data, caption=caption)
    st.download_button("Download PNG", data, file_name=f"{name}.png", mime="image/png", key=key,
                       on_click="ignore", icon=":material/download:")


def png_bytes(image: np.ndarray, scale: int = 1, compress_level: int = 6) -> bytes:
    """Encode a greyscale/RGB uint8 or [0,1] float array as PNG, optionally enlarged (nearest).

    `compress_level` 1 encodes about 2.5x faster (still lossless) for images made on every stroke.
    """
    from PIL import Image

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    img = Image.fromarray(arr)
    if scale > 1:
        img = img.resize((img.width * scale, img.height * scale), Image.NEAREST)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=compress_level)
    return buf.getvalue()
