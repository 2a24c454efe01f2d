"""Pictures drawn with numpy + PIL: colour scales, shared scale across tiles, PNG export."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from core.examine import pictures


def test_diverging_scale_is_white_at_zero_and_dark_at_the_ends():
    rgb = pictures.colorize(np.array([[-2.0, 0.0, 2.0, np.nan]]), limit=2.0)
    assert tuple(rgb[0, 0]) == (5, 48, 97)  # most negative: dark blue
    assert tuple(rgb[0, 1]) == (247, 247, 247)  # zero: white
    assert tuple(rgb[0, 2]) == (103, 0, 31)  # most positive: dark red
    assert tuple(rgb[0, 3]) == pictures.MISSING


def test_sequential_scale_spans_vmin_to_vmax():
    rgb = pictures.colorize(np.array([[0.0, 1.0]]), "sequential", vmin=0.0, vmax=1.0)
    assert tuple(rgb[0, 0]) == (68, 1, 84) and tuple(rgb[0, 1]) == (253, 231, 37)
    with pytest.raises(ValueError):
        pictures.colorize(np.zeros((2, 2)), "rainbow")


def test_symmetric_limit_ignores_nan_and_never_returns_zero():
    assert pictures.symmetric_limit(np.array([1.0, -3.0]), np.array([np.nan, 2.0])) == 3.0
    assert pictures.symmetric_limit(np.zeros(4)) == 1.0


def _png_to_array(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_grid_uses_one_scale_for_all_tiles():
    """A tile of 0.5 next to a tile of 1.0 is drawn lighter, not equally dark (shared scale)."""
    maps = np.stack([np.full((3, 3), v) for v in (1.0, 0.5, -1.0, 0.0)])
    img = pictures.heatmap_grid(maps, cols=2, cell=30, gap=4, colorbar=False)
    arr = _png_to_array(pictures.to_png(img))
    scale, gap = 10, 4  # 30 px target / 3 values

    def centre(i):
        r, c = divmod(i, 2)
        return tuple(arr[gap + r * (3 * scale + gap) + 15, gap + c * (3 * scale + gap) + 15])

    expected = pictures.colorize(np.array([[1.0, 0.5, -1.0, 0.0]]), limit=1.0)[0]
    assert [centre(i) for i in range(4)] == [tuple(e) for e in expected]
    assert centre(0) != centre(1)
    assert arr.shape == (2 * 30 + 3 * gap, 2 * 30 + 3 * gap, 3)


def test_grid_of_32_filters_has_8_columns_titles_and_a_colour_bar():
    maps = np.random.default_rng(0).normal(size=(32, 3, 3))
    plain = pictures.heatmap_grid(maps, cols=8, cell=72, colorbar=False)
    full = pictures.heatmap_grid(maps, cols=8, cell=72, titles=[f"#{i}" for i in range(32)], title="conv1")
    assert plain.width == 8 * 72 + 9 * 4
    assert plain.height == 4 * 72 + 5 * 4
    assert full.width == plain.width and full.height > plain.height + 4 * 14


def test_dense_vector_laid_out_as_grid_and_overlay_keeps_cold_pixels():
    grid = pictures.as_grid(np.arange(5.0), width=3)
    assert grid.shape == (2, 3) and np.isnan(grid[1, 2])
    image = np.zeros((28, 28), np.float32)
    heat = np.zeros((28, 28), np.float32)
    heat[10, 10] = 1.0
    out = pictures.overlay(image, heat)
    assert out.shape == (28, 28, 3)
    assert tuple(out[0, 0]) == (0, 0, 0) and tuple(out[10, 10]) != (0, 0, 0)


def test_pictures_combine_and_encode():
    a = pictures.picture(np.ones((28, 28)), 2, "input")
    b = pictures.picture(np.zeros((10, 10, 3), np.uint8), 1)
    row = pictures.side_by_side([a, b], gap=5)
    assert row.size == (56 + 5 + 10, 56 + 20)
    col = pictures.stack_vertical([a, b], gap=3)
    assert col.size == (56, 76 + 3 + 10)
    assert _png_to_array(pictures.to_png(row)).shape == (76, 71, 3)


def test_epochs_become_an_animated_gif_with_one_frame_each():
    frames = [pictures.heatmap_grid(np.full((4, 3, 3), v), cols=2, cell=30) for v in (-1.0, 0.0, 1.0)]
    data = pictures.to_gif(frames, duration_ms=200)
    gif = Image.open(io.BytesIO(data))
    assert gif.format == "GIF" and gif.n_frames == 3 and gif.info["loop"] == 0
