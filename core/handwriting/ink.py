"""The ink of a whole photo, scan or drawing: greyscale, polarity, even lighting, and which pixels are ink.

The first half of MNIST-like preprocessing (`core.handwriting.preprocess`), shared with the
segmentation of sheets of many characters (`core.handwriting.sheets`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import LabError
from core.handwriting.imageio import flatten_alpha, to_grey

WORK_SIDE = 1024          # larger inputs are shrunk first (area averaging keeps thin strokes as grey)
MIN_CONTRAST = 0.15       # ink must differ from the paper by at least 15% of the paper's brightness
FLAT_RANGE = 12           # grey levels: an image whose 0.1..99.9 percentiles span less is blank


class NoInkFound(LabError):
    """The image holds no readable character (blank, one colour, or just a dot)."""


@dataclass
class InkMap:
    """The normalised ink of a whole image at working resolution (shared with sheet segmentation)."""

    steps: list[tuple[str, np.ndarray]]
    ink: np.ndarray        # float32 [0, 1]: ink strength relative to the local paper
    mask: np.ndarray       # bool: pixels that are ink
    scale: float           # working pixels per input pixel
    inverted: bool


def to_u8(a: np.ndarray) -> np.ndarray:
    """[0, 1] floats as a uint8 image (0..255, rounded)."""
    return np.clip(np.asarray(a, np.float32) * 255.0, 0, 255).round().astype(np.uint8)


def _shrink(image: np.ndarray, side: int) -> tuple[np.ndarray, float]:
    import cv2

    h, w = image.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        image = cv2.resize(image, (max(1, round(w * scale)), max(1, round(h * scale))),
                           interpolation=cv2.INTER_AREA)
    return image, scale


def ink_is_dark(grey: np.ndarray) -> bool:
    """True when the ink is darker than the background.

    The background is the median pixel; the ink is the tail that reaches furthest from it (a thin
    stroke may cover well under 1% of a large page, hence the extreme percentiles).
    """
    low, median, high = np.percentile(grey, [0.2, 50, 99.8])
    return bool(median - low >= high - median)


def estimate_background(v: np.ndarray, tiles: int = 8) -> np.ndarray:
    """Smooth estimate of the paper in an ink-is-bright image (float32, same shape).

    Each tile's 30th percentile is the paper unless the tile is mostly ink; a 3x3 median over the
    tile grid repairs those, and bilinear upscaling gives a smooth shading map.
    """
    import cv2

    h, w = v.shape
    ny, nx = max(1, min(tiles, h // 8)), max(1, min(tiles, w // 8))
    ys = np.linspace(0, h, ny + 1).astype(int)
    xs = np.linspace(0, w, nx + 1).astype(int)
    grid = np.empty((ny, nx), np.float32)
    for i in range(ny):
        for j in range(nx):
            grid[i, j] = np.percentile(v[ys[i]:ys[i + 1], xs[j]:xs[j + 1]], 30)
    if ny >= 3 and nx >= 3:
        grid = cv2.medianBlur(grid, 3)
    # the paper never lies above the global median (ink is the minority), so an ink-filled tile
    # cannot pretend to be bright paper
    grid = np.minimum(grid, np.percentile(v, 50) + 0.5 * (grid.max() - grid.min()) + 1)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR)


def ink_map(image: np.ndarray, work_side: int = WORK_SIDE) -> InkMap:
    """Greyscale, polarity, lighting correction and ink threshold of a whole image.

    Raises:
        NoInkFound: the image is one flat shade, or nothing stands out from the paper.
    """
    import cv2

    arr = np.asarray(image)
    if arr.dtype == np.uint16:  # 16-bit scans handed over as arrays
        arr = (arr.astype(np.float32) / 257.0).round().astype(np.uint8)
    elif arr.dtype != np.uint8:
        arr = arr.astype(np.float32)
        arr = to_u8(arr / 255.0 if arr.max() > 1.0 else arr)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = flatten_alpha(arr)
    elif arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    shown, scale = _shrink(np.ascontiguousarray(arr), work_side)
    steps: list[tuple[str, np.ndarray]] = [("Input", shown)]
    grey = to_grey(shown)
    steps.append(("Greyscale", grey))
    low, high = np.percentile(grey, [0.1, 99.9])
    if high - low < FLAT_RANGE and np.ptp(grey) >= 64:
        raise NoInkFound("Only a dot or a few specks stand out from the background: "
                         "draw or photograph a whole character.")
    if high - low < FLAT_RANGE:
        raise NoInkFound(f"The image is blank: all one shade (grey level about {int(np.median(grey))}). "
                         "Draw or photograph a character with visible ink.")
    inverted = ink_is_dark(grey)
    v = (255 - grey if inverted else grey).astype(np.float32)
    steps.append(("Ink made white (inverted)" if inverted else "Ink already white", to_u8(v / 255.0)))
    paper = estimate_background(v)
    ink = np.clip((v - paper) / np.maximum(255.0 - paper, 32.0), 0.0, 1.0)
    steps.append(("Lighting evened out", to_u8(ink)))
    # threshold a lightly smoothed copy so sensor noise does not become specks
    smooth = cv2.GaussianBlur(ink, (3, 3), 0)
    otsu, _ = cv2.threshold(to_u8(smooth), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = smooth > max(otsu / 255.0, MIN_CONTRAST)
    if not mask.any() or ink.max() < MIN_CONTRAST:
        raise NoInkFound("No ink found: nothing in the image stands out from the background.")
    return InkMap(steps, ink.astype(np.float32), mask, scale, inverted)
