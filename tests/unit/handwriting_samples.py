"""Real handwriting samples from ../shared/data/handwriting and the perturbations the tests apply.

Used by the preprocessing, sheet and predict-CLI tests (not a test module itself).
"""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np

SETS = ("hangyin2020-cs5330_p5", "warrier-arj-Recognition-using-Neural-Networks",
        "zhangshi0512-cs5330_project05_mnist_digit_recognition")


def digit_files(shared_data: Path) -> list[tuple[Path, int]]:
    """(path, label) for every real handwritten digit, from each set's labels.csv."""
    root = shared_data / "handwriting" / "digits"
    out = []
    for name in SETS:
        with open(root / name / "labels.csv", newline="") as fh:
            out += [(root / name / row["filename"], int(row["label"])) for row in csv.DictReader(fh)]
    return out


def paper_colour(img: np.ndarray) -> np.ndarray:
    """Median colour of the image's border: the paper (or the drawing app's background)."""
    edge = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return np.median(edge, axis=0)


def rotate(img: np.ndarray, degrees: float) -> np.ndarray:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    fill = tuple(float(c) for c in np.atleast_1d(paper_colour(img)))
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT,
                          borderValue=fill)


def scaled(img: np.ndarray, factor: float) -> np.ndarray:
    h, w = img.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC)


def shadow(img: np.ndarray, darkest: float = 0.35) -> np.ndarray:
    """A shadow falling across the page: brightness from 100% (top left) to `darkest` (bottom right)."""
    h, w = img.shape[:2]
    yy, xx = np.mgrid[:h, :w].astype(np.float32)
    ramp = 1.0 - (1.0 - darkest) * (xx / max(w - 1, 1) + yy / max(h - 1, 1)) / 2
    out = img.astype(np.float32) * (ramp[..., None] if img.ndim == 3 else ramp)
    return np.clip(out, 0, 255).astype(np.uint8)


def noisy_blurred(img: np.ndarray, seed: int = 0) -> np.ndarray:
    """Out of focus (Gaussian blur, 0.6% of the image size) plus sensor noise (sigma 18 grey levels)."""
    sigma = max(0.7, 0.006 * max(img.shape[:2]))
    out = cv2.GaussianBlur(img, (0, 0), sigma).astype(np.float32)
    out += np.random.default_rng(seed).normal(0, 18, out.shape)
    return np.clip(out, 0, 255).astype(np.uint8)


def off_centre(img: np.ndarray, seed: int = 0) -> np.ndarray:
    """The digit in a corner of a page 2.5x larger, the rest of the page plain paper with grain."""
    h, w = img.shape[:2]
    rng = np.random.default_rng(seed)
    page = np.empty((int(h * 2.5), int(w * 2.5)) + img.shape[2:], np.float32)
    page[...] = paper_colour(img)
    page += rng.normal(0, 4, page.shape)
    y, x = int(h * 1.3), int(w * 0.15)
    page[y:y + h, x:x + w] = img
    return np.clip(page, 0, 255).astype(np.uint8)


PERTURBATIONS = {
    "rotated +12": lambda im: rotate(im, 12),
    "rotated -12": lambda im: rotate(im, -12),
    "4x smaller": lambda im: scaled(im, 0.25),
    "2x bigger": lambda im: scaled(im, 2.0),
    "shadow": shadow,
    "noise + blur": noisy_blurred,
    "off-centre on a larger page": off_centre,
}


def ink_alpha(img: np.ndarray) -> np.ndarray:
    """How much ink each pixel holds (0..1), read directly from a real digit image.

    White-on-black drawings: the brightness. Photos of dark ink on paper: the darkening relative
    to the paper colour, with near-paper pixels set to 0 so the photo's own paper is not carried over.
    """
    grey = img.astype(np.float32) if img.ndim == 2 else img.astype(np.float32).mean(axis=2)
    paper = float(np.median(grey))
    if paper < 128:
        return np.clip(grey / 255.0, 0, 1)
    alpha = np.clip((paper - grey) / max(paper - grey.min(), 1.0), 0, 1)
    return np.where(alpha > 0.35, alpha, 0.0)


def make_sheet(pieces: list[tuple[np.ndarray, int]], rows: list[list[int]], seed: int = 0):
    """A photo-like page (beige, shaded, grainy) with real digits pasted in rows.

    Args:
        pieces: (decoded real digit image, label).
        rows: indices into `pieces`, one list per line of the page.

    Returns:
        (RGB uint8 page, labels in reading order, boxes (x, y, w, h) where digits were pasted).
    """
    rng = np.random.default_rng(seed)
    cell, height = 260, 190
    width = cell * max(len(r) for r in rows) + 120
    page_h = cell * len(rows) + 120
    page = np.empty((page_h, width, 3), np.float32)
    page[...] = (214, 200, 178)  # beige paper
    page += rng.normal(0, 5, page.shape)  # paper grain and sensor noise
    labels, boxes = [], []
    for r, row in enumerate(rows):
        for c, k in enumerate(row):
            img, label = pieces[k]
            alpha = ink_alpha(img)
            ys, xs = np.nonzero(alpha > 0.3)
            alpha = alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            scale = height / alpha.shape[0] * rng.uniform(0.8, 1.05)
            alpha = cv2.resize(alpha, (max(1, round(alpha.shape[1] * scale)), round(alpha.shape[0] * scale)),
                               interpolation=cv2.INTER_AREA)
            y = 60 + r * cell + int(rng.integers(0, 30))
            x = 60 + c * cell + int(rng.integers(0, 40))
            h, w = alpha.shape
            ink = np.array((30, 30, 45), np.float32)
            region = page[y:y + h, x:x + w]
            page[y:y + h, x:x + w] = region * (1 - alpha[..., None]) + ink * alpha[..., None]
            labels.append(label)
            boxes.append((x, y, w, h))
    page = shadow(np.clip(page, 0, 255).astype(np.uint8), darkest=0.55)
    return page, labels, boxes
