"""Reading live camera frames (core.handwriting.live): the photo pipeline, the threshold, "unsure"."""

import cv2
import numpy as np
import pytest

from core.handwriting.imageio import decode_image
from core.handwriting.live import UNSURE, read_frame
from core.handwriting.preprocess import preprocess
from core.handwriting.reading import read
from tests.unit.live_frames import (DIGIT_PHOTOS, HEIGHT, WIDTH, blank_paper, browser_jpeg, digit_frame,
                                    write_y4m)


@pytest.mark.parametrize("digit", sorted(DIGIT_PHOTOS))
def test_a_camera_frame_of_a_photo_is_read_as_its_digit(default_model, shared_data, digit):
    """The phone photo as the browser sends it (200 px JPEG) is read as its digit, boxed on the frame."""
    live = read_frame(default_model, browser_jpeg(digit_frame(shared_data, digit)))
    assert live.verdict == str(digit)
    assert live.reading.label == digit and live.reading.confidence >= 0.9
    assert live.prepared.image.shape == (28, 28)
    assert live.frame.shape == (150, 200, 3)
    x, y, w, h = live.prepared.box
    assert 0 <= x < x + w <= 200 and 0 <= y < y + h <= 150 and w * h > 200
    red = (live.frame[..., 0] > 200) & (live.frame[..., 1] < 80)  # the box is drawn in red
    assert red[y:y + h, x].mean() > 0.9 and red[y:y + h, x + w - 1].mean() > 0.9  # its two sides


def test_the_frame_goes_through_the_photo_pipeline(default_model, shared_data):
    """The live reading is exactly decode -> preprocess -> read, as on the Upload tab."""
    data = browser_jpeg(digit_frame(shared_data, 4))
    expected = read(default_model, preprocess(decode_image(data)).image)[0]
    live = read_frame(default_model, data)
    np.testing.assert_array_equal(live.reading.probabilities, expected.probabilities)


def test_below_the_threshold_the_reading_is_unsure(default_model, shared_data):
    """The same frame is named at a threshold just under its confidence and "unsure" just above it."""
    data = browser_jpeg(digit_frame(shared_data, 2))
    confidence = read_frame(default_model, data, 0.0).reading.confidence
    assert read_frame(default_model, data, confidence).verdict == "2"
    unsure = read_frame(default_model, data, np.nextafter(confidence, 2.0))
    assert unsure.verdict == UNSURE
    assert unsure.reading.label == 2  # the top 3 is still there to show


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_blank_paper_reads_unsure(default_model, seed):
    """A frame of blank paper under uneven light is "unsure", with the reason."""
    live = read_frame(default_model, browser_jpeg(blank_paper(seed)))
    assert live.verdict == UNSURE
    assert live.reading is None or live.reading.unclear()


def test_a_damaged_frame_reads_unsure_with_a_message(default_model):
    """Bytes that are not an image give "unsure" and the decoder's message, not an exception."""
    live = read_frame(default_model, b"\xff\xd8 not really a jpeg")
    assert live.verdict == UNSURE and live.reading is None
    assert "image" in live.message


def test_the_y4m_clip_holds_the_frames_in_i420(tmp_path, shared_data):
    """The clip the browser test plays: the YUV4MPEG2 header, then each frame's planes decode back."""
    frames = [digit_frame(shared_data, 7), blank_paper()]
    path = tmp_path / "clip.y4m"
    write_y4m(path, frames, rate=10)
    data = path.read_bytes()
    header, rest = data.split(b"\n", 1)
    assert header.split()[:4] == [b"YUV4MPEG2", f"W{WIDTH}".encode(), f"H{HEIGHT}".encode(), b"F10:1"]
    size = WIDTH * HEIGHT * 3 // 2
    chunks = rest.split(b"FRAME\n")[1:]
    assert [len(c) for c in chunks] == [size, size]
    back = cv2.cvtColor(np.frombuffer(chunks[0], np.uint8).reshape(HEIGHT * 3 // 2, WIDTH),
                        cv2.COLOR_YUV2RGB_I420)
    assert np.abs(back.astype(int) - frames[0]).mean() < 6
