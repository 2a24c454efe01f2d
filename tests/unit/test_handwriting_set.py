"""My handwriting set: saving labelled digits in the workspace and scoring a model on them."""

from __future__ import annotations

import numpy as np
import pytest

from core.handwriting import user_set as hs
from core.handwriting.imageio import decode_image
from core.handwriting.preprocess import preprocess
from tests.unit.handwriting_samples import digit_files


@pytest.fixture()
def empty_set():
    for item in hs.list_digits():
        hs.remove_digit(item.path)
    yield
    for item in hs.list_digits():
        hs.remove_digit(item.path)


def test_saved_digits_come_back_with_their_labels(empty_set, shared_data):
    """Real digits saved with labels load back as the same 28x28 images under those labels."""
    originals = []
    for path, label in digit_files(shared_data)[20:24]:
        image = preprocess(decode_image(path)).image
        saved = hs.save_digit(image, label, source=f"upload: {path.name}")
        assert saved.path.parent.name == str(label) and saved.path.parent.parent == hs.set_dir()
        originals.append((image, label))
    x, y, items = hs.load_set()
    assert len(items) == 4 and sorted(y.tolist()) == sorted(label for _, label in originals)
    for image, label in originals:
        match = [i for i in range(len(y)) if y[i] == label]
        assert any(np.abs(x[i] - image).max() <= 1 / 255 + 1e-6 for i in match)


def test_score_reports_accuracy_and_mistakes(empty_set, shared_data, default_model):
    """Right labels score 100%; a deliberately wrong label shows up as the one mistake."""
    files = digit_files(shared_data)[:5]
    for path, label in files:
        hs.save_digit(preprocess(decode_image(path)).image, label)
    result = hs.score(default_model)
    assert result.count == 5 and result.accuracy == 1.0 and result.mistakes() == []
    path, label = files[0]
    wrong = next(d for d in range(10) if d not in {y for _, y in files})
    hs.save_digit(preprocess(decode_image(path)).image, wrong)
    result = hs.score(default_model)
    assert result.count == 6 and result.accuracy == pytest.approx(5 / 6)
    (mistake,) = result.mistakes()
    assert mistake["label"] == wrong and mistake["predicted"] == label
    assert {r["label"]: r["accuracy"] for r in result.per_label()}[wrong] == 0.0


def test_empty_set_has_no_score(empty_set, default_model):
    """With nothing saved, the score has no digits (and no made-up accuracy)."""
    result = hs.score(default_model)
    assert result.count == 0 and np.isnan(result.accuracy)


@pytest.mark.parametrize("image,label,message", [
    (np.zeros((20, 20), np.float32), 3, "28x28"),
    (np.zeros((28, 28), np.float32), 10, "0-9"),
    (np.zeros((28, 28), np.float32), "7", "0-9"),
])
def test_bad_saves_are_refused(empty_set, image, label, message):
    """Wrong shapes and labels outside 0-9 are refused with a message; nothing is written."""
    with pytest.raises(hs.HandwritingSetError, match=message):
        hs.save_digit(image, label)
    assert hs.list_digits() == []


def test_only_set_files_can_be_removed(empty_set, tmp_path):
    """remove_digit refuses files outside the set folder (the user's other files are safe)."""
    outside = tmp_path / "keep.png"
    outside.write_bytes(b"x")
    with pytest.raises(hs.HandwritingSetError):
        hs.remove_digit(outside)
    assert outside.exists()
