"""The Live tab of "Your handwriting" (AppTest): frames injected as the camera component delivers them."""

from __future__ import annotations

import base64
from pathlib import Path

from streamlit.testing.v1 import AppTest

from app.live_camera import Frame, parse_frame
from core.handwriting.imageio import decode_image
from tests.pages.apptest import open_tab
from tests.unit.live_frames import blank_paper, browser_jpeg, camera_frame, digit_frame

ENTRY = Path(__file__).resolve().parents[2] / "app" / "main.py"
LATEST = "draw_live_camera_latest"   # where the component keeps the last frame it delivered
IPAD_THREE = "handwriting/digits/hangyin2020-cs5330_p5/3.png"  # read as 3 at about 98% confidence


def open_live(frame_jpeg: bytes | None = None, threshold: float | None = None) -> AppTest:
    """The page with the live camera switched on and, if given, a frame just delivered."""
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    at.run()
    at.switch_page("../pages/draw.py")
    if threshold is not None:
        at.session_state["draw_threshold"] = threshold
    at.session_state["draw_live_on"] = True
    at.session_state["draw_tab"] = "Live"  # the tab runs only while open
    if frame_jpeg is not None:
        at.session_state[LATEST] = Frame(seq=3, jpeg=frame_jpeg, fps=4.5)
    at.run()
    assert not at.exception
    return at


def live_reading(at: AppTest) -> str:
    return next(m.value for m in at.metric if m.label == "Live reading")


def test_live_tab_waits_for_the_camera_until_a_frame_arrives():
    """Off by default (the threshold named); switched on, it waits for the browser's first frame."""
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    at.run()
    at.switch_page("../pages/draw.py")
    at.run()
    assert "Read the camera live" not in [t.label for t in at.toggle]  # a hidden Live tab does not run
    open_tab(at, "draw_tab", "Live")
    assert "Read the camera live" in [t.label for t in at.toggle]
    assert any("at least 90% sure" in c.value for c in at.caption)
    at = open_live()
    assert any("Waiting for the first frame" in i.value for i in at.info)


def test_a_frame_of_a_seven_is_read_with_its_box_input_and_top_3(shared_data):
    """A delivered frame of a photographed 7 reads "7"; the boxed frame, 28x28 and top 3 are shown."""
    at = open_live(browser_jpeg(digit_frame(shared_data, 7)))
    assert live_reading(at) == "7"
    assert [m.value for m in at.markdown if m.value.startswith("Top 3: ")][0].startswith("Top 3: **7**")
    assert any(c.value == "Frame 3 · 4.5 frames a second" for c in at.caption)
    assert "drawn_digit" not in at.session_state  # only Freeze shares a live frame


def test_the_sidebar_threshold_turns_a_reading_unsure(shared_data):
    """A frame read at about 98% is "3" at the default 90% threshold and "unsure" at 99%."""
    jpeg = browser_jpeg(camera_frame(decode_image(shared_data / IPAD_THREE)))
    assert live_reading(open_live(jpeg)) == "3"
    at = open_live(jpeg, threshold=0.99)
    assert live_reading(at) == "unsure"
    assert [m.value for m in at.markdown if m.value.startswith("Top 3: ")][0].startswith("Top 3: **3**")


def test_blank_paper_reads_unsure():
    """A frame of blank paper is "unsure", never a digit."""
    at = open_live(browser_jpeg(blank_paper()))
    assert live_reading(at) == "unsure"


def test_freeze_reads_the_frame_like_a_snapshot_and_shares_it_with_examine(shared_data):
    """Freeze: the frame gets the full snapshot reading and becomes Examine's drawn digit; then back."""
    at = open_live(browser_jpeg(digit_frame(shared_data, 4)))
    at.button(key="draw_live_freeze").click()
    at.run()
    assert not at.exception
    assert any("Prediction: **4**" in s.value for s in at.success)
    drawn = at.session_state["drawn_digit"]
    assert drawn["source"] == "live camera" and drawn["image"].shape == (28, 28)
    assert not [m for m in at.metric if m.label == "Live reading"]
    at.button(key="draw_live_resume").click()
    at.run()
    assert live_reading(at) == "4"


def test_parse_frame_takes_only_jpeg_data_urls():
    """The component's trigger value: a JPEG data URL with its number; anything else is ignored."""
    jpeg = browser_jpeg(blank_paper())
    url = "data:image/jpeg;base64," + base64.b64encode(jpeg).decode()
    assert parse_frame({"seq": 7, "image": url, "fps": 3.5}) == Frame(7, jpeg, 3.5)
    assert parse_frame({"seq": 1, "image": "data:image/png;base64,AAAA"}) is None
    assert parse_frame({"seq": 1, "image": "data:image/jpeg;base64,not base64!"}) is None
    assert parse_frame(None) is None
