"""The Train page's architecture editor backend: apply edits to a preset, summarise and draw the net."""

from __future__ import annotations

import math
from dataclasses import replace

from core.nets.config import ConvBlock, DenseLayer, NetConfig

# layer type -> box colour of the diagram
COLORS = {
    "InputLayer": "#9e9e9e", "Conv2D": "#1f77b4", "MaxPooling2D": "#2ca02c",
    "AveragePooling2D": "#2ca02c", "Dropout": "#bdbdbd", "Flatten": "#8c564b",
    "Dense": "#ff7f0e", "BatchNormalization": "#9467bd", "Activation": "#17becf",
}


def apply_edits(base: NetConfig, conv: list[dict], dense: list[dict], **top) -> NetConfig:
    """A validated copy of `base` with the editor's conv blocks, dense layers and top-level fields.

    Block fields the editor does not show (e.g. `activation_after_pool` of the PyTorch tutorial
    net) are kept from the base block at the same position.

    Args:
        base: the preset the form started from.
        conv: one dict of `ConvBlock` fields per conv block (filters, kernel_size, pool_size, ...).
        dense: one dict of `DenseLayer` fields per hidden dense layer.
        **top: `NetConfig` fields such as epochs, batch_size, learning_rate, seed, l2.

    Raises:
        LabError: naming the first invalid value.
    """
    blocks = [replace(base.conv[i] if i < len(base.conv) else ConvBlock(), **c) for i, c in enumerate(conv)]
    layers = [replace(base.dense[i] if i < len(base.dense) else DenseLayer(), **d)
              for i, d in enumerate(dense)]
    config = replace(base, conv=blocks, dense=layers, **top)
    config.validate()
    return config


def _layer_plan(config: NetConfig) -> list[dict]:
    """The layers `core.nets.network.build_model` makes for `config`, worked out without TensorFlow.

    Returns:
        One {"name", "type", "shape", "params", "trainable"} per layer after the input, in order.
    """
    rows, shape, n_pool, n_drop = [], tuple(config.input_shape), 0, 0

    def add(name, kind, params=0, trainable=None):
        rows.append({"name": name, "type": kind, "shape": shape, "params": params,
                     "trainable": params if trainable is None else trainable})

    def dropout():
        nonlocal n_drop
        n_drop += 1
        add(f"dropout{n_drop}", "Dropout")

    for i, b in enumerate(config.conv, start=1):
        size = -(-shape[0] // b.stride) if b.padding == "same" else (shape[0] - b.kernel_size) // b.stride + 1
        c_in, shape = shape[-1], (size, size, b.filters)
        add(f"conv{i}", "Conv2D", b.kernel_size ** 2 * c_in * b.filters + b.filters)
        if b.batch_norm:
            add(f"bn{i}", "BatchNormalization", 4 * b.filters, 2 * b.filters)
            if not b.activation_after_pool:
                add(f"act{i}", "Activation")
        if b.dropout and b.dropout_before_pool:
            dropout()
        if b.pool_size > 1:
            n_pool += 1
            shape = (shape[0] // b.pool_size, shape[1] // b.pool_size, shape[2])
            add(f"pool{n_pool}", "MaxPooling2D" if b.pool_type == "max" else "AveragePooling2D")
        if b.activation_after_pool:
            add(f"act{i}", "Activation")
        if b.dropout and not b.dropout_before_pool:
            dropout()
    if len(shape) > 1:
        shape = (math.prod(shape),)
        add("flatten", "Flatten")
    for j, d in enumerate(config.dense, start=1):
        c_in, shape = shape[0], (d.units,)
        add(f"dense{j}", "Dense", c_in * d.units + d.units)
        if d.dropout:
            dropout()
    c_in, shape = shape[0], (config.num_classes,)
    add("output", "Dense", c_in * config.num_classes + config.num_classes)
    return rows


def summarize_config(config: NetConfig) -> dict:
    """The layers of the model a config describes, without building it (no TensorFlow import).

    Returns:
        {"layers": [{"name", "type", "output_shape", "params"}...] including the input,
         "total_params": int, "trainable_params": int}.
    """
    config.validate()
    plan = _layer_plan(config)
    rows = [{"name": "image", "type": "InputLayer",
             "output_shape": "x".join(str(d) for d in config.input_shape), "params": 0}]
    rows += [{"name": r["name"], "type": r["type"], "output_shape": "x".join(str(d) for d in r["shape"]),
              "params": r["params"]} for r in plan]
    return {"layers": rows, "total_params": sum(r["params"] for r in plan),
            "trainable_params": sum(r["trainable"] for r in plan)}


def diagram_figure(layers: list[dict]):
    """A block diagram of the layers left to right: one box per layer with its type and output shape.

    Box heights grow with the logarithm of the layer's output size, so the picture shows where the
    network shrinks the image.
    """
    import plotly.graph_objects as go

    sizes = [max(1, math.prod(int(v) for v in r["output_shape"].split("x") if v.isdigit()) or 1)
             for r in layers]
    biggest = math.log10(max(sizes + [10]))
    shapes, notes = [], []  # handed to plotly at once: add_shape/add_annotation re-validate all earlier ones
    x = 0.0
    for row, size in zip(layers, sizes):
        h = 0.35 + 0.65 * math.log10(size) / biggest
        color = COLORS.get(row["type"], "#7f7f7f")
        shapes.append({"type": "rect", "x0": x, "x1": x + 1, "y0": -h / 2, "y1": h / 2, "fillcolor": color,
                       "opacity": 0.8, "line": {"color": "#333", "width": 1}})
        params = f"<br>{row['params']:,} p" if row["params"] else ""
        notes.append({"x": x + 0.5, "y": 0, "text": f"<b>{row['name']}</b><br>{row['output_shape']}{params}",
                      "showarrow": False, "font": {"size": 9, "color": "white"},
                      "textangle": -90 if len(layers) > 7 else 0})
        notes.append({"x": x + 0.5, "y": -0.62, "text": row["type"].replace("Pooling2D", "Pool"),
                      "showarrow": False, "font": {"size": 9}})
        if x > 0:
            notes.append({"x": x, "y": 0, "ax": x - 0.25, "ay": 0, "xref": "x", "yref": "y", "axref": "x",
                          "ayref": "y", "showarrow": True, "arrowhead": 2, "arrowsize": 1, "arrowwidth": 1.2,
                          "text": ""})
        x += 1.25
    fig = go.Figure(layout={"shapes": shapes, "annotations": notes})
    fig.update_xaxes(visible=False, range=[-0.1, max(x - 0.15, 1)])
    fig.update_yaxes(visible=False, range=[-0.75, 0.55])
    fig.update_layout(height=230, margin={"l": 0, "r": 0, "t": 0, "b": 0}, plot_bgcolor="rgba(0,0,0,0)",
                      showlegend=False)
    return fig
