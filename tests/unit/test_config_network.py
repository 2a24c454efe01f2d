"""Network configs: JSON round-trip, validation, presets' exact layers, truncation by name."""

import json

import numpy as np
import pytest

from core.nets.config import ConvBlock, NetConfig, preset
from core.errors import LabError
from core.nets.network import build_model, layer_table, truncate


def _layers(model):
    return [(type(layer).__name__, layer.name, tuple(layer.output.shape[1:])) for layer in model.layers]


def test_json_round_trip_keeps_every_field():
    config = preset("pytorch-tutorial").with_overrides(l2=1e-4, seed=7, optimizer="sgd")
    again = NetConfig.from_json(config.to_json())
    assert again == config
    assert json.loads(again.to_json()) == json.loads(config.to_json())


def test_unknown_fields_and_bad_values_are_named():
    with pytest.raises(LabError, match="colour"):
        NetConfig.from_dict({**preset("assignment").to_dict(), "colour": "red"})
    data = preset("assignment").to_dict()
    data["conv"][0]["activation"] = "wiggle"
    with pytest.raises(LabError, match="activation"):
        NetConfig.from_dict(data)
    with pytest.raises(LabError, match="not valid JSON"):
        NetConfig.from_json("{nope")
    too_deep = NetConfig(conv=[ConvBlock(8, 5, pool_size=2)] * 4)
    with pytest.raises(LabError, match="below 1x1"):
        too_deep.validate()


def test_assignment_preset_has_exactly_the_assignment_layers():
    model = build_model(preset("assignment"))
    assert _layers(model) == [
        ("InputLayer", "image", (28, 28, 1)),
        ("Conv2D", "conv1", (26, 26, 32)),
        ("Conv2D", "conv2", (24, 24, 32)),
        ("MaxPooling2D", "pool1", (12, 12, 32)),
        ("Dropout", "dropout1", (12, 12, 32)),
        ("Flatten", "flatten", (4608,)),
        ("Dense", "dense1", (128,)),
        ("Dropout", "dropout2", (128,)),
        ("Dense", "output", (10,)),
    ]
    assert model.get_layer("conv1").activation.__name__ == "relu"
    assert model.get_layer("dense1").activation.__name__ == "relu"
    assert model.get_layer("output").activation.__name__ == "softmax"
    assert model.get_layer("dropout1").rate == 0.25 and model.get_layer("dropout2").rate == 0.5
    assert model.get_layer("conv1").kernel_size == (3, 3)
    assert model.loss == "categorical_crossentropy"
    assert type(model.optimizer).__name__ == "Adam"


def test_pytorch_tutorial_preset_layers():
    model = build_model(preset("pytorch-tutorial"))
    assert [(t, n, s) for t, n, s in _layers(model)] == [
        ("InputLayer", "image", (28, 28, 1)),
        ("Conv2D", "conv1", (24, 24, 10)),
        ("MaxPooling2D", "pool1", (12, 12, 10)),
        ("Activation", "act1", (12, 12, 10)),
        ("Conv2D", "conv2", (8, 8, 20)),
        ("Dropout", "dropout1", (8, 8, 20)),
        ("MaxPooling2D", "pool2", (4, 4, 20)),
        ("Activation", "act2", (4, 4, 20)),
        ("Flatten", "flatten", (320,)),
        ("Dense", "dense1", (50,)),
        ("Dense", "output", (10,)),
    ]
    rows = layer_table(model)
    assert sum(r["params"] for r in rows) == model.count_params() == 21840


def test_truncation_by_name_on_a_loaded_model(default_model, mnist):
    from core.nets.inputs import to_batch

    cut = truncate(default_model, "dense1")
    features = np.asarray(cut(to_batch(mnist.x_train[:1]), training=False))
    assert features.shape == (1, 128)
    assert np.all(features >= 0)  # after relu
    with pytest.raises(LabError, match="conv1, conv2"):
        truncate(default_model, "dense9")
