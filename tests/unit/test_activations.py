"""Activation galleries: input choice, truncation of every preset and the loaded model, shapes, maps."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core.examine import activations as acts
from core.nets import config
from core.errors import LabError
from core.nets.network import build_model, truncate


def test_default_input_is_the_first_training_example(mnist):
    choice = acts.choose_input(mnist, "train", 0)
    assert choice.label == 5 and choice.image.dtype == np.float32
    np.testing.assert_allclose(choice.image, mnist.x_train[0] / 255.0, atol=1e-7)
    assert "train example 0" in choice.title


def test_test_examples_and_drawn_digits(mnist):
    choice = acts.choose_input(mnist, "test", 3)
    assert choice.label == int(mnist.y_test[3])
    drawn = {"image": mnist.x_test[5].astype(np.float32) / 255.0, "source": "canvas"}
    mine = acts.choose_input(mnist, "drawn", drawn=drawn)
    assert mine.label is None and "canvas" in mine.title
    np.testing.assert_allclose(mine.image, drawn["image"])


@pytest.mark.parametrize("source,kwargs,match", [
    ("test", {"index": 10_000}, "0..9999"),
    ("drawn", {"drawn": None}, "Draw page"),
    ("drawn", {"drawn": {"image": np.zeros((10, 10))}}, "28x28"),
    ("camera", {}, "Unknown input source"),
])
def test_bad_input_choices_are_clear_errors(mnist, source, kwargs, match):
    with pytest.raises(LabError, match=match):
        acts.choose_input(mnist, source, **kwargs)


def test_assignment_net_gallery_shapes_are_26_24_12(default_model, mnist):
    image = acts.choose_input(mnist).image
    assert acts.default_layers(default_model) == ["conv1", "conv2", "pool1"]
    shapes = {name: acts.layer_output(truncate(default_model, name), image).shape
              for name in ("conv1", "conv2", "pool1", "dense1")}
    assert shapes == {"conv1": (26, 26, 32), "conv2": (24, 24, 32), "pool1": (12, 12, 32), "dense1": (128,)}
    assert acts.maps_of(np.zeros((26, 26, 32))).shape == (32, 26, 26)


@pytest.mark.parametrize("name", sorted(config.PRESETS))
def test_truncation_works_for_every_layer_of_untrained_presets(name, mnist):
    model = build_model(config.preset(name), compile=False)
    batch = mnist.x_test[:2].astype(np.float32) / 255.0
    for row in acts.layer_rows(model):
        out = acts.layer_output(truncate(model, row["name"]), batch)
        assert out.shape == (2,) + row["shape"], row["name"]
    if name == "assignment":
        assert [r["shape"] for r in acts.layer_rows(model)[:3]] == [(26, 26, 32), (24, 24, 32), (12, 12, 32)]


def test_batch_and_single_outputs_agree(default_model, mnist):
    pool = truncate(default_model, "pool1")
    images = mnist.x_test[:3].astype(np.float32) / 255.0
    batch = acts.layer_output(pool, images)
    np.testing.assert_allclose(batch[1], acts.layer_output(pool, images[1]), atol=1e-5)


def test_dense_outputs_become_one_map_padded_with_nan():
    maps = acts.maps_of(np.arange(10.0))
    assert maps.shape == (1, 3, 4)
    assert np.isnan(maps[0, 2, 2:]).all() and maps[0, 0, 1] == 1.0


def test_pooled_outputs_of_two_ones_are_closer_than_a_one_and_a_zero(default_model, mnist):
    ones = np.flatnonzero(mnist.y_test == 1)[:2]
    zero = np.flatnonzero(mnist.y_test == 0)[0]
    images = mnist.x_test[[*ones, zero]].astype(np.float32) / 255.0
    sim = acts.similarity(acts.layer_output(truncate(default_model, "pool1"), images))
    np.testing.assert_allclose(np.diag(sim), 1.0, atol=1e-9)
    np.testing.assert_allclose(sim, sim.T)
    assert sim[0, 1] > sim[0, 2] + 0.2


def test_dataset_for_run_reads_the_runs_config(tmp_path):
    assert acts.dataset_for_run(None) == "mnist"
    (tmp_path / "config.json").write_text(json.dumps({"dataset": "fashion_mnist"}))
    assert acts.dataset_for_run(tmp_path) == "fashion_mnist"
    (tmp_path / "config.json").write_text(json.dumps({"dataset": "cifar10"}))
    assert acts.dataset_for_run(tmp_path) == "mnist"


def test_summary_counts_dead_units():
    s = acts.summary(np.array([[0.0, 2.0], [0.0, 4.0]]))
    assert s == {"shape": "2x2", "zeros": 0.5, "mean": 1.5, "max": 4.0}


def test_the_draw_pages_digit_is_named_by_where_it_came_from(mnist):
    image = mnist.x_test[5].astype(np.float32) / 255.0
    titles = [acts.choose_input(mnist, "drawn", drawn={"image": image, "source": s}).title
              for s in ("canvas", "upload: photo.jpg", "camera")]
    assert titles == ["your drawing (canvas)", "your upload (photo.jpg)", "your camera photo"]


def test_typed_example_numbers(mnist):
    assert acts.parse_indices("0, 1; 2,") == [0, 1, 2]
    with pytest.raises(LabError, match="separated by commas"):
        acts.parse_indices("0, one")


def test_class_names_follow_the_models_outputs(default_model, mnist):
    assert acts.class_names(default_model, mnist) == [str(i) for i in range(10)]
    five = build_model(config.NetConfig(name="five", num_classes=5, conv=[config.ConvBlock(2, 3)]), compile=False)
    assert acts.class_names(five, mnist) == [f"class {i}" for i in range(5)]
    acts.check_model(five)


def test_a_heads_own_class_names_win_when_they_fit(mnist):
    head = build_model(config.NetConfig(name="head", num_classes=3, conv=[config.ConvBlock(2, 3)]), compile=False)
    assert acts.class_names(head, mnist, ("alpha", "beta", "gamma")) == ["alpha", "beta", "gamma"]
    assert acts.class_names(head, mnist, ("alpha", "beta")) == ["class 0", "class 1", "class 2"]
