"""Decoding user images: every common format and mode, EXIF orientation, and bad files."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.handwriting.imageio import ImageFileError, ImageTooLarge, decode_image, flatten_alpha

PHOTO = "handwriting/digits/warrier-arj-Recognition-using-Neural-Networks/7/PXL_20230407_005212787.jpg"
IPAD = "handwriting/digits/hangyin2020-cs5330_p5/3.png"


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


@pytest.fixture(scope="module")
def photo(shared_data) -> Image.Image:
    """A real phone photo of a 7 (black marker on beige paper), shrunk for speed."""
    img = Image.open(shared_data / PHOTO).convert("RGB")
    img.thumbnail((200, 200))
    return img


def ink_darker_than_paper(arr: np.ndarray) -> bool:
    grey = arr if arr.ndim == 2 else arr.mean(axis=2)
    return np.percentile(grey, 1) < np.median(grey) - 60


@pytest.mark.parametrize("fmt,mode", [("PNG", "L"), ("PNG", "RGB"), ("JPEG", "RGB"), ("BMP", "RGB"),
                                      ("WEBP", "RGB"), ("PNG", "P"), ("GIF", "P"), ("TIFF", "RGB")])
def test_common_formats_decode_to_the_same_picture(photo, fmt, mode):
    """PNG, JPEG, BMP, WebP, GIF and TIFF in grey, colour and palette modes give the photo's pixels."""
    data = encode(photo.convert(mode), fmt)
    arr = decode_image(data)
    assert arr.dtype == np.uint8 and arr.shape[:2] == (photo.height, photo.width)
    assert arr.ndim == 2 or arr.shape[2] == 3
    grey = arr if arr.ndim == 2 else arr.mean(axis=2)
    reference = np.asarray(photo.convert("L"), np.float32)
    assert np.abs(grey - reference).mean() < 12  # lossy formats and palettes stay close
    assert ink_darker_than_paper(arr)


def test_gif_animation_gives_its_first_frame():
    """An animated GIF is read as its first frame."""
    first = Image.new("L", (40, 40), 0)
    second = Image.new("L", (40, 40), 255)
    buf = io.BytesIO()
    first.save(buf, format="GIF", save_all=True, append_images=[second], duration=100)
    assert decode_image(buf.getvalue()).max() < 10


def test_sixteen_bit_png_is_scaled_to_eight_bits():
    """A 16-bit greyscale PNG keeps its contrast after conversion to 8 bits."""
    arr16 = np.zeros((30, 30), np.uint16)
    arr16[10:20, 10:20] = 65535
    arr16[0, 0] = 32768
    out = decode_image(encode(Image.fromarray(arr16), "PNG"))
    assert out.dtype == np.uint8
    assert out[15, 15] == 255 and out[5, 5] == 0 and 120 <= out[0, 0] <= 135


def test_exif_orientation_is_applied(photo):
    """A JPEG stored sideways with EXIF orientation 6 (rotate 90 clockwise) is turned upright."""
    sideways = photo.transpose(Image.Transpose.ROTATE_90)  # what the camera sensor stored
    exif = Image.Exif()
    exif[0x0112] = 6
    arr = decode_image(encode(sideways, "JPEG", exif=exif.tobytes(), quality=95))
    assert arr.shape[:2] == (photo.height, photo.width)
    upright = np.asarray(photo.convert("L"), np.float32)
    assert np.abs(arr.mean(axis=2) - upright).mean() < 10


def test_transparent_background_keeps_dark_strokes_visible():
    """Black strokes on a transparent background come out dark on white."""
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[5:35, 18:22] = (0, 0, 0, 255)
    arr = decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert arr[20, 20].max() < 20 and arr[2, 2].min() > 240


def test_transparent_background_keeps_white_strokes_visible():
    """White strokes on a transparent background come out white on black."""
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[5:35, 18:22] = (255, 255, 255, 255)
    arr = flatten_alpha(rgba)
    assert arr[20, 20].min() > 240 and arr[2, 2].max() < 20


def test_opaque_rgba_ipad_drawing_keeps_its_colours(shared_data):
    """The iPad drawings (opaque RGBA, white on black) decode to RGB unchanged."""
    arr = decode_image(shared_data / IPAD)
    assert arr.shape == (2224, 1668, 3)
    assert np.median(arr) <= 2 and arr.max() == 255


def test_empty_file_is_refused(tmp_path):
    """A 0-byte file gives a clear message."""
    path = tmp_path / "empty.png"
    path.write_bytes(b"")
    with pytest.raises(ImageFileError, match="empty"):
        decode_image(path)


def test_truncated_file_is_refused(photo):
    """Half a JPEG gives a 'damaged or truncated' message."""
    data = encode(photo, "JPEG")
    with pytest.raises(ImageFileError, match="truncated"):
        decode_image(data[: len(data) // 2])


def test_text_renamed_png_is_refused(tmp_path):
    """A text file named .png is 'not an image file'."""
    path = tmp_path / "notes.png"
    path.write_text("these are my notes, not a picture\n" * 20)
    with pytest.raises(ImageFileError, match="not an image"):
        decode_image(path)


def huge_png(width: int = 20_000, height: int = 20_000) -> bytes:
    """A valid all-black grey PNG of width x height, built without holding its pixels in memory.

    Deflate blocks ended by a full flush do not refer back to earlier data, so one compressed band
    of rows can be repeated; the stream ends with an empty final block and the Adler-32 of it all.
    """
    band_rows = 1000
    band = b"\0" * ((width + 1) * band_rows)
    head_comp = zlib.compressobj(9)
    head = head_comp.compress(band) + head_comp.flush(zlib.Z_FULL_FLUSH)  # zlib header + band
    body = head_comp.compress(band) + head_comp.flush(zlib.Z_FULL_FLUSH)  # same band, no header
    adler = 1
    for _ in range(height // band_rows):
        adler = zlib.adler32(band, adler)
    idat = head + body * (height // band_rows - 1) + b"\x03\x00" + struct.pack(">I", adler)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_huge_png_helper_is_a_real_png():
    """The oracle: the crafted stream inflates to exactly the rows a real PNG of that size holds."""
    data = huge_png(300, 2000)
    img = Image.open(io.BytesIO(data))
    assert img.size == (300, 2000)
    img.load()
    assert np.asarray(img).max() == 0


def test_20000_by_20000_png_is_refused_before_decoding():
    """A 400-megapixel PNG is refused from its header, with its size in the message."""
    data = huge_png()
    assert len(data) < 2_000_000  # tiny on disk, 400 MB decoded
    with pytest.raises(ImageTooLarge, match="400 megapixels"):
        decode_image(data)


def test_missing_file_is_refused(tmp_path):
    """A path that does not exist gives a clear message, not a traceback."""
    with pytest.raises(ImageFileError, match="no such file"):
        decode_image(tmp_path / "nope.jpg")
