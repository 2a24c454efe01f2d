"""The composed pictures of the Examine page (filter grid, filter2D maps, galleries, digits compared).

The Examine page and the report (`core.report.task2`) both draw them here, so the report's PNGs are the
very pictures the page shows.
"""

from __future__ import annotations

from core.examine import pictures
from core.examine.activations import maps_of
from core.examine.filters import filter_maps


def filter_grid(kernel, layer: str, channel: int = 0):
    """A conv layer's filters on one input channel as an 8-column grid on one colour scale."""
    maps = filter_maps(kernel, channel)
    suffix = f", input channel {channel}" if kernel.shape[2] > 1 else ""
    return pictures.heatmap_grid(maps, cols=8, titles=[f"#{i}" for i in range(len(maps))], cell=72,
                                 title=f"{layer}: {len(maps)} filters{suffix}")


def maps_grid(output, title: str, limit: float | None = None):
    """One image's (H, W, C) layer output as 8-column maps, e.g. filter2D's or the network's."""
    return pictures.heatmap_grid(maps_of(output), cols=8, cell=52, limit=limit, title=title)


def gallery(layer: str, output):
    """A layer's activation gallery: 8 columns of maps, or one row-by-row map for a flat layer."""
    if output.ndim == 3:
        title = f"{layer}: {output.shape[-1]} maps of {output.shape[0]}x{output.shape[1]}"
        return pictures.heatmap_grid(maps_of(output), cols=8, cell=80, title=title)
    return pictures.heatmap_grid(maps_of(output), cols=1, cell=320,
                                 title=f"{layer}: {output.size} values, laid out row by row")


def compare_digits(inputs, outputs):
    """Several digits (`InputImage`s) above their layer outputs, side by side on one colour scale."""
    limit = pictures.symmetric_limit(outputs)
    panels = [pictures.stack_vertical([pictures.picture(c.image, 3, c.title.split(" (")[0]),
                                       pictures.heatmap_grid(maps_of(o), cols=4, cell=44, limit=limit,
                                                             colorbar=False)])
              for c, o in zip(inputs, outputs)]
    row = pictures.side_by_side(panels, gap=24)
    return pictures.stack_vertical([row, pictures.color_scale(row.width, "diverging", -limit, limit)])
