"""The Live tab of "Your handwriting": the camera read continuously, frame by frame.

Frames come from the lab's own component (`app.live_camera`) and go through the same decode,
preprocessing and model call as photos (`core.handwriting.live.read_frame`). The tab is a fragment,
so each frame reruns only this block. "Freeze" keeps the current frame and hands it to the page's
snapshot view, which shows it as the Camera tab shows a snapshot and shares it with Examine.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from app.live_camera import latest_frame, live_camera
from app.widgets import png_bytes
from core.handwriting.live import LiveReading, read_frame

CAMERA = "draw_live_camera"
FROZEN = "draw_live_frozen"
FPS = 5        # the browser sends at most this many frames a second
WIDTH = 200    # ... scaled down to this width: plenty for one digit, cheap to send and read


def _freeze() -> None:
    frame = latest_frame(CAMERA)
    if frame is not None:
        st.session_state[FROZEN] = frame.jpeg


def _unfreeze() -> None:
    st.session_state.pop(FROZEN, None)


@st.fragment
def live_tab(model, threshold: float, snapshot_ui: Callable[[bytes], None], class_names=None) -> None:
    """The Live tab; `snapshot_ui(jpeg)` shows a frozen frame the way the Camera tab shows a snapshot.

    `class_names` are the model's, so a letter model's verdict names the letter.
    """
    frozen = st.session_state.get(FROZEN)
    if frozen is not None:
        st.button("Back to live", key="draw_live_resume", on_click=_unfreeze, icon=":material/videocam:")
        st.caption("The frozen frame, read like a camera snapshot; Examine now looks at it.")
        snapshot_ui(frozen)
        return
    if not st.toggle("Read the camera live", key="draw_live_on", persist_state="page",
                     help="Asks the browser for camera access; hold a digit written on paper in front of it."):
        st.caption(f"Reads a few frames a second and names the digit only when the model is at least "
                   f"{threshold:.0%} sure (the threshold is in the sidebar).")
        return
    cam, seen, result = st.columns([1, 1, 1])
    slot = cam.empty()
    frame = latest_frame(CAMERA)
    if frame is None:
        seen.info("Waiting for the first frame...", icon=":material/hourglass_top:")
    else:
        live = read_frame(model, frame.jpeg, threshold, class_names)
        seen.image(live.frame, caption="The frame, with the box that was cropped", width="stretch")
        with result:
            verdict_ui(live, threshold)
        st.button("Freeze", key="draw_live_freeze", on_click=_freeze, icon=":material/pause:",
                  help="Keep this frame: read it in full like a snapshot and look at it in Examine.")
        st.caption(f"Frame {frame.seq} · {frame.fps:.1f} frames a second")
    with slot:  # mounted last: its ack asks for the next frame, which should find this run finished
        error = live_camera(CAMERA, fps=FPS, width=WIDTH)
    if error:
        st.error(f"The camera could not be opened ({error}). Allow camera access for this site in the "
                 "browser (browsers offer the camera only on https or localhost), or use the Upload tab.")


def verdict_ui(live: LiveReading, threshold: float) -> None:
    """The 28x28 input, the verdict (a digit, or "unsure" below the threshold) and the top 3."""
    with st.container(key="draw_live_reading"):
        st.metric("Live reading", live.verdict,
                  help=f"A digit is named only when the model is at least {threshold:.0%} sure.")
    if live.reading is None:
        st.caption(live.message)
        return
    st.image(png_bytes(live.prepared.image, 4), caption="What the network sees (28x28)")
    st.markdown("Top 3: " + " · ".join(f"**{c}** {p:.1%}" for c, p in live.reading.top_named(3)))
