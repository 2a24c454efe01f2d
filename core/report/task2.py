"""Task 2: the first layer's filters, filter2D beside conv1, the activation galleries and a few digits compared.

Every picture comes from `core.examine.panels`, which the Examine page draws with too.
"""

from __future__ import annotations

import numpy as np

from core.examine import activations as acts
from core.examine import filters as flt
from core.examine import panels, pictures
from core.report.context import Context

KEY = "task2"
COMPARED = (1, 2, 3)  # test examples whose pooling outputs are set side by side


def add(report, ctx: Context) -> dict:
    """Add every Task 2 item to `report`; returns the numbers report.md states."""
    report.section(KEY, "Task 2: examine the network")
    names = flt.conv_layer_names(ctx.model)
    if not names:
        report.text(KEY, "This model has no convolution layer, so it has no filters to examine.")
        return {}
    first = acts.choose_input(ctx.data, "train", 0)
    filters(report, ctx, names[0])
    numbers = filter2d(report, ctx, names[0], first)
    galleries(report, ctx, first)
    compare(report, ctx)
    return numbers


def filters(report, ctx: Context, layer: str) -> None:
    kernel, bias = flt.layer_filters(ctx.model, layer)
    maps = flt.filter_maps(kernel, 0)
    report.raw_file(KEY, f"task2_{layer}_filter_values.csv", flt.filters_csv(kernel, bias).encode(),
                    f"{layer}: the values of its {len(maps)} filters and biases (table)",
                    "One row per weight: filter, input channel, row, column, value; then the filter's bias.")
    rows = [{"filter": i, "bias": f"{bias[i]:+.3f}",
             "values (row by row)": " / ".join(" ".join(f"{v:+.3f}" for v in r) for r in flt.filter_table(kernel, i))}
            for i in range(len(maps))]
    report.table(KEY, f"task2_{layer}_filters_table", rows, f"{layer}: filters as 3-decimal rows", inline=True)
    report.picture(KEY, f"task2_{layer}_filters_grid", panels.filter_grid(kernel, layer), f"{layer}: the {len(maps)} filters as an 8-column grid",
                   "Blue negative, red positive, one colour scale for all filters.")


def filter2d(report, ctx: Context, layer: str, first) -> dict:
    from core.examine.filter2d import compare as redo

    comp = redo(ctx.model, first.image, layer)
    limit = pictures.symmetric_limit(comp.filter2d_post, comp.network_post)
    h, w, n = comp.filter2d_post.shape
    grids = [panels.maps_grid(arr, f"{who}: {n} maps of {h}x{w}, after the activation", limit)
             for arr, who in ((comp.filter2d_post, "cv2.filter2D"), (comp.network_post, f"network ({layer} output)"))]
    report.picture(KEY, f"task2_{layer}_filter2d_vs_network", pictures.side_by_side(grids, gap=24),
                   f"The {n} cv2.filter2D images of {first.title} beside {layer}'s outputs",
                   "Left: cv2.filter2D with each filter, plus bias, then the activation. Right: the network's own "
                   "layer output. One colour scale for both.")
    report.text(KEY, f"Max |filter2D - network|: **{comp.max_abs_diff_pre:.2e}** before the activation, "
                     f"**{comp.max_abs_diff_post:.2e}** after it.\n\n"
                + "\n".join(f"- {note}" for note in comp.accounted))
    return {"filter2d_max_diff_pre": comp.max_abs_diff_pre, "filter2d_max_diff_post": comp.max_abs_diff_post}


def galleries(report, ctx: Context, first) -> None:
    from core.nets.network import truncate

    for layer in acts.default_layers(ctx.model):
        out = acts.layer_output(truncate(ctx.model, layer), first.image)
        s = acts.summary(out)
        report.picture(KEY, f"task2_{layer}_gallery", panels.gallery(layer, out), f"{layer} gallery for {first.title}",
                       f"shape {s['shape']}, {s['zeros']:.0%} zeros, mean {s['mean']:.3f}, max {s['max']:.3f}")


def compare(report, ctx: Context) -> None:
    from core.nets.network import truncate

    spatial = [r["name"] for r in acts.layer_rows(ctx.model) if len(r["shape"]) == 3]
    layer = acts.first_pool_name(ctx.model) or spatial[-1]
    inputs = [acts.choose_input(ctx.data, "test", i) for i in COMPARED]
    outs = acts.layer_output(truncate(ctx.model, layer), np.stack([c.image for c in inputs]))
    report.picture(KEY, f"task2_{layer}_compare_digits", panels.compare_digits(inputs, outs), f"{layer} output of three other digits side by side",
                   " | ".join(c.title for c in inputs) + "; one colour scale.")
    sim = acts.similarity(outs)
    names = [c.title.split(" (")[0] for c in inputs]
    report.table(KEY, f"task2_{layer}_compare_similarity",
                 [{"digit": a, **{b: round(float(sim[i, j]), 3) for j, b in enumerate(names)}} for i, a in enumerate(names)],
                 f"Cosine similarity of their {layer} outputs", inline=True)
