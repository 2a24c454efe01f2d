"""cv2.filter2D re-does a conv layer exactly as the network computes it (on real MNIST images)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from core.errors import LabError
from core.examine.filter2d import compare, correlate_layer, pre_activation_model
from core.examine.filters import conv_info, layer_filters
from core.nets.network import truncate

TOL = 1e-4


@pytest.fixture(scope="module")
def images(mnist):
    """Five training and three test digits as the network sees them."""
    picks = [mnist.x_train[i] for i in range(5)] + [mnist.x_test[i] for i in range(3)]
    return [np.asarray(p, np.float32) / 255.0 for p in picks]


def test_filter2d_equals_the_truncated_models_pre_activation_output(default_model, images):
    pre_model = pre_activation_model(default_model, "conv1")
    kernel, bias = layer_filters(default_model, "conv1")
    for image in images:
        net_pre = np.asarray(pre_model(image[None, :, :, None], training=False))[0]
        ours = correlate_layer(image, kernel, bias, conv_info(default_model, "conv1"))
        assert ours.shape == net_pre.shape == (26, 26, 32)
        assert np.abs(ours - net_pre).max() <= TOL
        assert (net_pre < 0).any(), "the pre-activation must differ from the ReLU output for this test to mean anything"


def test_comparison_reports_both_differences_and_what_was_accounted_for(default_model, images):
    comp = compare(default_model, images[0], "conv1")
    assert comp.max_abs_diff_pre <= TOL and comp.max_abs_diff_post <= TOL
    assert comp.filter2d_post.min() >= 0  # ReLU applied
    assert not np.allclose(comp.filter2d_pre, comp.filter2d_post)
    # the network's own conv1 output is the truncated model's output
    own = np.asarray(truncate(default_model, "conv1")(images[0][None, :, :, None], training=False))[0]
    np.testing.assert_array_equal(comp.network_post, own)
    text = " ".join(comp.accounted)
    for word in ("flip", "valid", "bias", "relu", "26x26"):
        assert word in text


def test_matches_the_assignment_one_liner(default_model, images):
    """The documented recipe: filter2D with a constant border, cropped by one pixel, plus the bias."""
    kernel, bias = layer_filters(default_model, "conv1")
    ours = correlate_layer(images[1], kernel, bias, conv_info(default_model, "conv1"))
    for f in (0, 7, 31):
        recipe = cv2.filter2D(images[1], cv2.CV_32F, kernel[:, :, 0, f],
                              borderType=cv2.BORDER_CONSTANT)[1:-1, 1:-1] + bias[f]
        assert np.abs(recipe - ours[:, :, f]).max() <= 1e-5


def test_a_flipped_kernel_does_not_match(default_model, images):
    """Keras computes correlation: flipping the kernel (true convolution) gives other maps."""
    info = conv_info(default_model, "conv1")
    kernel, bias = layer_filters(default_model, "conv1")
    right = correlate_layer(images[0], kernel, bias, info)
    flipped = correlate_layer(images[0], kernel[::-1, ::-1].copy(), bias, info)
    assert np.abs(right - flipped).max() > 0.05


def test_the_second_conv_layer_sums_over_input_channels(default_model, images):
    comp = compare(default_model, images[2], "conv2")
    assert comp.filter2d_pre.shape == (24, 24, 32)
    assert comp.max_abs_diff <= TOL
    assert any("32 input channels" in note for note in comp.accounted)


def _single_conv_model(**conv_args):
    import keras

    keras.utils.set_random_seed(3)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Conv2D(name="conv2", **conv_args)(x)
    return keras.Model(inputs, x)


@pytest.mark.parametrize("conv_args", [
    dict(filters=6, kernel_size=3, padding="same", activation="tanh"),
    dict(filters=6, kernel_size=4, padding="same", activation="sigmoid"),
    dict(filters=6, kernel_size=3, strides=2, padding="valid", activation="elu"),
    dict(filters=6, kernel_size=5, strides=2, padding="same", activation="relu"),
    dict(filters=6, kernel_size=3, dilation_rate=2, activation="leaky_relu"),
    dict(filters=6, kernel_size=3, groups=2, activation="selu"),
    dict(filters=6, kernel_size=3, use_bias=False, activation="linear"),
    dict(filters=6, kernel_size=2, padding="valid", activation="swish"),
])
def test_padding_stride_dilation_groups_bias_and_activations_are_accounted_for(conv_args, images):
    model = _single_conv_model(**conv_args)
    comp = compare(model, images[3], "conv2")
    assert comp.filter2d_pre.shape == tuple(model.get_layer("conv2").output.shape[1:])
    assert comp.max_abs_diff <= TOL, comp.accounted


def test_pre_activation_model_leaves_the_original_model_unchanged(default_model, images):
    x = images[0][None, :, :, None]
    before = np.asarray(default_model(x, training=False))
    pre_activation_model(default_model, "conv1")
    after = np.asarray(default_model(x, training=False))
    np.testing.assert_array_equal(before, after)
    assert [layer.name for layer in default_model.layers][1] == "conv1"


def test_unknown_layer_is_a_clear_error(default_model, images):
    with pytest.raises(LabError, match="conv1, conv2"):
        compare(default_model, images[0], "dense1")


def test_the_verdict_passes_within_the_tolerance_and_fails_a_flipped_kernel(default_model, images):
    from dataclasses import replace

    from core.examine.filter2d import TOLERANCE

    comp = compare(default_model, images[0], "conv1")
    assert comp.agrees and comp.verdict().startswith("filter2D and the network agree")
    kernel, bias = layer_filters(default_model, "conv1")
    flipped = correlate_layer(images[0], kernel[::-1, ::-1], bias, comp.info)
    wrong = replace(comp, filter2d_pre=flipped)
    assert wrong.max_abs_diff_pre > 100 * TOLERANCE and not wrong.agrees
    assert "differ by up to" in wrong.verdict()
    no_bias = replace(comp, filter2d_pre=comp.filter2d_pre - bias)
    assert not no_bias.agrees
