"""The stroke-based Greek generator and the default set it made in assets/greek."""

from __future__ import annotations

import numpy as np
from PIL import Image

from core.greek.generator import LETTERS, generate, write_set
from core.paths import ASSETS_DIR


def test_same_seed_same_letters_other_seed_other_letters():
    a, b, c = generate(2, seed=5), generate(2, seed=5), generate(2, seed=6)
    assert [name for name, _ in a] == ["alpha", "beta", "gamma"] * 2
    assert all(np.array_equal(x[1], y[1]) for x, y in zip(a, b))
    assert not any(np.array_equal(x[1], y[1]) for x, y in zip(a, c))


def test_letters_look_like_pencil_scans_and_vary():
    images = generate(3, seed=1)
    for _, img in images:
        assert img.shape == (133, 133) and img.dtype == np.uint8
        # grey paper, darker ink: the median is paper, the darkest pixels are far darker
        assert 120 < np.median(img) < 240 and img.min() < np.median(img) - 40
    alphas = [img for name, img in images if name == "alpha"]
    assert np.abs(alphas[0].astype(int) - alphas[1].astype(int)).mean() > 5


def test_default_set_is_what_the_generator_makes(tmp_path):
    shipped = sorted((ASSETS_DIR / "greek").glob("*.png"))
    names = [p.name.split("_")[0] for p in shipped]
    assert all(names.count(letter) >= 9 for letter in LETTERS)
    remade = write_set(tmp_path, per_class=names.count("alpha"), seed=0)
    assert [p.name for p in remade] != [] and sorted(p.name for p in remade) == [p.name for p in shipped]
    for path in shipped:
        assert np.array_equal(np.asarray(Image.open(path)), np.asarray(Image.open(tmp_path / path.name)))
    assert sum(p.stat().st_size for p in shipped) < 600 * 1024
