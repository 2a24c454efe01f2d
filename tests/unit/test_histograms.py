"""Weight/bias histograms: per layer from a model, and per epoch from a real (tiny) training run."""

import numpy as np
import pytest

from core.runs import rundir
from core.examine.histograms import (epoch_stats, epochs_figure, histogram, layer_figure, layer_weights,
                             load_epoch_histograms, model_histograms, weight_summaries)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory, mnist):
    """Two epochs of a small net on 512 real MNIST images, through the shared training loop."""
    import keras

    from core.nets.config import ConvBlock, DenseLayer, NetConfig
    from core.nets.inputs import to_batch
    from core.nets.network import build_model
    from core.runs.training import train_loop

    keras.utils.set_random_seed(1)
    net = NetConfig(name="tiny", conv=[ConvBlock(4, 3, pool_size=2)], dense=[DenseLayer(16)], epochs=2)
    model = build_model(net)
    run_dir = tmp_path_factory.mktemp("run")
    y = keras.utils.to_categorical
    train_loop(run_dir, model, to_batch(mnist.x_train[:512]), y(mnist.y_train[:512], 10),
               to_batch(mnist.x_test[:128]), y(mnist.y_test[:128], 10), epochs=2, batch_size=64)
    return run_dir, model


def test_histogram_counts_every_value_and_handles_constants():
    counts, edges = histogram(np.zeros(32))
    assert counts.sum() == 32 and edges[0] < 0 < edges[-1]
    values = np.random.default_rng(0).normal(size=1000)
    counts, edges = histogram(values, bins=20)
    assert counts.sum() == 1000 and len(edges) == 21
    assert edges[0] == values.min() and edges[-1] == values.max()


def test_layer_weights_name_kernels_and_biases(tiny_run):
    _, model = tiny_run
    weights = layer_weights(model)
    assert list(weights) == ["conv1", "dense1", "output"]
    assert weights["conv1"]["kernel"].shape == (3, 3, 1, 4) and weights["conv1"]["bias"].shape == (4,)
    hists = model_histograms(model)
    assert hists["dense1/kernel"][0].sum() == 13 * 13 * 4 * 16


def test_training_stores_every_layer_histogram_per_epoch(tiny_run):
    run_dir, model = tiny_run
    history = load_epoch_histograms(run_dir)
    assert sorted(history) == [0, 1, 2]
    assert sorted(history[2]) == ["conv1/bias", "conv1/kernel", "dense1/bias", "dense1/kernel",
                                  "output/bias", "output/kernel"]
    # the last stored histogram is that of the trained weights
    final = histogram(layer_weights(model)["dense1"]["kernel"])
    assert np.array_equal(history[2]["dense1/kernel"][0], final[0])
    # biases start at zero and move during training
    stats = epoch_stats(history, "conv1/bias")
    assert [s["epoch"] for s in stats] == [0, 1, 2]
    assert abs(stats[0]["mean"]) < 1e-3 and stats[2]["max"] - stats[2]["min"] > 1e-3
    fig = epochs_figure(history, "dense1/kernel")
    assert [t.name for t in fig.data] == ["epoch 0", "epoch 1", "epoch 2"]
    # zero-initialised biases are one spike at epoch 0: named in a note, not drawn over the rest
    fig = epochs_figure(history, "dense1/bias")
    assert [t.name for t in fig.data] == ["epoch 1", "epoch 2"]
    assert "epoch 0: all 0" in fig.layout.annotations[0].text


def test_runs_without_histograms_fall_back_to_first_layer_filters(tmp_path):
    rundir.save_epoch_filters(tmp_path, 0, np.zeros((3, 3, 1, 2)), np.zeros(2))
    rundir.save_epoch_filters(tmp_path, 1, np.ones((3, 3, 1, 2)), np.ones(2))
    history = load_epoch_histograms(tmp_path)
    assert sorted(history) == [0, 1] and sorted(history[1]) == ["conv1/bias", "conv1/kernel"]
    assert history[1]["conv1/kernel"][0].sum() == 18


def test_layer_figure_has_one_histogram_per_tensor(tiny_run):
    _, model = tiny_run
    fig = layer_figure(weight_summaries(model)["conv1"], "conv1")
    assert len(fig.data) == 2 and sum(fig.data[0].y) == 36 and sum(fig.data[1].y) == 4
    kernel = layer_weights(model)["conv1"]["kernel"]
    assert fig.layout.annotations[0].text == (f"kernel (36 values, mean {kernel.mean():.3g}, "
                                              f"std {kernel.std():.3g})")
