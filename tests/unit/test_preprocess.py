"""MNIST-faithful preprocessing on real handwriting: every set, Greek strokes, and blank inputs."""

from __future__ import annotations

import glob

import numpy as np
import pytest

from core.handwriting.imageio import decode_image
from core.handwriting.preprocess import CENTRE, MNIST_STROKE, NoInkFound, preprocess, stroke_width
from core.handwriting.reading import read
from tests.unit.handwriting_samples import digit_files

STEP_TITLES = ["Input", "Greyscale", "Ink", "Lighting evened out", "Ink isolated", "Cropped",
               "Scaled to fit 20x20", "Centred in 28x28"]


@pytest.fixture(scope="module")
def digits(shared_data):
    """(path, label, decoded image, Preprocessed) for all 30 real digits."""
    return [(p, label, img, preprocess(img)) for p, label in digit_files(shared_data)
            for img in [decode_image(p)]]


def mnist_like(image: np.ndarray) -> None:
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert image.min() >= 0.0 and image.max() <= 1.0 and image.max() > 0.9
    ys, xs = np.nonzero(image > 0.05)
    assert max(ys.max() - ys.min(), xs.max() - xs.min()) + 1 <= 22  # 20x20 box + blur rim
    total = image.sum()
    yy, xx = np.mgrid[:28, :28]
    # centre of mass at MNIST's centre, unless that would push the 20x20 box out of the frame
    top, left = ys.min(), xs.min()
    bottom, right = 27 - ys.max(), 27 - xs.max()
    cy, cx = (image * yy).sum() / total, (image * xx).sum() / total
    assert abs(cy - CENTRE) < 0.6 or min(top, bottom) <= 1
    assert abs(cx - CENTRE) < 0.6 or min(left, right) <= 1


def test_every_real_digit_becomes_an_mnist_like_image(digits):
    """Photos, iPad drawings and 28x28 crops all end as white-on-black, 20x20-fitted, centred digits."""
    assert len(digits) == 30
    for path, _, _, result in digits:
        mnist_like(result.image)
        assert [t for t, _ in result.steps][:2] == STEP_TITLES[:2], path
        titles = " | ".join(t for t, _ in result.steps)
        for title in STEP_TITLES:
            assert title in titles, (path, titles)
        assert all(img.dtype == np.uint8 for _, img in result.steps)


def test_polarity_is_detected_per_set(digits):
    """Dark marker on beige paper is inverted; white-on-black iPad drawings and crops are not."""
    for path, _, _, result in digits:
        assert result.inverted == ("warrier" in str(path)), path


def test_box_surrounds_the_ink_in_the_photo(digits):
    """The reported box lies inside the photo and covers the dark marker strokes."""
    for path, _, img, result in digits:
        if "warrier" not in str(path):
            continue
        x, y, w, h = result.box
        assert 0 <= x and 0 <= y and x + w <= img.shape[1] + 1 and y + h <= img.shape[0] + 1
        grey = img.mean(axis=2)
        inside = grey[y:y + h, x:x + w]
        assert (inside < 90).sum() > 0.9 * (grey < 90).sum(), path


def test_default_model_reads_all_30_real_digits(digits, default_model):
    """The done-when bar: every digit of every set is read correctly by the shipped model."""
    readings = read(default_model, [r.image for _, _, _, r in digits])
    wrong = [(p.name, label, r.label) for (p, label, _, _), r in zip(digits, readings) if r.label != label]
    assert wrong == []


def test_a_naive_resize_is_not_enough(digits, default_model):
    """Why the pipeline exists: simply shrinking the photos to 28x28 reads far fewer of them."""
    import cv2

    naive = []
    for path, _, img, _ in digits:
        grey = img if img.ndim == 2 else img.mean(axis=2).astype(np.uint8)
        small = cv2.resize(grey, (28, 28), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        naive.append(small)
    labels = [label for _, label, _, _ in digits]
    naive_right = sum(r.label == y for r, y in zip(read(default_model, naive), labels))
    assert naive_right < 27


def test_thin_omniglot_strokes_get_mnist_like_width(shared_data):
    """Omniglot's 1-bit pen strokes are thickened so the stroke/size ratio approaches MNIST's."""
    files = sorted(glob.glob(str(shared_data / "omniglot_greek" / "*" / "*.png")))[::25][:12]
    ratios = []
    for f in files:
        result = preprocess(decode_image(f))
        mnist_like(result.image)
        big = np.kron(result.image, np.ones((8, 8))) > 0.5
        ys, xs = np.nonzero(big)
        side = max(ys.max() - ys.min(), xs.max() - xs.min()) + 1
        ratios.append(stroke_width(big) / side)
    assert 0.6 * MNIST_STROKE < np.median(ratios) < 1.8 * MNIST_STROKE


def test_thickening_can_be_switched_off(shared_data):
    """thicken=False keeps a thin stroke thin (the option the Greek page offers)."""
    f = sorted(glob.glob(str(shared_data / "omniglot_greek" / "psi" / "*.png")))[0]
    thick = preprocess(decode_image(f))
    thin = preprocess(decode_image(f), thicken=False)
    assert thin.thickened_by == 0 and thick.thickened_by > 0
    assert (thin.image > 0.5).sum() < (thick.image > 0.5).sum()


def test_greek_pencil_scans_and_photos_are_processed(shared_data):
    """Pencil-on-grey 133x133 scans and the iPad/phone Greek letters give MNIST-like images."""
    root = shared_data / "handwriting" / "greek"
    files = sorted(glob.glob(str(root / "*" / "*" / "*" / "*.*")))[::6]
    assert len(files) >= 10
    for f in files:
        mnist_like(preprocess(decode_image(f)).image)


def test_canvas_rgba_drawing_is_read(default_model):
    """A canvas-style RGBA drawing (white stroke, black background) of a 1 is read as 1."""
    import cv2

    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[..., 3] = 255
    cv2.line(canvas, (150, 50), (135, 230), (255, 255, 255, 255), 18)
    result = preprocess(canvas)
    assert read(default_model, result.image)[0].label == 1


@pytest.mark.parametrize("make,message", [
    (lambda: np.full((200, 200), 255, np.uint8), "blank"),
    (lambda: np.zeros((200, 200, 3), np.uint8), "blank"),
    (lambda: np.full((200, 200), 128, np.uint8), "blank"),
])
def test_flat_images_are_blank(make, message):
    """All white, all black and all grey images say the image is blank."""
    with pytest.raises(NoInkFound, match=message):
        preprocess(make())


@pytest.mark.parametrize("radius", [1, 4, 8])
def test_a_single_dot_is_not_a_character(radius):
    """A single dot on white paper, small or larger, is refused with a 'dot' message."""
    import cv2

    page = np.full((280, 280), 255, np.uint8)
    cv2.circle(page, (140, 140), radius, 0, -1)
    with pytest.raises(NoInkFound, match="dot"):
        preprocess(page)


def test_noise_alone_is_not_ink():
    """Grainy paper with nothing written on it is reported, not read as a digit."""
    rng = np.random.default_rng(1)
    page = np.clip(rng.normal(200, 3, (300, 300)), 0, 255).astype(np.uint8)
    with pytest.raises(NoInkFound):
        preprocess(page)


@pytest.mark.parametrize("damage", ["table edge", "specks"])
def test_page_edges_and_specks_are_ignored(shared_data, default_model, damage):
    """A dark table beyond the paper's edge, or dust specks, neither steal the crop nor the reading."""
    path, label = digit_files(shared_data)[15]  # phone photo of a 5
    img = decode_image(path).copy()
    h, w = img.shape[:2]
    if damage == "table edge":
        img[:, int(w * 0.93):] = (35, 30, 28)   # the table beside the sheet
        img[: int(h * 0.05), :] = (50, 45, 40)  # and above it
    else:
        rng = np.random.default_rng(0)
        for y, x in rng.integers([0, 0], [h - 6, w - 6], (40, 2)):
            img[y:y + 5, x:x + 5] = 40
    result = preprocess(img)
    x, y, bw, bh = result.box
    assert bw < 0.8 * w and bh < 0.8 * h  # the crop is the digit, not the page
    assert read(default_model, result.image)[0].label == label


def test_array_inputs_of_other_types_give_the_same_digit(shared_data):
    """uint8, float [0, 1] and 16-bit arrays of the same drawing give the same 28x28 image."""
    img = decode_image(digit_files(shared_data)[25][0])
    grey = img if img.ndim == 2 else img[..., 0]
    base = preprocess(grey).image
    assert np.abs(preprocess(grey.astype(np.float32) / 255).image - base).max() < 0.02
    assert np.abs(preprocess(grey.astype(np.uint16) * 257).image - base).max() < 0.02
