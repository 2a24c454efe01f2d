"""The Draw page (AppTest): canvas, uploads, sheets, the handwriting set, and drawn_digit for Examine."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_tab

ENTRY = Path(__file__).resolve().parents[2] / "app" / "main.py"
PHOTO = "handwriting/digits/warrier-arj-Recognition-using-Neural-Networks/4/PXL_20230407_005206717.jpg"


def open_page() -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=90)
    at.run()
    at.switch_page("../pages/draw.py")
    at.run()
    assert not at.exception
    return at


def canvas_state(rgba: np.ndarray) -> dict:
    """What the canvas component sends after a stroke: the drawing as a PNG data URL."""
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    url = "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url}, "backgroundFit": None}


def drawing_of(digit: np.ndarray) -> np.ndarray:
    """An MNIST test digit as the 280x280 RGBA canvas would hold it (white on black)."""
    big = np.asarray(Image.fromarray(digit).resize((280, 280), Image.BILINEAR))
    return np.dstack([big, big, big, np.full_like(big, 255)])


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [s.value for s in at.success] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


def test_page_opens_with_an_empty_canvas():
    """Before drawing, the page invites the user to draw and shows no error."""
    at = open_page()
    assert at.title[0].value == "Your handwriting"
    assert "Draw a digit" in texts(at)
    assert not at.error


def test_drawing_is_read_and_shared_with_examine(mnist):
    """An injected canvas drawing of a 7 is read as 7, its steps shown, and stored as drawn_digit."""
    at = open_page()
    seven = mnist.x_test[int(np.flatnonzero(mnist.y_test == 7)[0])]
    at.session_state["draw_canvas"] = canvas_state(drawing_of(seven))
    at.run()
    assert not at.exception
    assert "Prediction: **7**" in texts(at)
    captions = [c for img in at.image for c in img.captions]
    assert "What the network sees (28x28)" in captions
    strip = next(h.value for h in at.html if "<figcaption" in h.value)  # the steps, one image each
    for title in ("Greyscale", "Lighting evened out", "Ink isolated", "Scaled to fit 20x20", "Centred in 28x28"):
        assert f">{title}</figcaption>" in strip, title
    assert strip.count("<img src=\"data:image/png;base64,") == strip.count("<figcaption")
    bars = next(h.value for h in at.html if 'aria-label="Probability per class"' in h.value)
    assert bars.count('role="listitem"') == 10
    shares = [float(v) for v in re.findall(r">([0-9.]+)%</span></div>", bars)]
    assert len(shares) == 10 and shares.index(max(shares)) == 7 and 99.0 < sum(shares) < 101.0
    drawn = at.session_state["drawn_digit"]
    assert drawn["source"] == "canvas" and drawn["image"].shape == (28, 28)
    assert drawn["image"].dtype == np.float32 and 0.9 < drawn["image"].max() <= 1.0


def test_uploads_are_read_each_and_a_bad_file_gets_a_message(shared_data):
    """Two files at once: the real photo of a 4 is read, the text file gets a clear error."""
    at = open_page()
    at.file_uploader(key="draw_uploads").set_value(
        [("four.jpg", (shared_data / PHOTO).read_bytes(), "image/jpeg"),
         ("notes.png", b"just some text", "image/png")])
    at.run()
    assert not at.exception
    assert "Prediction: **4**" in texts(at)
    assert any("not an image" in e.value for e in at.error)
    assert at.session_state["drawn_digit"]["source"] == "upload: four.jpg"


def test_saving_to_my_set_shows_the_models_accuracy(mnist):
    """Save a drawn digit with its label; the set tab reports the model's accuracy on it."""
    from core.handwriting import user_set

    for item in user_set.list_digits():
        user_set.remove_digit(item.path)
    at = open_page()
    three = mnist.x_test[int(np.flatnonzero(mnist.y_test == 3)[0])]
    at.session_state["draw_canvas"] = canvas_state(drawing_of(three))
    at.run()
    at.button(key="FormSubmitter:draw_canvas_in_save-Save to my set").click()
    at.run()
    assert not at.exception
    metrics = [m for m in open_tab(at, "draw_tab", "My handwriting set").metric if "accuracy" in m.label]
    assert metrics and metrics[0].value == "100.0%"


def test_lowering_confidence_threshold_changes_unclear_flag(mnist):
    """A 99% threshold flags more readings as unclear than the default 90%."""
    at = open_page()
    digit = mnist.x_test[int(np.flatnonzero(mnist.y_test == 9)[3])]
    at.session_state["draw_canvas"] = canvas_state(drawing_of(digit))
    at.run()
    at.slider(key="draw_threshold").set_value(0.99)
    at.run()
    assert not at.exception
    assert at.session_state["draw_threshold"] == pytest.approx(0.99)


def test_sheet_tab_boxes_and_reads_every_digit(shared_data):
    """A photo-like sheet of five real digits: five boxes, read in order."""
    from core.handwriting.imageio import decode_image
    from tests.unit.handwriting_samples import digit_files, make_sheet

    files = digit_files(shared_data)[10:15]
    page, labels, _ = make_sheet([(decode_image(p), y) for p, y in files], [[0, 1, 2, 3, 4]], seed=4)
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, format="JPEG", quality=90)
    at = open_page()
    at.file_uploader(key="draw_sheet").set_value(("sheet.jpg", buf.getvalue(), "image/jpeg"))
    at.run()
    assert not at.exception
    captions = [c for img in at.image for c in img.captions]
    assert "5 digits found, in reading order" in captions
    assert "Read as: **" + " ".join(map(str, labels)) + "**" in texts(at)


def test_removing_a_saved_digit_updates_the_set(mnist):
    """A digit saved with the wrong label can be removed; the set then scores 100% again."""
    from core.handwriting import user_set

    for item in user_set.list_digits():
        user_set.remove_digit(item.path)
    two = mnist.x_test[int(np.flatnonzero(mnist.y_test == 2)[0])] / 255.0
    user_set.save_digit(two, 2)
    wrong = user_set.save_digit(two, 8)
    at = open_tab(open_page(), "draw_tab", "My handwriting set")
    assert [m.value for m in at.metric if "accuracy" in m.label] == ["50.0%"]
    at.multiselect(key="draw_set_remove").select(str(wrong.path))
    at.run()
    at.button(key="draw_set_remove_go").click()
    at.run()
    assert not at.exception
    assert not wrong.path.exists()
    assert [m.value for m in at.metric if "accuracy" in m.label] == ["100.0%"]


def test_camera_snapshot_is_read(shared_data):
    """With the camera on, a snapshot (a real phone photo of a 4) is read as 4 and shared as 'camera'."""
    at = open_page()
    at.toggle(key="draw_camera_on").set_value(True)
    at.run()
    at.camera_input(key="draw_camera").set_value(("shot.jpg", (shared_data / PHOTO).read_bytes(), "image/jpeg"))
    at.run()
    assert not at.exception
    assert "Prediction: **4**" in texts(at)
    assert at.session_state["drawn_digit"]["source"] == "camera"


def test_an_empty_drawing_says_so_instead_of_guessing():
    """A canvas that was drawn on and then reset (all black) shows a 'blank' message, no prediction."""
    at = open_page()
    blank = np.zeros((280, 280, 4), np.uint8)
    blank[..., 3] = 255
    at.session_state["draw_canvas"] = canvas_state(blank)
    at.run()
    assert not at.exception
    assert "blank" in texts(at) and "Prediction:" not in texts(at)


def _canvas_element(at: AppTest):
    """The canvas component's element (AppTest shows it as an unknown element)."""
    found = [e for e in at.get("bidi_component") if "drawable_canvas" in e.proto.component_name]
    assert len(found) == 1, found
    return found[0].proto


def test_clearing_empties_the_reading_at_once_and_keeps_the_canvas(mnist):
    """Clear: the same run shows no reading; the canvas keeps its identity and gets a new empty drawing."""
    import json

    at = open_page()
    at.session_state["draw_canvas"] = canvas_state(drawing_of(mnist.x_test[0]))
    at.run()
    assert "Prediction: **7**" in texts(at)
    before = _canvas_element(at)
    at.button(key="draw_canvas_clear").click()
    at.run()
    assert not at.exception
    assert "Draw a digit on the canvas." in texts(at) and "Prediction:" not in texts(at)
    after = _canvas_element(at)
    assert after.id == before.id  # no new widget key: the mounted canvas is reused, not remounted
    initial = json.loads(after.json)["initialDrawing"]
    assert initial["objects"] == [] and initial != json.loads(before.json)["initialDrawing"]
    # the canvas answers the reset by sending its (empty) drawing: still no reading, no "blank" guess
    at.session_state["draw_canvas"] = {"drawing": {"raw": {"objects": []}, "data": canvas_state(
        drawing_of(np.zeros((28, 28), np.uint8)))["drawing"]["data"]}, "backgroundFit": None}
    at.run()
    assert "Draw a digit on the canvas." in texts(at) and "blank" not in texts(at)


def test_reruns_keep_keras_state_and_reuse_a_strokes_reading(mnist, monkeypatch):
    """No Keras clear_session (a full gc and a cold kernel cache) after runs; a stroke is read once."""
    import keras

    from app import shown_input

    cleared, reads = [], []
    monkeypatch.setattr(keras.backend, "clear_session", lambda *a, **k: cleared.append(1))
    shown_input._shown.clear()
    original = shown_input._decoded  # the first step of reading an input
    monkeypatch.setattr(shown_input, "_decoded", lambda *a, **k: reads.append(1) or original(*a, **k))
    at = open_page()
    at.session_state["draw_canvas"] = canvas_state(drawing_of(mnist.x_test[1]))
    at.run()
    at.slider(key="draw_threshold").set_value(0.95)  # a rerun that is not a new stroke
    at.run()
    at.slider(key="draw_canvas_stroke").set_value(12)
    at.run()
    assert not at.exception and "Prediction: **2**" in texts(at)
    assert cleared == [] and len(reads) == 1
