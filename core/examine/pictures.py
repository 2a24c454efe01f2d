"""Render heatmaps, grids of heatmaps and galleries as pictures with numpy + PIL only.

Every figure of the Examine page is made here and shown as the very PNG its download button offers, so
"Download PNG" works on a server without a browser (plotly's PNG export needs kaleido and Chrome).
Signed values use one diverging scale centred on zero (blue negative, white zero, red positive) shared
by all tiles of a figure, so signs and magnitudes compare across tiles.
"""

from __future__ import annotations

import io
import math
from typing import Sequence

import numpy as np

# Anchor colours (RGB) of the scales, evenly spaced from the low to the high end.
DIVERGING = np.array([(5, 48, 97), (67, 147, 195), (247, 247, 247), (214, 96, 77), (103, 0, 31)], float)
SEQUENTIAL = np.array([(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)], float)
MISSING = (190, 190, 190)  # NaN cells (padding of 1-D layers laid out as a grid)
BACKGROUND = (255, 255, 255)
TEXT = (30, 30, 30)


def _font(size: int):
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def symmetric_limit(*arrays) -> float:
    """The largest absolute finite value over `arrays` (the half-width of a shared diverging scale).

    Returns 1.0 when every value is zero or missing, so a blank map still renders.
    """
    finite = [np.abs(a[np.isfinite(a)]) for a in (np.asarray(x, dtype=np.float64) for x in arrays)]
    peak = max((float(a.max()) for a in finite if a.size), default=0.0)
    return peak if peak > 0 else 1.0


def colorize(values: np.ndarray, cmap: str = "diverging", limit: float | None = None,
             vmin: float | None = None, vmax: float | None = None) -> np.ndarray:
    """Map a 2-D array to RGB uint8.

    Args:
        values: the array; NaN cells come out grey.
        cmap: "diverging" (centred on 0, range -limit..limit) or "sequential" (vmin..vmax).
            Defaults to "diverging".
        limit: half-width of the diverging scale. Defaults to the array's largest absolute value.
        vmin, vmax: ends of the sequential scale. Default to the array's min and max.

    Returns:
        (H, W, 3) uint8 array.
    """
    values = np.asarray(values, dtype=np.float64)
    if cmap == "diverging":
        limit = limit or symmetric_limit(values)
        t = (values / limit + 1.0) / 2.0
        anchors = DIVERGING
    elif cmap == "sequential":
        finite = values[np.isfinite(values)]
        lo = float(finite.min()) if vmin is None and finite.size else (vmin or 0.0)
        hi = float(finite.max()) if vmax is None and finite.size else (vmax if vmax is not None else 1.0)
        t = (values - lo) / (hi - lo if hi > lo else 1.0)
        anchors = SEQUENTIAL
    else:
        raise ValueError(f"Unknown colour map {cmap!r}; use 'diverging' or 'sequential'.")
    missing = ~np.isfinite(t)
    t = np.clip(np.nan_to_num(t), 0.0, 1.0) * (len(anchors) - 1)
    low = np.minimum(t.astype(int), len(anchors) - 2)
    frac = (t - low)[..., None]
    rgb = anchors[low] * (1 - frac) + anchors[low + 1] * frac
    rgb[missing] = MISSING
    return rgb.round().astype(np.uint8)


def grey(image: np.ndarray) -> np.ndarray:
    """A [0, 1] float or uint8 greyscale image as RGB uint8."""
    arr = np.asarray(image)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    return np.stack([arr] * 3, -1) if arr.ndim == 2 else arr


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.55) -> np.ndarray:
    """Blend a [0, 1] heat map (sequential colours) over a greyscale image of the same size.

    The blend weight grows with the heat, so cold regions keep the original image.
    """
    heat = np.clip(np.nan_to_num(np.asarray(heat, dtype=np.float64)), 0.0, 1.0)
    heat_rgb = colorize(heat, "sequential", vmin=0.0, vmax=1.0).astype(float)
    weight = (alpha * np.sqrt(heat))[..., None]
    base = grey(image).astype(float)
    return (base * (1 - weight) + heat_rgb * weight).round().astype(np.uint8)


def as_grid(vector: np.ndarray, width: int | None = None) -> np.ndarray:
    """Lay a 1-D activation vector out as a 2-D map (row by row), padding the last row with NaN."""
    vector = np.asarray(vector, dtype=np.float64).reshape(-1)
    width = width or max(1, math.ceil(math.sqrt(vector.size)))
    rows = math.ceil(vector.size / width)
    out = np.full(rows * width, np.nan)
    out[: vector.size] = vector
    return out.reshape(rows, width)


def _upscale(rgb: np.ndarray, scale: int) -> np.ndarray:
    return np.repeat(np.repeat(rgb, scale, axis=0), scale, axis=1) if scale > 1 else rgb


def color_scale(width: int, cmap: str, low: float, high: float, font=None):
    """A horizontal colour scale from `low` to `high`, `width` pixels wide, with its end (and zero) labels."""
    from PIL import Image, ImageDraw

    font = font or _font(11)

    bar_w, bar_h = min(width - 20, 320), 12
    ramp = np.linspace(low, high, bar_w)[None, :].repeat(bar_h, 0)
    rgb = colorize(ramp, cmap, limit=max(abs(low), abs(high)), vmin=low, vmax=high)
    canvas = Image.new("RGB", (width, bar_h + 22), BACKGROUND)
    left = (width - bar_w) // 2
    canvas.paste(Image.fromarray(rgb), (left, 2))
    draw = ImageDraw.Draw(canvas)
    labels = [(0.0, f"{low:.3g}"), (1.0, f"{high:.3g}")]
    if cmap == "diverging":
        labels.insert(1, (0.5, "0"))
    for pos, text in labels:
        x = left + pos * (bar_w - 1)
        tw = draw.textlength(text, font=font)
        draw.text((min(max(x - tw / 2, 0), width - tw), bar_h + 5), text, fill=TEXT, font=font)
    return canvas


def heatmap_grid(maps, cols: int = 8, titles: Sequence[str] | None = None, cmap: str = "diverging",
                 limit: float | None = None, vmin: float | None = None, vmax: float | None = None,
                 cell: int = 72, title: str | None = None, colorbar: bool = True, gap: int = 4):
    """Draw many 2-D maps as one grid picture on a single shared colour scale.

    Args:
        maps: (N, H, W) array or a list of 2-D arrays of one size.
        cols: tiles per row. Defaults to 8.
        titles: one caption per tile. Defaults to none.
        cmap: "diverging" or "sequential" (see `colorize`). Defaults to "diverging".
        limit: half-width of the diverging scale. Defaults to the largest absolute value of all maps.
        vmin, vmax: ends of the sequential scale. Default to the min and max of all maps.
        cell: target tile size in pixels; maps are enlarged by a whole factor. Defaults to 72.
        title: a heading above the grid. Defaults to none.
        colorbar: draw the scale below the grid. Defaults to True.
        gap: pixels between tiles. Defaults to 4.

    Returns:
        A `PIL.Image.Image` (RGB).
    """
    maps = [np.asarray(m, dtype=np.float64) for m in maps]
    if not maps:
        raise ValueError("heatmap_grid needs at least one map.")
    limit, low, high = _scale_ends(maps, cmap, limit, vmin, vmax)
    canvas = _tiles(maps, cols, titles, cell, title, gap,
                    lambda m: colorize(m, cmap, limit=limit, vmin=low, vmax=high))
    if not colorbar:
        return canvas
    return stack_vertical([canvas, color_scale(canvas.width, cmap, low, high, _font(11))], gap=0)


def _scale_ends(maps: list, cmap: str, limit, vmin, vmax) -> tuple:
    """(limit, low, high) of one colour scale shared by every map (see `heatmap_grid`)."""
    if cmap == "diverging":
        limit = limit or symmetric_limit(*maps)
        return limit, -limit, limit
    finite = np.concatenate([m[np.isfinite(m)].ravel() for m in maps] + [np.zeros(0)])
    low = vmin if vmin is not None else (float(finite.min()) if finite.size else 0.0)
    high = vmax if vmax is not None else (float(finite.max()) if finite.size else 1.0)
    return limit, low, (high if high > low else low + 1.0)


def _tiles(maps: list, cols: int, titles, cell: int, title: str | None, gap: int, paint):
    """The grid itself: `paint(map)` gives each tile's RGB, enlarged by a whole factor towards `cell`."""
    from PIL import Image, ImageDraw

    h, w = maps[0].shape
    scale = max(1, round(cell / max(h, w)))
    tile_h, tile_w = h * scale, w * scale
    cols = max(1, min(cols, len(maps)))
    rows = math.ceil(len(maps) / cols)
    font = _font(11)
    label_h = 14 if titles else 0
    head_h = 22 if title else 0
    canvas = Image.new("RGB", (cols * tile_w + (cols + 1) * gap, head_h + rows * (tile_h + label_h)
                               + (rows + 1) * gap), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((gap, 4), title, fill=TEXT, font=_font(14))
    for i, m in enumerate(maps):
        r, c = divmod(i, cols)
        x = gap + c * (tile_w + gap)
        y = head_h + gap + r * (tile_h + label_h + gap)
        if titles:
            draw.text((x, y), str(titles[i])[:24], fill=TEXT, font=font)
        canvas.paste(Image.fromarray(_upscale(paint(m), scale)), (x, y + label_h))
    return canvas


def picture(rgb: np.ndarray, scale: int = 1, title: str | None = None):
    """One RGB (or greyscale [0, 1]) array as a picture, enlarged by `scale`, with an optional title."""
    from PIL import Image, ImageDraw

    rgb = grey(rgb) if np.asarray(rgb).ndim == 2 else np.asarray(rgb, dtype=np.uint8)
    img = Image.fromarray(_upscale(rgb, scale))
    if not title:
        return img
    canvas = Image.new("RGB", (img.width, img.height + 20), BACKGROUND)
    ImageDraw.Draw(canvas).text((2, 3), title, fill=TEXT, font=_font(12))
    canvas.paste(img, (0, 20))
    return canvas


def side_by_side(images: Sequence, gap: int = 12):
    """Place pictures next to each other, top-aligned, on a white background."""
    from PIL import Image

    width = sum(im.width for im in images) + gap * (len(images) - 1)
    canvas = Image.new("RGB", (width, max(im.height for im in images)), BACKGROUND)
    x = 0
    for im in images:
        canvas.paste(im, (x, 0))
        x += im.width + gap
    return canvas


def stack_vertical(images: Sequence, gap: int = 8):
    """Place pictures below each other, left-aligned, on a white background."""
    from PIL import Image

    height = sum(im.height for im in images) + gap * (len(images) - 1)
    canvas = Image.new("RGB", (max(im.width for im in images), height), BACKGROUND)
    y = 0
    for im in images:
        canvas.paste(im, (0, y))
        y += im.height + gap
    return canvas


def to_png(image) -> bytes:
    """Encode a PIL image as PNG bytes."""
    buf = io.BytesIO()
    image.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def to_gif(frames: Sequence, duration_ms: int = 600) -> bytes:
    """Encode pictures as an endlessly looping animated GIF (e.g. the filters epoch by epoch)."""
    if not frames:
        raise ValueError("to_gif needs at least one frame.")
    frames = [f.convert("RGB") for f in frames]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=duration_ms, loop=0)
    return buf.getvalue()
