"""The quality bar: perturbed versions of the 30 real digits are still read right (>= 98%).

Each digit is rotated by +12 and -12 degrees, made 4x smaller and 2x bigger, shadowed by a
gradient across the paper, blurred with sensor noise, and placed off-centre on a larger page.
"4x smaller" is skipped for images already under 112 pixels (the 28x28 crops would become 7x7
pixels, which no reader can decode); every other perturbation applies to all 30 digits. Large
sources are first shrunk to 640 pixels (a typical upload size) to keep the test quick.
"""

from __future__ import annotations

import numpy as np
import pytest

from core.handwriting.imageio import decode_image
from core.handwriting.preprocess import preprocess
from core.handwriting.reading import read
from tests.unit.handwriting_samples import PERTURBATIONS, digit_files, off_centre, scaled, shadow


@pytest.fixture(scope="module")
def perturbed(shared_data):
    """(file name, label, perturbation, 28x28 image) for every perturbed digit."""
    out = []
    for path, label in digit_files(shared_data):
        img = decode_image(path)
        if max(img.shape[:2]) > 640:
            img = scaled(img, 640 / max(img.shape[:2]))
        for name, perturb in PERTURBATIONS.items():
            if name == "4x smaller" and max(img.shape[:2]) < 112:
                continue
            out.append((path.name, label, name, preprocess(perturb(img)).image))
    return out


def test_perturbed_digits_are_read_right(perturbed, default_model):
    """At least 98% of ~200 perturbed real digits get the right label from the default model."""
    assert len(perturbed) >= 200
    readings = read(default_model, [p[3] for p in perturbed])
    wrong = [(f, y, how, r.label) for (f, y, how, _), r in zip(perturbed, readings) if r.label != y]
    assert len(wrong) <= 0.02 * len(perturbed), wrong


def test_every_perturbation_keeps_most_digits(perturbed, default_model):
    """No single kind of perturbation breaks the pipeline (each keeps >= 90% right)."""
    readings = read(default_model, [p[3] for p in perturbed])
    for how in PERTURBATIONS:
        rows = [(p, r) for p, r in zip(perturbed, readings) if p[2] == how]
        right = sum(r.label == p[1] for p, r in rows)
        assert right >= 0.9 * len(rows), (how, right, len(rows))


def test_perturbations_really_change_the_input(shared_data):
    """The oracle for the test above: the shadow darkens a corner, the page grows 2.5x."""
    path, _ = digit_files(shared_data)[10]
    img = decode_image(path)
    dark = shadow(img)
    assert dark[-5:, -5:].mean() < 0.5 * img[-5:, -5:].mean() + 1
    assert off_centre(img).shape[0] == int(img.shape[0] * 2.5)
    assert not np.array_equal(PERTURBATIONS["noise + blur"](img), img)
