"""The filters (kernels) of a model's convolution layers: which layers, their values, per input channel.

A Keras `Conv2D` kernel has shape (kh, kw, in_channels, filters). For the first layer of an MNIST net
in_channels is 1, so each filter is one small picture; deeper layers have one such picture per input
channel, which is how they are browsed here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.errors import LabError


@dataclass(frozen=True)
class ConvInfo:
    """What a convolution layer does, read from its config (everything filter2D must account for)."""

    name: str
    filters: int
    in_channels: int
    kernel_size: tuple
    strides: tuple
    padding: str
    dilation: tuple
    groups: int
    activation: str
    use_bias: bool

    @property
    def describe(self) -> str:
        kh, kw = self.kernel_size
        return (f"{self.name}: {self.filters} filters of {kh}x{kw} over {self.in_channels} input "
                f"channel{'s' if self.in_channels != 1 else ''}, stride {self.strides[0]}, "
                f"padding '{self.padding}', activation {self.activation}")


def _is_conv2d(layer) -> bool:
    import keras

    # Depthwise/separable convs subclass a different base and hold other weights: not listed here.
    return isinstance(layer, keras.layers.Conv2D) and not isinstance(layer, keras.layers.Conv2DTranspose)


def conv_layer_names(model) -> list[str]:
    """Names of the model's `Conv2D` layers, in order (empty for a model without convolutions)."""
    return [layer.name for layer in model.layers if _is_conv2d(layer)]


def conv_layer(model, name: str):
    """The `Conv2D` layer called `name`.

    Raises:
        LabError: no such layer, or it is not a Conv2D layer (naming the ones there are).
    """
    names = conv_layer_names(model)
    if name not in names:
        raise LabError(f"{name!r} is not a convolution layer of this model. "
                       f"Its convolution layers are: {', '.join(names) or 'none'}.")
    return model.get_layer(name)


def conv_info(model, name: str) -> ConvInfo:
    """Shape, stride, padding, dilation, groups, activation and bias use of conv layer `name`."""
    layer = conv_layer(model, name)
    cfg = layer.get_config()
    if cfg.get("data_format", "channels_last") != "channels_last":
        raise LabError(f"{name} uses data_format={cfg['data_format']!r}; only channels_last is supported.")
    activation = cfg.get("activation", "linear")
    if isinstance(activation, dict):  # a serialised activation object
        activation = activation.get("config", {}).get("name") or activation.get("class_name", "custom")
    kernel = layer.kernel
    return ConvInfo(
        name=name,
        filters=int(cfg["filters"]),
        in_channels=int(kernel.shape[2]) * int(cfg.get("groups", 1)),
        kernel_size=tuple(int(k) for k in cfg["kernel_size"]),
        strides=tuple(int(s) for s in cfg["strides"]),
        padding=str(cfg["padding"]),
        dilation=tuple(int(d) for d in cfg.get("dilation_rate", (1, 1))),
        groups=int(cfg.get("groups", 1)),
        activation=str(activation),
        use_bias=bool(cfg.get("use_bias", True)),
    )


def layer_filters(model, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Kernel (kh, kw, in_per_group, filters) and bias (filters,) of conv layer `name` as float32 copies.

    A layer without bias gets a zero bias, so callers can always add it.
    """
    layer = conv_layer(model, name)
    kernel = np.array(layer.kernel.numpy(), dtype=np.float32)
    bias = np.array(layer.bias.numpy(), dtype=np.float32) if layer.use_bias else \
        np.zeros(kernel.shape[-1], np.float32)
    return kernel, bias


def filter_maps(kernel: np.ndarray, channel: int = 0) -> np.ndarray:
    """The filters' weights on one input channel: (filters, kh, kw).

    Raises:
        LabError: `channel` is out of range.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise LabError(f"A Conv2D kernel has 4 axes (kh, kw, in, out); got shape {kernel.shape}.")
    if not 0 <= channel < kernel.shape[2]:
        raise LabError(f"Input channel {channel} does not exist: this kernel has channels 0..{kernel.shape[2] - 1}.")
    return np.moveaxis(kernel[:, :, channel, :], -1, 0)


def filter_table(kernel: np.ndarray, index: int, channel: int = 0, decimals: int = 3) -> list[list[float]]:
    """The values of filter `index` on input `channel` as rows of rounded numbers (for printing)."""
    maps = filter_maps(kernel, channel)
    if not 0 <= index < maps.shape[0]:
        raise LabError(f"Filter {index} does not exist: this layer has filters 0..{maps.shape[0] - 1}.")
    return np.round(maps[index].astype(np.float64), decimals).tolist()


def filters_csv(kernel: np.ndarray, bias: np.ndarray, decimals: int = 4) -> str:
    """Every weight as CSV: filter, input channel, row, column, value (and each filter's bias)."""
    kernel = np.asarray(kernel)
    lines = ["filter,channel,row,col,value"]
    kh, kw, cin, cout = kernel.shape
    for f in range(cout):
        for c in range(cin):
            for r in range(kh):
                for col in range(kw):
                    lines.append(f"{f},{c},{r},{col},{kernel[r, col, c, f]:.{decimals}f}")
        lines.append(f"{f},bias,,,{float(bias[f]):.{decimals}f}")
    return "\n".join(lines) + "\n"


def filter_stats(kernel: np.ndarray, bias: np.ndarray) -> list[dict]:
    """Per filter: its bias, weight sum (response to a flat patch), L2 norm and largest absolute weight."""
    kernel = np.asarray(kernel, dtype=np.float64)
    flat = kernel.reshape(-1, kernel.shape[-1])
    return [
        {"filter": i, "bias": float(bias[i]), "sum": float(flat[:, i].sum()),
         "norm": float(np.linalg.norm(flat[:, i])), "max_abs": float(np.abs(flat[:, i]).max())}
        for i in range(flat.shape[1])
    ]


def epoch_title(epoch: int) -> str:
    return "First-layer filters " + ("before training" if epoch == 0 else f"after epoch {epoch}")


def epoch_grid(history: dict, epoch: int, limit: float | None = None):
    """The 8-column filter grid of one saved epoch (see `core.runs.rundir.load_epoch_filters`).

    Args:
        history: {epoch: {"kernel": (kh, kw, 1, filters), "bias": ...}}.
        epoch: which epoch to draw.
        limit: half-width of the colour scale. Defaults to the largest weight over all epochs, so that
            frames of different epochs compare.
    """
    from core.examine.pictures import heatmap_grid, symmetric_limit

    limit = limit or symmetric_limit(*(h["kernel"] for h in history.values()))
    kernel = history[epoch]["kernel"]
    return heatmap_grid(filter_maps(kernel), cols=8, cell=56, limit=limit,
                        titles=[f"#{i}" for i in range(kernel.shape[-1])], title=epoch_title(epoch))


def epochs_gif(history: dict, duration_ms: int = 600) -> bytes:
    """Every saved epoch's filter grid, on one colour scale, as an animated GIF."""
    from core.examine.pictures import symmetric_limit, to_gif

    limit = symmetric_limit(*(h["kernel"] for h in history.values()))
    return to_gif([epoch_grid(history, e, limit) for e in sorted(history)], duration_ms)
