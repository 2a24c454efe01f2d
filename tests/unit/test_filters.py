"""Reading conv layers' filters: which layers, shapes, values tables, per input channel, CSV."""

from __future__ import annotations

import numpy as np
import pytest

from core.nets import config
from core.errors import LabError
from core.examine.filters import (conv_info, conv_layer_names, filter_maps, filter_stats, filter_table,
                          filters_csv, layer_filters)
from core.nets.network import build_model


def test_default_model_has_32_first_layer_filters_of_3x3(default_model):
    assert conv_layer_names(default_model) == ["conv1", "conv2"]
    kernel, bias = layer_filters(default_model, "conv1")
    assert kernel.shape == (3, 3, 1, 32) and bias.shape == (32,)
    np.testing.assert_array_equal(kernel, default_model.get_layer("conv1").get_weights()[0])
    maps = filter_maps(kernel)
    assert maps.shape == (32, 3, 3)
    np.testing.assert_array_equal(maps[5], kernel[:, :, 0, 5])


def test_values_table_is_rounded_to_three_decimals(default_model):
    kernel, _ = layer_filters(default_model, "conv1")
    table = filter_table(kernel, 4)
    assert np.array(table).shape == (3, 3)
    np.testing.assert_allclose(table, np.round(kernel[:, :, 0, 4], 3), atol=1e-9)
    assert all(round(v, 3) == v for row in table for v in row)


def test_deeper_layers_are_browsed_per_input_channel(default_model):
    kernel, bias = layer_filters(default_model, "conv2")
    assert kernel.shape == (3, 3, 32, 32)
    np.testing.assert_array_equal(filter_maps(kernel, 7)[2], kernel[:, :, 7, 2])
    with pytest.raises(LabError, match="0..31"):
        filter_maps(kernel, 32)
    info = conv_info(default_model, "conv2")
    assert (info.in_channels, info.padding, info.strides, info.activation) == (32, "valid", (1, 1), "relu")


def test_csv_holds_every_weight_and_bias(default_model):
    kernel, bias = layer_filters(default_model, "conv1")
    lines = filters_csv(kernel, bias).strip().splitlines()
    assert lines[0] == "filter,channel,row,col,value"
    assert len(lines) == 1 + 32 * (9 + 1)
    assert lines[1] == f"0,0,0,0,{kernel[0, 0, 0, 0]:.4f}"
    stats = filter_stats(kernel, bias)
    assert stats[3]["sum"] == pytest.approx(float(kernel[:, :, 0, 3].sum()), abs=1e-6)


def test_presets_filters_and_activation_placement():
    tutorial = build_model(config.preset("pytorch-tutorial"), compile=False)
    assert conv_layer_names(tutorial) == ["conv1", "conv2"]
    info = conv_info(tutorial, "conv1")
    # the tutorial net applies ReLU after pooling, so the conv layer itself is linear
    assert (info.kernel_size, info.filters, info.activation) == ((5, 5), 10, "linear")
    assert conv_info(tutorial, "conv2").in_channels == 10


def test_not_a_conv_layer_or_no_conv_at_all_is_a_clear_error(default_model):
    with pytest.raises(LabError, match="conv1, conv2"):
        layer_filters(default_model, "pool1")
    dense_only = build_model(config.NetConfig(name="dense", dense=[config.DenseLayer(16)]), compile=False)
    assert conv_layer_names(dense_only) == []
    with pytest.raises(LabError, match="convolution layers are: none"):
        layer_filters(dense_only, "dense1")


def test_epoch_grids_share_one_scale_and_animate(tmp_path):
    from PIL import Image
    import io

    from core.runs import rundir
    from core.examine.filters import epoch_grid, epochs_gif

    rng = np.random.default_rng(1)
    for epoch, scale in ((0, 0.1), (1, 0.5), (2, 1.0)):
        rundir.save_epoch_filters(tmp_path, epoch, rng.normal(0, scale, (3, 3, 1, 32)).astype(np.float32),
                                  np.zeros(32, np.float32))
    history = rundir.load_epoch_filters(tmp_path)
    early, late = np.asarray(epoch_grid(history, 0)), np.asarray(epoch_grid(history, 2))
    assert early.shape == late.shape
    # on the shared scale the small initial weights look pale: closer to white than the trained ones
    assert np.abs(255 - early.astype(int)).mean() < np.abs(255 - late.astype(int)).mean()
    gif = Image.open(io.BytesIO(epochs_gif(history)))
    assert gif.n_frames == 3
