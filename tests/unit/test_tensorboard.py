"""Every training run writes TensorBoard events beside its run directory; TensorBoard's reader gets them back."""

from __future__ import annotations

import numpy as np
import pytest

from core.nets.config import preset
from core.runs import rundir
from core.runs.tensorboard import event_dir
from core.runs.training import make_train_config, run_training


def _events(folder):
    """Every summary value in a folder's event files: [(step, tag, value proto)], read by TensorFlow's reader."""
    import tensorflow as tf

    found = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                found.append((event.step, value.tag, value))
    return found


def _tensor(value):
    import tensorflow as tf

    return tf.make_ndarray(value.tensor)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run = tmp_path_factory.mktemp("runs") / "tb-run"
    run.mkdir()
    net = preset("assignment").with_overrides(epochs=2, batch_size=64, seed=5)
    rundir.write_config(run, make_train_config(net, train_subset=1200, test_subset=400))
    result = run_training(run)
    assert result.epochs_done == 2
    return run


def test_per_epoch_train_and_test_metrics_equal_the_run_metrics(trained_run):
    metrics = rundir.read_metrics(trained_run)
    for split in ("train", "test"):
        scalars = {(step, tag): float(_tensor(v)) for step, tag, v in _events(event_dir(trained_run, split))
                   if tag.startswith("epoch_")}
        assert sorted(scalars) == [(1, "epoch_accuracy"), (1, "epoch_loss"), (2, "epoch_accuracy"), (2, "epoch_loss")]
        for row in metrics:
            assert scalars[(row["epoch"], "epoch_accuracy")] == pytest.approx(row[f"{split}_accuracy"], abs=1e-6)
            assert scalars[(row["epoch"], "epoch_loss")] == pytest.approx(row[f"{split}_loss"], abs=1e-6)


def test_weight_histograms_of_every_layer_for_every_epoch(trained_run):
    from core.nets.modelio import load_model

    events = _events(event_dir(trained_run, "train"))
    histograms = {(step, tag): v for step, tag, v in events if v.metadata.plugin_data.plugin_name == "histograms"}
    model = load_model(trained_run / "model.keras")
    expected = {f"{layer.name}/{w.name}" for layer in model.layers for w in layer.weights}
    assert "conv1/kernel" in expected
    for step in (0, 1, 2):
        assert {tag for s, tag in histograms if s == step} == expected
    # TensorBoard's histogram tensor: (buckets, 3) of left edge, right edge, count; counts sum to the weights
    buckets = _tensor(histograms[(2, "conv1/kernel")])
    assert buckets.shape[1] == 3 and buckets[:, 2].sum() == pytest.approx(3 * 3 * 32)


def test_first_layer_filter_grid_is_an_image_per_epoch(trained_run):
    import tensorflow as tf

    from core.examine.filters import epoch_grid

    images = {step: v for step, tag, v in _events(event_dir(trained_run, "train")) if tag == "first_layer_filters"}
    assert sorted(images) == [0, 1, 2]
    width, height, png = _tensor(images[2])[:3]
    decoded = tf.io.decode_png(png).numpy()
    kernel = rundir.load_epoch_filters(trained_run)[2]["kernel"]
    expected = np.asarray(epoch_grid({2: {"kernel": kernel}}, 2))
    assert (int(width), int(height)) == (expected.shape[1], expected.shape[0])
    assert np.array_equal(decoded, expected)  # the very picture the Examine page draws for epoch 2


def test_a_transfer_run_writes_its_events_too(shared_data, tmp_path):
    from core.greek.transfer import make_transfer_config, run_transfer
    from core.paths import default_model_path
    from tests.unit.greek_helpers import copy_letters

    train = copy_letters(shared_data, tmp_path / "letters", per_class=6, flat=False)
    run = tmp_path / "transfer-run"
    run.mkdir()
    rundir.write_config(run, make_transfer_config(default_model_path(), train, None, epochs=2))
    run_transfer(run)
    metrics = rundir.read_metrics(run)
    test_acc = {step: float(_tensor(v)) for step, tag, v in _events(event_dir(run, "test")) if tag == "epoch_accuracy"}
    assert test_acc == {m["epoch"]: pytest.approx(m["test_accuracy"], abs=1e-6) for m in metrics}
    tags = {tag for _, tag, _ in _events(event_dir(run, "train"))}
    assert {"first_layer_filters", "conv1/kernel", "epoch_loss"} <= tags
