"""Sheets: a photo of a page with several handwritten characters, segmented and read one by one.

Segmentation works on the same lighting-corrected ink map as single characters
(`core.handwriting.ink.ink_map`): connected components, minus page edges and specks, with the parts of
one character (the detached bar of a 5, a broken stroke) merged, sorted in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.handwriting.ink import NoInkFound, ink_map
from core.handwriting.preprocess import finish, isolate


@dataclass
class SheetCharacter:
    """One character found on a sheet.

    Attributes:
        box: (x, y, width, height) in the input image's pixels.
        image: (28, 28) float32 MNIST-like image.
        steps: titled crop/scale/centre steps for display.
        row: reading-order row index (0 = top line).
    """

    box: tuple[int, int, int, int]
    image: np.ndarray
    steps: list
    row: int


def _union_find(n: int):
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(a, b):
        parent[find(a)] = find(b)

    return find, union


def group_components(stats: np.ndarray, shape: tuple[int, int]) -> list[list[int]]:
    """Indices (into `stats`, OpenCV's component stats without the background row) per character.

    Page edges (components that touch the border and span over 40% of a side, or are long thin
    lines) and specks (much smaller than a typical character) are dropped; components that overlap
    horizontally and almost touch vertically, or whose boxes overlap, are merged.
    """
    h, w = shape
    x, y, bw, bh, area = (stats[:, i].astype(float) for i in range(5))
    border = (x <= 0) | (y <= 0) | (x + bw >= w) | (y + bh >= h)
    edge_like = border & ((bw > 0.4 * w) | (bh > 0.4 * h) | (np.maximum(bw, bh) > 8 * np.minimum(bw, bh)))
    alive = ~edge_like
    if not alive.any():
        return []
    big = alive & (area >= 0.1 * area[alive].max())
    typical = float(np.median(np.maximum(bw, bh)[big]))
    alive &= (np.maximum(bw, bh) >= 0.2 * typical) & (area >= 0.01 * area[alive].max())
    idx = np.flatnonzero(alive)
    find, union = _union_find(len(stats))
    gap = 0.25 * typical
    for a_pos, a in enumerate(idx):
        for b in idx[a_pos + 1:]:
            overlap_x = min(x[a] + bw[a], x[b] + bw[b]) - max(x[a], x[b])
            dist_y = max(y[a], y[b]) - min(y[a] + bh[a], y[b] + bh[b])
            dist_x = -overlap_x
            narrow = min(bw[a], bw[b])
            stacked = overlap_x >= 0.5 * narrow and dist_y <= gap  # e.g. the bar of a 5 over its body
            touching = dist_x <= 0.05 * typical and dist_y <= 0.05 * typical
            if stacked or touching:
                union(a, b)
    groups: dict[int, list[int]] = {}
    for i in idx:
        groups.setdefault(find(i), []).append(int(i))
    out = []
    for members in groups.values():
        gx0 = min(x[m] for m in members)
        gx1 = max(x[m] + bw[m] for m in members)
        gy0 = min(y[m] for m in members)
        gy1 = max(y[m] + bh[m] for m in members)
        if max(gx1 - gx0, gy1 - gy0) >= 0.35 * typical:
            out.append(members)
    return out


def reading_order(boxes: list[tuple[float, float, float, float]]) -> list[tuple[int, int]]:
    """(row, index into `boxes`) in reading order: rows top to bottom, left to right within a row."""
    if not boxes:
        return []
    heights = np.array([b[3] for b in boxes], float)
    line = 0.6 * float(np.median(heights))
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1] + boxes[i][3] / 2)
    rows: list[list[int]] = []
    centres: list[float] = []
    for i in order:
        cy = boxes[i][1] + boxes[i][3] / 2
        if rows and abs(cy - centres[-1]) <= line:
            rows[-1].append(i)
            centres[-1] = float(np.mean([boxes[j][1] + boxes[j][3] / 2 for j in rows[-1]]))
        else:
            rows.append([i])
            centres.append(cy)
    return [(r, i) for r, row in enumerate(rows) for i in sorted(row, key=lambda j: boxes[j][0])]


def segment(image: np.ndarray, thicken: bool = True) -> tuple[list[SheetCharacter], list]:
    """Find and preprocess every character on a sheet, in reading order.

    Args:
        image: uint8 grey, RGB or RGBA photo/scan of the sheet.
        thicken: thicken thin strokes to MNIST's width. Defaults to True.

    Returns:
        (characters, page steps): the characters in reading order and the titled whole-page steps.

    Raises:
        NoInkFound: the sheet is blank or holds no character-sized marks.
    """
    import cv2

    found = ink_map(image)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(found.mask.astype(np.uint8), connectivity=8)
    groups = group_components(stats[1:], found.mask.shape)
    if not groups:
        raise NoInkFound("No characters found on the sheet.")
    masks, boxes = [], []
    for members in groups:
        mask = np.isin(labels, np.asarray(members) + 1)
        ys, xs = np.nonzero(mask)
        masks.append(mask)
        boxes.append((xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()))
    s = found.scale
    out = []
    for row, i in reading_order(boxes):
        steps: list = []
        try:
            img, _, _ = finish(isolate(found.ink, masks[i]), masks[i], steps, found.mask.shape, thicken)
        except NoInkFound:  # a dot-sized mark that survived the speck filter
            continue
        x, y, w, h = boxes[i]
        box = (int(x / s), int(y / s), max(1, int(round(w / s))), max(1, int(round(h / s))))
        out.append(SheetCharacter(box, img, steps, row))
    if not out:
        raise NoInkFound("No characters found on the sheet.")
    return out, found.steps


def annotate(image: np.ndarray, boxes: list[tuple[int, int, int, int]], labels: list[str],
             max_side: int = 1200) -> np.ndarray:
    """The sheet as RGB with a numbered box and its label drawn over each character."""
    import cv2

    from core.handwriting.imageio import flatten_alpha

    arr = np.asarray(image)
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    elif arr.shape[2] == 4:
        arr = flatten_alpha(arr)
    h, w = arr.shape[:2]
    s = min(1.0, max_side / max(h, w))
    canvas = cv2.resize(arr, (round(w * s), round(h * s)), interpolation=cv2.INTER_AREA) if s < 1 else arr.copy()
    canvas = np.ascontiguousarray(canvas)
    thick = max(2, round(max(canvas.shape[:2]) / 300))
    for n, ((x, y, bw, bh), text) in enumerate(zip(boxes, labels), start=1):
        p0 = (int(x * s), int(y * s))
        p1 = (int((x + bw) * s), int((y + bh) * s))
        cv2.rectangle(canvas, p0, p1, (230, 40, 40), thick)
        caption = f"{n}: {text}"
        scale = max(0.5, (p1[1] - p0[1]) / 90)
        (tw, th), base = cv2.getTextSize(caption, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        top = max(th + base, p0[1] - 4)
        cv2.rectangle(canvas, (p0[0], top - th - base), (p0[0] + tw, top + 2), (230, 40, 40), -1)
        cv2.putText(canvas, caption, (p0[0], top - base // 2), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (255, 255, 255), thick, cv2.LINE_AA)
    return canvas
