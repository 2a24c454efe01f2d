"""Sheets: real digits pasted onto a photo-like page are found, read in reading order, and boxed."""

from __future__ import annotations

import numpy as np
import pytest

from core.handwriting.imageio import decode_image
from core.handwriting.preprocess import NoInkFound
from core.handwriting.reading import read
from core.handwriting.sheets import annotate, reading_order, segment
from tests.unit.handwriting_samples import digit_files, make_sheet


@pytest.fixture(scope="module")
def sheet(shared_data):
    """Two lines of real digits from all three sets on one shaded, grainy beige page."""
    files = digit_files(shared_data)
    by_set = {"hangyin": [], "warrier": [], "zhangshi": []}
    for path, label in files:
        for key in by_set:
            if key in str(path):
                by_set[key].append((decode_image(path), label))
    pieces = by_set["warrier"][:4] + by_set["hangyin"][:3] + by_set["zhangshi"][5:8]
    rows = [[0, 4, 8, 1, 5], [9, 2, 6, 3, 7]]
    return make_sheet(pieces, rows)


def overlap(a, b) -> float:
    """Intersection over the smaller box."""
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / min(a[2] * a[3], b[2] * b[3])


def test_every_pasted_digit_is_found_in_reading_order(sheet):
    """Ten digits on two lines: ten boxes, each on the digit pasted there, rows then left to right."""
    page, labels, boxes = sheet
    characters, steps = segment(page)
    assert len(characters) == len(labels)
    for found, pasted in zip(characters, boxes):
        assert overlap(found.box, pasted) > 0.8, (found.box, pasted)
    assert [c.row for c in characters] == [0] * 5 + [1] * 5
    assert [t for t, _ in steps][:2] == ["Input", "Greyscale"]


def test_sheet_digits_are_read_right(sheet, default_model):
    """The default model reads the whole sheet (at most one slip in ten)."""
    page, labels, _ = sheet
    characters, _ = segment(page)
    predicted = [r.label for r in read(default_model, [c.image for c in characters])]
    assert sum(p == y for p, y in zip(predicted, labels)) >= 9, (predicted, labels)


def test_parts_of_one_digit_are_merged_and_specks_ignored():
    """A 5 drawn with a detached top bar is one digit; pepper specks and a page edge are not digits."""
    import cv2

    page = np.full((400, 700), 235, np.uint8)
    cv2.line(page, (60, 80), (140, 80), 20, 9)           # the 5's bar, not touching the body
    cv2.line(page, (62, 95), (60, 160), 20, 9)
    cv2.ellipse(page, (95, 215), (45, 55), 0, -120, 150, 20, 9)
    cv2.line(page, (300, 80), (300, 290), 20, 9)         # a 1
    cv2.circle(page, (500, 180), 60, 20, 9)              # a 0
    rng = np.random.default_rng(3)
    for y, x in rng.integers([0, 0], [400, 700], (25, 2)):
        page[y:y + 2, x:x + 2] = 60                      # specks of dust
    page[:, 680:] = 40                                   # the dark table beyond the paper's edge
    characters, _ = segment(page)
    assert len(characters) == 3
    assert characters[0].box[1] <= 80 and characters[0].box[1] + characters[0].box[3] >= 260


def test_reading_order_groups_lines():
    """Boxes on a slightly wavy line read left to right before the next line."""
    boxes = [(300, 110, 50, 80), (20, 100, 50, 80), (160, 90, 50, 80), (40, 300, 50, 80), (200, 290, 50, 80)]
    assert [i for _, i in reading_order(boxes)] == [1, 2, 0, 3, 4]


def test_annotated_sheet_has_a_box_per_digit(sheet):
    """The annotated photo is RGB and red where the boxes are drawn."""
    page, _, boxes = sheet
    out = annotate(page, boxes, [str(i) for i in range(len(boxes))])
    assert out.shape[2] == 3
    s = out.shape[1] / page.shape[1]
    x, y, w, h = boxes[0]
    edge = out[int((y + h // 2) * s), max(0, int(x * s) - 1):int(x * s) + 2]
    assert (edge[:, 0] > 180).any() and (edge[:, 1] < 90).any()


def test_blank_sheet_is_refused():
    """A page with no writing gives a clear message."""
    with pytest.raises(NoInkFound):
        segment(np.full((300, 400, 3), 220, np.uint8))
