"""Decoding user images (uploads, photos, canvas drawings) into plain uint8 arrays.

Every common format Pillow reads is accepted (PNG, JPEG, BMP, WebP, GIF's first frame, TIFF) in any
mode (L, RGB, RGBA, LA, palette, 1-bit, 16-bit, CMYK), with the EXIF orientation applied. The pixel
count is read from the header and checked BEFORE decoding, so a 20,000 x 20,000 PNG is refused
without allocating gigabytes.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path

import numpy as np

from core.errors import LabError

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo fits; a 20,000 x 20,000 page (400 MP) does not


class ImageFileError(LabError):
    """A file that cannot be used as an image: empty, not an image, truncated, too large."""


class ImageTooLarge(ImageFileError):
    """An image whose header announces more pixels than the lab decodes."""


def read_bytes(source: bytes | bytearray | str | os.PathLike) -> tuple[bytes, str]:
    """The raw bytes of `source` and a name for messages.

    Raises:
        ImageFileError: the file is missing, a folder, empty, or larger than `MAX_FILE_BYTES`.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "The image"
    else:
        path = Path(source)
        name = path.name
        if not path.exists():
            raise ImageFileError(f"{path}: no such file.")
        if not path.is_file():
            raise ImageFileError(f"{path} is not a file.")
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImageFileError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; use a smaller image.")
        data = path.read_bytes()
    if not data:
        raise ImageFileError(f"{name} is empty (0 bytes): it is not an image.")
    if len(data) > MAX_FILE_BYTES:
        raise ImageFileError(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; use a smaller image.")
    return data, name


def decode_image(source: bytes | bytearray | str | os.PathLike) -> np.ndarray:
    """Decode an image file or its bytes into uint8 greyscale (H, W) or RGB (H, W, 3).

    EXIF orientation is applied; 16-bit images are scaled to 8 bits; transparency is flattened
    onto a background that contrasts with the drawn (opaque) part.

    Args:
        source: file path or the file's bytes.

    Returns:
        np.ndarray of dtype uint8, (H, W) or (H, W, 3).

    Raises:
        ImageFileError: empty, not an image, truncated or corrupt, or too many pixels
            (`ImageTooLarge`).
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    data, name = read_bytes(source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))  # reads the header only
    except Image.DecompressionBombError as exc:
        found = re.search(r"\((\d+) pixels\)", str(exc))
        size = f" ({int(found.group(1)) / 1e6:.0f} megapixels)" if found else ""
        raise ImageTooLarge(f"{name} has too many pixels{size} to be a handwriting photo; "
                            f"the lab decodes images up to {MAX_PIXELS // 1_000_000} megapixels. "
                            "Scale it down first.") from None
    except UnidentifiedImageError:
        raise ImageFileError(f"{name} is not an image file Pillow can read "
                             "(PNG, JPEG, BMP, WebP, GIF, TIFF).") from None
    except Exception as exc:
        raise ImageFileError(f"{name} could not be opened as an image: {exc}.") from None
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(f"{name} is {width} x {height} pixels ({width * height / 1e6:.0f} megapixels); "
                            f"the lab decodes images up to {MAX_PIXELS // 1_000_000} megapixels. "
                            "Scale it down first.")
    if width < 1 or height < 1:
        raise ImageFileError(f"{name} has no pixels ({width} x {height}).")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            img.seek(0)  # first frame of a GIF/WebP animation
            img.load()
            img = ImageOps.exif_transpose(img)
    except Exception as exc:  # truncated/corrupt data raises OSError, SyntaxError, ValueError...
        raise ImageFileError(f"{name} is damaged or truncated and cannot be decoded ({exc}).") from None
    return pil_to_array(img)


def pil_to_array(img) -> np.ndarray:
    """A Pillow image in any mode as uint8 grey (H, W) or RGB (H, W, 3)."""
    mode = img.mode
    if mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        top = 65535.0 if arr.max() > 255 else 255.0  # 16-bit data, or 32-bit holding 8-bit values
        return np.clip(arr / top * 255.0, 0, 255).round().astype(np.uint8)
    if mode == "P":
        img = img.convert("RGBA" if "transparency" in img.info else "RGB")
    elif mode == "PA":
        img = img.convert("RGBA")
    elif mode == "1":
        img = img.convert("L")
    elif mode in ("LA", "La"):
        img = img.convert("RGBA")
    elif mode not in ("L", "RGB", "RGBA"):
        img = img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, RGBa...
    arr = np.asarray(img)
    if arr.ndim == 3 and arr.shape[2] == 4:
        return flatten_alpha(arr)
    return np.ascontiguousarray(arr)


def flatten_alpha(rgba: np.ndarray) -> np.ndarray:
    """Composite an RGBA uint8 array onto a background that contrasts with its opaque part.

    A drawing on a transparent background keeps its strokes visible whatever their colour: dark
    strokes land on white, light strokes on black. Fully opaque images just drop the alpha channel.
    """
    rgba = np.asarray(rgba)
    rgb = rgba[..., :3].astype(np.float32)
    alpha = rgba[..., 3].astype(np.float32) / 255.0
    if alpha.min() >= 0.999:
        return np.ascontiguousarray(rgba[..., :3])
    weight = alpha.sum()
    if weight < 1e-6:  # fully transparent: nothing drawn
        return np.zeros(rgba.shape[:2] + (3,), np.uint8)
    luminance = (rgb @ np.array([0.299, 0.587, 0.114], np.float32) * alpha).sum() / weight
    background = 255.0 if luminance < 128 else 0.0
    out = rgb * alpha[..., None] + background * (1.0 - alpha[..., None])
    return np.clip(out, 0, 255).round().astype(np.uint8)


def to_grey(image: np.ndarray) -> np.ndarray:
    """uint8 greyscale of a grey, RGB or RGBA array (ITU-R 601 luma, like OpenCV and Pillow)."""
    import cv2

    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = np.clip(arr * 255.0 if arr.max() <= 1.0 else arr, 0, 255).round().astype(np.uint8)
    if arr.ndim == 2:
        return arr
    if arr.ndim == 3 and arr.shape[2] == 1:
        return arr[..., 0]
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = flatten_alpha(arr)
    if arr.ndim == 3 and arr.shape[2] == 3:
        return cv2.cvtColor(np.ascontiguousarray(arr), cv2.COLOR_RGB2GRAY)
    raise ImageFileError(f"Expected a greyscale or colour image, got an array of shape {arr.shape}.")
