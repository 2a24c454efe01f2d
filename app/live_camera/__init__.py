"""Live camera frames from the browser: the lab's own Streamlit component (components v2, plain JS).

The browser grabs frames with getUserMedia, scales them down to `width` pixels and sends one at a time
as a JPEG data URL; the next leaves once a run has mounted the component with the last frame's number
(the ack), at most `fps` a second. Mount it last in its fragment, so the next frame arrives when the
run is over. The frontend files are read from `frontend/` and passed inline: nothing to build or install.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import streamlit as st

FRONTEND = Path(__file__).parent / "frontend"
PREFIX = "data:image/jpeg;base64,"


def _asset(name: str) -> str:
    return (FRONTEND / name).read_text(encoding="utf-8")


_mount = st.components.v2.component(
    "recognition_lab.live_camera",
    html=_asset("live_camera.html"),
    css=_asset("live_camera.css"),
    js=_asset("live_camera.js"),
)


@dataclass(frozen=True)
class Frame:
    """One frame from the browser: its number, JPEG bytes and the measured frames per second."""

    seq: int
    jpeg: bytes
    fps: float


def parse_frame(value) -> Frame | None:
    """The `Frame` in the component's "frame" value, or None when it is missing or malformed."""
    if not isinstance(value, dict) or not str(value.get("image", "")).startswith(PREFIX):
        return None
    try:
        jpeg = base64.b64decode(value["image"][len(PREFIX):], validate=True)
        return Frame(int(value.get("seq", 0)), jpeg, float(value.get("fps") or 0.0))
    except (binascii.Error, TypeError, ValueError):
        return None


def _latest_key(key: str) -> str:
    return f"{key}_latest"


def _keep_frame(key: str) -> None:
    """Component callback: keep the frame that just arrived, so this run acknowledges it."""
    frame = parse_frame((st.session_state.get(key) or {}).get("frame"))
    if frame is not None:
        st.session_state[_latest_key(key)] = frame


def latest_frame(key: str) -> Frame | None:
    """The last frame the camera `key` sent in this session (kept across reruns), or None."""
    return st.session_state.get(_latest_key(key))


def live_camera(key: str, fps: float = 5.0, width: int = 200) -> str | None:
    """Show the camera preview and acknowledge the latest frame; return the camera's error or None.

    Read the frame with `latest_frame(key)` before this call: the ack lets the browser send the next.

    Args:
        key: widget key; the page's prefix (e.g. "draw_live_camera").
        fps: most frames a second the browser sends. Defaults to 5.
        width: width in pixels the frames are scaled down to. Defaults to 200.
    """
    latest = latest_frame(key)
    data = {"done": latest.seq if latest else 0, "fps": float(fps), "width": int(width)}
    result = _mount(key=key, data=data, on_frame_change=partial(_keep_frame, key),
                    on_error_change=lambda: None)
    return result.get("error")
