"""Re-do a convolution layer with OpenCV's `cv2.filter2D` and compare it with the network's own output.

`cv2.filter2D` computes a correlation, exactly as Keras' Conv2D does, so kernels are used unflipped.
For the assignment net's first layer (3x3, stride 1, 'valid', ReLU) the recipe is::

    cv2.filter2D(img, cv2.CV_32F, k, borderType=cv2.BORDER_CONSTANT)[1:-1, 1:-1] + bias  # pre-activation

The general version here pads the input the way Keras does ('valid': nothing; 'same': zeros, the extra
row/column at the bottom/right), correlates with the kernel anchored at its top-left corner, keeps the
positions where the (dilated) kernel fits, takes every `stride`-th one, sums over input channels (per
group), adds the bias and applies the layer's activation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from core.errors import LabError
from core.examine.filters import ConvInfo, conv_info, conv_layer, layer_filters
from core.nets.inputs import forward, to_batch

# filter2D sums in another order than the network's convolution, so float32 results differ in the last
# bits (about 1e-6 on [0, 1] images); 1e-4 leaves room for that, while a flipped kernel or a dropped
# bias is off by far more (tests/unit/test_filter2d.py).
TOLERANCE = 1e-4


def _activation(name: str):
    """Numpy version of a Keras activation (same formulas and constants as keras.activations)."""
    selu_alpha, selu_scale = 1.6732632423543772, 1.0507009873554805
    table = {
        "linear": lambda x: x,
        "relu": lambda x: np.maximum(x, 0),
        "tanh": np.tanh,
        "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
        "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0))),
        "selu": lambda x: selu_scale * np.where(x > 0, x, selu_alpha * np.expm1(np.minimum(x, 0))),
        "swish": lambda x: x / (1 + np.exp(-x)),
        "silu": lambda x: x / (1 + np.exp(-x)),
        "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    }
    if name == "gelu":
        from math import erf

        return np.vectorize(lambda v: 0.5 * v * (1 + erf(v / math.sqrt(2))), otypes=[np.float64])
    if name not in table:
        raise LabError(f"The activation {name!r} cannot be re-done with numpy; known: "
                       f"{', '.join(sorted(table) + ['gelu'])}.")
    return table[name]


def _same_padding(size: int, k_eff: int, stride: int) -> tuple[int, int]:
    """TensorFlow/Keras 'same' padding: output ceil(size/stride); the odd extra pixel goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def _dilate(kernel2d: np.ndarray, rate: tuple) -> np.ndarray:
    if rate == (1, 1):
        return kernel2d
    kh, kw = kernel2d.shape
    out = np.zeros(((kh - 1) * rate[0] + 1, (kw - 1) * rate[1] + 1), kernel2d.dtype)
    out[:: rate[0], :: rate[1]] = kernel2d
    return out


def correlate_layer(inputs: np.ndarray, kernel: np.ndarray, bias: np.ndarray, info: ConvInfo) -> np.ndarray:
    """A Conv2D layer's pre-activation output computed with `cv2.filter2D`, one channel at a time.

    Args:
        inputs: the layer's input for one image, (H, W) or (H, W, C).
        kernel: (kh, kw, C / groups, filters), as Keras stores it (not flipped).
        bias: (filters,); zeros for a layer without bias.
        info: the layer's stride, padding, dilation and groups.

    Returns:
        (H_out, W_out, filters) float32, before the activation.
    """
    import cv2

    x = np.asarray(inputs, dtype=np.float32)
    x = x[..., None] if x.ndim == 2 else x
    if x.ndim != 3 or x.shape[-1] != info.in_channels:
        raise LabError(f"{info.name} expects an input of shape (H, W, {info.in_channels}); got {x.shape}.")
    kh = (info.kernel_size[0] - 1) * info.dilation[0] + 1
    kw = (info.kernel_size[1] - 1) * info.dilation[1] + 1
    if info.padding == "same":
        pads = [_same_padding(x.shape[0], kh, info.strides[0]), _same_padding(x.shape[1], kw, info.strides[1])]
        x = np.pad(x, pads + [(0, 0)])
    elif info.padding != "valid":
        raise LabError(f"{info.name} uses padding {info.padding!r}; only 'valid' and 'same' are supported.")
    rows, cols = x.shape[0] - kh + 1, x.shape[1] - kw + 1
    if rows < 1 or cols < 1:
        raise LabError(f"The input {inputs.shape} is smaller than {info.name}'s kernel.")
    in_per_group = info.in_channels // info.groups
    out_per_group = info.filters // info.groups
    out = np.zeros((rows, cols, info.filters), np.float32)
    for f in range(info.filters):
        first = (f // out_per_group) * in_per_group
        for c in range(in_per_group):
            k = _dilate(np.ascontiguousarray(kernel[:, :, c, f], dtype=np.float32), info.dilation)
            # anchor (0, 0): output[y, x] = sum k[i, j] * input[y + i, x + j], i.e. Keras' 'valid' window
            full = cv2.filter2D(np.ascontiguousarray(x[:, :, first + c]), cv2.CV_32F, k,
                                anchor=(0, 0), borderType=cv2.BORDER_CONSTANT)
            out[:, :, f] += full[:rows, :cols]
    out = out[:: info.strides[0], :: info.strides[1]]
    return out + np.asarray(bias, np.float32)


def pre_activation_model(model, layer_name: str):
    """A model from the input to conv layer `layer_name`'s output *before* its activation.

    When the layer has a built-in activation, the model ends in a linear copy of the layer with the same
    weights (the original model is not changed); otherwise the layer's own output already is it.
    """
    from core.nets.network import linear_output

    conv_layer(model, layer_name)  # a clear message when it is not a convolution
    return linear_output(model, layer_name, "pre_activation")


def layer_input_model(model, layer_name: str):
    """A model from the input to what conv layer `layer_name` receives (None when that is the image)."""
    import keras

    layer = conv_layer(model, layer_name)
    if layer.input is model.inputs[0]:
        return None
    return keras.Model(model.inputs[0], layer.input, name=f"{model.name}_into_{layer_name}")


@dataclass
class Comparison:
    """filter2D beside the network for one image and one conv layer."""

    layer: str
    info: ConvInfo
    filter2d_pre: np.ndarray  # (H_out, W_out, filters), bias added, no activation
    filter2d_post: np.ndarray  # the same after the layer's activation
    network_pre: np.ndarray  # the truncated model's pre-activation output
    network_post: np.ndarray  # the network's own layer output
    accounted: list[str] = field(default_factory=list)

    @property
    def max_abs_diff_pre(self) -> float:
        return float(np.abs(self.filter2d_pre - self.network_pre).max())

    @property
    def max_abs_diff_post(self) -> float:
        return float(np.abs(self.filter2d_post - self.network_post).max())

    @property
    def max_abs_diff(self) -> float:
        """The larger of the two differences (before and after the activation)."""
        return max(self.max_abs_diff_pre, self.max_abs_diff_post)

    @property
    def agrees(self) -> bool:
        """True when filter2D reproduces the layer within `TOLERANCE`."""
        return self.max_abs_diff <= TOLERANCE

    def verdict(self) -> str:
        """One sentence: agree or differ, with the largest difference and the tolerance."""
        if self.agrees:
            return (f"filter2D and the network agree: max abs difference {self.max_abs_diff:.2e} "
                    f"<= {TOLERANCE:g}.")
        return f"filter2D and the network differ by up to {self.max_abs_diff:.2e} (> {TOLERANCE:g})."


def accounted_for(info: ConvInfo, in_shape: tuple, out_shape: tuple, first_layer: bool) -> list[str]:
    """Plain-words list of what turning filter2D into the layer's output took."""
    kh, kw = info.kernel_size
    notes = ["no kernel flip: cv2.filter2D and Keras Conv2D both compute a correlation"]
    if info.padding == "valid":
        notes.append(f"border: padding 'valid', so only positions where the whole {kh}x{kw} window fits "
                     f"are kept ({in_shape[0]}x{in_shape[1]} -> {out_shape[0]}x{out_shape[1]}; "
                     f"for 3x3 that is filter2D's output cropped by 1 pixel on each side)")
    else:
        notes.append(f"border: padding 'same', zeros added around the input as Keras does "
                     f"(BORDER_CONSTANT), output {out_shape[0]}x{out_shape[1]}")
    if info.strides != (1, 1):
        notes.append(f"stride {info.strides[0]}x{info.strides[1]}: every {info.strides[0]}th position kept")
    if info.dilation != (1, 1):
        notes.append(f"dilation {info.dilation}: zeros inserted between the kernel's taps")
    if info.in_channels > 1:
        notes.append(f"{info.in_channels} input channels: one filter2D per channel, summed"
                     + (f" within each of {info.groups} groups" if info.groups > 1 else ""))
    notes.append("bias: added to every position of each map" if info.use_bias else
                 "bias: this layer has none")
    notes.append(f"activation: {info.activation} applied after the bias" if info.activation != "linear"
                 else "activation: none inside this layer (any activation comes in a later layer)")
    notes.append("input: the image as the network sees it (28x28 floats in [0, 1])" if first_layer else
                 "input: the previous layer's output, taken from a truncated model")
    return notes


def compare(model, image: np.ndarray, layer_name: str, pre_model=None, post_model=None,
            input_model=None) -> Comparison:
    """Apply conv layer `layer_name` with cv2.filter2D to `image` and compare with the network.

    Args:
        model: a Keras model.
        image: one input image, (28, 28) or (28, 28, 1) floats in [0, 1].
        layer_name: a Conv2D layer of `model`.
        pre_model, post_model, input_model: cached truncated models (see `pre_activation_model`,
            `core.nets.network.truncate` and `layer_input_model`); built here when not given.

    Returns:
        A `Comparison` with both results and what was accounted for.
    """
    from core.nets.network import truncate

    info = conv_info(model, layer_name)
    kernel, bias = layer_filters(model, layer_name)
    batch = to_batch(image)
    first = conv_layer(model, layer_name).input is model.inputs[0]
    if first:
        layer_in = batch[0]
    else:
        input_model = input_model if input_model is not None else layer_input_model(model, layer_name)
        layer_in = forward(input_model, batch)[0]
    pre_model = pre_model if pre_model is not None else pre_activation_model(model, layer_name)
    post_model = post_model if post_model is not None else truncate(model, layer_name)
    ours_pre = correlate_layer(layer_in, kernel, bias, info)
    ours_post = _activation(info.activation)(ours_pre.astype(np.float64)).astype(np.float32)
    net_pre = forward(pre_model, batch)[0]
    net_post = forward(post_model, batch)[0]
    if ours_pre.shape != net_pre.shape:
        raise LabError(f"filter2D gave {ours_pre.shape} but {layer_name} gives {net_pre.shape}: "
                       "this layer does something the re-computation does not model.")
    return Comparison(layer_name, info, ours_pre, ours_post, net_pre, net_post,
                      accounted_for(info, layer_in.shape, ours_pre.shape, first))
