"""Turning a photo, scan or drawing of one character into an MNIST-like 28x28 image.

MNIST digits are white ink on black, anti-aliased, fitted into a 20x20 box (aspect ratio kept)
and placed in a 28x28 frame so that their centre of mass sits at the frame's centre. The pipeline
reproduces that from real-world input and records every step as a titled uint8 image:

input -> greyscale -> ink made white -> lighting evened out -> ink isolated -> cropped (strokes
thickened if thin) -> scaled to fit 20x20 -> centred in 28x28.

The same pipeline serves Greek letters (Omniglot's 1-pixel pen strokes, pencil scans, phone photos).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.handwriting.ink import WORK_SIDE, NoInkFound, ink_map, to_u8

BOX = 20                  # MNIST fits each digit into 20x20 ...
FRAME = 28                # ... inside a 28x28 frame
CENTRE = 14.0             # MNIST's mean centre of mass, in pixel indices (measured on the test set)
MNIST_STROKE = 0.11       # median MNIST stroke width / longest side of the digit's box (measured)
THIN = 0.75               # strokes thinner than THIN * MNIST_STROKE are thickened


@dataclass
class Preprocessed:
    """Result of `preprocess`.

    Attributes:
        steps: (title, uint8 image) for every stage, in order, for display.
        image: (28, 28) float32 in [0, 1], white ink on black, MNIST-like.
        box: (x, y, width, height) of the ink in the input image's pixel coordinates.
        inverted: True when dark ink on light paper was inverted.
        thickened_by: pixels of stroke thickening applied at working resolution (0 for none).
    """

    steps: list[tuple[str, np.ndarray]]
    image: np.ndarray
    box: tuple[int, int, int, int] = (0, 0, 0, 0)
    inverted: bool = False
    thickened_by: int = 0


def _components(mask: np.ndarray):
    import cv2

    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    return n, labels, stats


def select_character(mask: np.ndarray) -> np.ndarray:
    """The components of `mask` that form the one character: no specks, no page edges.

    Components touching the border (paper edges, table, shadows) are ignored when there is a
    sizeable interior component; specks far from the main stroke or tiny compared to it go too.
    """
    import cv2

    n, labels, stats = _components(mask)
    if n <= 1:
        return np.zeros_like(mask, bool)
    h, w = mask.shape
    ids = np.arange(1, n)
    area = stats[ids, cv2.CC_STAT_AREA]
    x, y = stats[ids, cv2.CC_STAT_LEFT], stats[ids, cv2.CC_STAT_TOP]
    bw, bh = stats[ids, cv2.CC_STAT_WIDTH], stats[ids, cv2.CC_STAT_HEIGHT]
    border = (x == 0) | (y == 0) | (x + bw >= w) | (y + bh >= h)
    interior = ~border
    if interior.any() and area[interior].max() >= 0.15 * area.max():
        candidates = interior
    else:
        candidates = np.ones_like(border)
    main = int(np.argmax(np.where(candidates, area, -1)))
    side = max(bw[main], bh[main])
    gap_x = np.maximum(0, np.maximum(x[main] - (x + bw), x - (x[main] + bw[main])))
    gap_y = np.maximum(0, np.maximum(y[main] - (y + bh), y - (y[main] + bh[main])))
    near = np.maximum(gap_x, gap_y) <= 0.6 * side
    keep = candidates & (area >= 0.04 * area[main]) & (near | (area >= 0.3 * area[main]))
    keep[main] = True
    return np.isin(labels, ids[keep])


def stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary shape: 2 * area / perimeter (exact for a long ribbon)."""
    import cv2

    m = mask.astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    perimeter = sum(cv2.arcLength(c, True) for c in contours)
    return 2.0 * float(m.sum()) / max(perimeter, 1.0)


def isolate(ink: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The ink's own intensities inside the mask (plus a 1-pixel anti-aliased rim), core scaled to 1."""
    import cv2

    rim = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    level = float(np.percentile(ink[mask], 90)) if mask.any() else 1.0
    return np.where(rim, np.clip(ink / max(level, 1e-3), 0.0, 1.0), 0.0).astype(np.float32)


def finish(isolated: np.ndarray, mask: np.ndarray, steps: list, work_area: tuple[int, int],
           thicken: bool = True) -> tuple[np.ndarray, tuple[int, int, int, int], int]:
    """Crop to the ink, thicken thin strokes, fit in 20x20 and centre by mass in 28x28.

    Args:
        isolated: float [0, 1] ink at working resolution, zero outside the character.
        mask: bool mask of the character's pixels.
        steps: list the titled step images are appended to.
        work_area: (height, width) of the working image, to tell a dot from a character.
        thicken: thicken strokes thinner than MNIST's. Defaults to True.

    Returns:
        (28x28 float32 image, (x, y, w, h) box at working resolution, thickening in pixels).

    Raises:
        NoInkFound: the ink is a single small dot.
    """
    import cv2

    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    side = max(y1 - y0, x1 - x0)
    width = stroke_width(mask[y0:y1, x0:x1])
    small = side < max(4, 0.1 * max(work_area))
    if side < 3 or (small and width >= 0.4 * side):
        raise NoInkFound("Only a dot was found: draw or photograph a whole character.")
    pad = max(2, side // 4)
    y0p, x0p = max(0, y0 - 1), max(0, x0 - 1)
    crop = np.pad(isolated[y0p:y1 + 1, x0p:x1 + 1], pad)
    grow = 0
    if thicken and width < THIN * MNIST_STROKE * side:
        grow = int(round(MNIST_STROKE * side - width))
        if grow >= 1:
            # grey dilation keeps the anti-aliased edge; an ellipse keeps round pen tips round
            kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (grow + 1, grow + 1))
            crop = cv2.dilate(crop, kernel)
            crop = cv2.GaussianBlur(crop, (3, 3), 0)
    cy, cx = np.nonzero(crop > 0.05)
    crop = crop[cy.min():cy.max() + 1, cx.min():cx.max() + 1]
    steps.append(("Cropped" + (" + strokes thickened" if grow else ""), to_u8(crop)))
    h, w = crop.shape
    s = BOX / max(h, w)
    size = (max(1, round(w * s)), max(1, round(h * s)))
    fitted = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR)
    fitted = np.clip(fitted / max(float(fitted.max()), 1e-6), 0.0, 1.0)  # stroke cores at full white
    steps.append((f"Scaled to fit {BOX}x{BOX}", to_u8(fitted)))
    out = centre_by_mass(fitted)
    steps.append((f"Centred in {FRAME}x{FRAME}", to_u8(out)))
    return out, (int(x0), int(y0), int(x1 - x0), int(y1 - y0)), grow


def centre_by_mass(fitted: np.ndarray) -> np.ndarray:
    """Place a <= 20x20 image in a 28x28 frame with its centre of mass at MNIST's centre."""
    import cv2

    h, w = fitted.shape
    total = float(fitted.sum())
    yy, xx = np.mgrid[:h, :w]
    cy = float((fitted * yy).sum() / total) if total else (h - 1) / 2
    cx = float((fitted * xx).sum() / total) if total else (w - 1) / 2
    # shift so the centre of mass lands on CENTRE (as MNIST does), never pushing ink out of the frame
    ty = min(max(CENTRE - cy, 0.0), FRAME - h)
    tx = min(max(CENTRE - cx, 0.0), FRAME - w)
    matrix = np.float32([[1, 0, tx], [0, 1, ty]])
    out = cv2.warpAffine(fitted.astype(np.float32), matrix, (FRAME, FRAME), flags=cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def preprocess(image: np.ndarray, thicken: bool = True, work_side: int = WORK_SIDE) -> Preprocessed:
    """Turn a photo, scan or drawing of one character into an MNIST-like 28x28 image.

    Args:
        image: uint8 grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4), e.g. from `decode_image` or a
            canvas; float arrays in [0, 1] are accepted too.
        thicken: thicken strokes thinner than MNIST's (thin pen, Omniglot). Defaults to True.
        work_side: longest side the image is shrunk to before processing. Defaults to 1024.

    Returns:
        `Preprocessed` with the titled steps and the final (28, 28) float32 image in [0, 1].

    Raises:
        NoInkFound: blank, one flat shade, nothing standing out, or only a dot.
    """
    arr = np.asarray(image)
    if arr.ndim not in (2, 3) or arr.size == 0:
        raise NoInkFound(f"Expected an image, got an array of shape {arr.shape}.")
    found = ink_map(arr, work_side)
    mask = select_character(found.mask)
    isolated = isolate(found.ink, mask)
    steps = list(found.steps)
    steps.append(("Ink isolated", to_u8(isolated)))
    out, (x, y, w, h), grow = finish(isolated, mask, steps, found.ink.shape, thicken)
    s = found.scale
    box = (int(x / s), int(y / s), max(1, int(round(w / s))), max(1, int(round(h / s))))
    return Preprocessed(steps, out, box, found.inverted, grow)
