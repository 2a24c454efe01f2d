"""Camera frames made from the shared digit photos, for the live-reading tests (not a test module).

`camera_frame` is what a 4:3 webcam held over the paper sees; `browser_jpeg` is what the Live tab's
component sends to Python (scaled down to 200 px wide, JPEG); `write_y4m` makes a clip Chromium's
fake camera plays.
"""

from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np

PHOTOS = Path("handwriting/digits/warrier-arj-Recognition-using-Neural-Networks")
# phone photos the default model reads right (confidence 1.0) on the Upload tab
DIGIT_PHOTOS = {2: "2/PXL_20230407_005203529.jpg", 4: "4/PXL_20230407_005206717.jpg",
                7: "7/PXL_20230407_005212787.jpg"}
WIDTH, HEIGHT = 320, 240  # the fake camera's frame size


def camera_frame(photo: np.ndarray) -> np.ndarray:
    """The middle of a photo at the camera's 4:3 size, as a camera held over the paper would see it."""
    h, w = photo.shape[:2]
    s = max(WIDTH / w, HEIGHT / h)
    scaled = cv2.resize(photo, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA)
    y0, x0 = (scaled.shape[0] - HEIGHT) // 2, (scaled.shape[1] - WIDTH) // 2
    return np.ascontiguousarray(scaled[y0:y0 + HEIGHT, x0:x0 + WIDTH])


def digit_frame(shared_data: Path, digit: int) -> np.ndarray:
    """The camera's view of the shared phone photo of `digit` (one of DIGIT_PHOTOS)."""
    from core.handwriting.imageio import decode_image

    return camera_frame(decode_image(shared_data / PHOTOS / DIGIT_PHOTOS[digit]))


def blank_paper(seed: int = 0) -> np.ndarray:
    """Beige paper under uneven light, with sensor noise: what the camera sees with no digit in view."""
    yy, xx = np.mgrid[:HEIGHT, :WIDTH].astype(np.float32)
    light = 1.0 - 0.12 * ((xx - WIDTH / 2) ** 2 + (yy - HEIGHT / 2) ** 2) / (WIDTH / 2) ** 2
    paper = np.array([214, 200, 178], np.float32) * light[..., None]
    noise = np.random.default_rng(seed).normal(0, 3, paper.shape)
    return np.clip(paper + noise, 0, 255).astype(np.uint8)


def browser_jpeg(frame: np.ndarray, width: int = 200) -> bytes:
    """The frame as the Live component sends it: scaled down to `width` pixels, JPEG."""
    from PIL import Image

    h, w = frame.shape[:2]
    small = cv2.resize(frame, (width, round(h * width / w)), interpolation=cv2.INTER_AREA)
    buf = io.BytesIO()
    Image.fromarray(small).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def write_y4m(path, frames: list[np.ndarray], rate: int) -> None:
    """A YUV4MPEG2 clip of RGB frames (I420), the format Chromium's fake camera plays in a loop."""
    with open(path, "wb") as fh:
        fh.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{rate}:1 Ip A1:1 C420jpeg\n".encode())
        for rgb in frames:
            fh.write(b"FRAME\n")
            fh.write(cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes())  # the Y, U and V planes
