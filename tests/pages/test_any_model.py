"""Examine and Greek with models other than the default: other architectures work, misfits offer the default."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.paths import workspace_dir
from tests.pages.apptest import open_page, open_tab


def _upload(model, name: str) -> str:
    """Put a model in the workspace's uploads, where the catalog lists it (no training needed)."""
    path = workspace_dir("uploads") / name
    model.save(path)
    return str(path)


@pytest.fixture(scope="module")
def other_net():
    """Same padding, batch norm, ReLU after the pooling, two hidden dense layers and 5 classes."""
    import keras

    from core.nets.config import ConvBlock, DenseLayer, NetConfig
    from core.nets.network import build_model

    keras.utils.set_random_seed(3)
    net = NetConfig(name="other", num_classes=5,
                    conv=[ConvBlock(8, 5, padding="same", pool_size=2, activation_after_pool=True),
                          ConvBlock(6, 3, batch_norm=True, activation="tanh")],
                    dense=[DenseLayer(24), DenseLayer(12, activation="elu")])
    path = _upload(build_model(net), "other_net.keras")
    yield path
    Path(path).unlink(missing_ok=True)


@pytest.fixture(scope="module")
def no_hidden_dense():
    """conv -> flatten -> softmax: nothing to cut at for an embedding."""
    import keras

    inputs = keras.Input((28, 28, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv1")(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    path = _upload(keras.Model(inputs, keras.layers.Dense(10, activation="softmax", name="output")(x)),
                   "no_hidden_dense.keras")
    yield path
    Path(path).unlink(missing_ok=True)


def test_examine_works_for_another_architecture(other_net):
    at = open_page("examine", other_net)
    assert not at.error, [e.value for e in at.error]
    assert "The model reads **class" in " ".join(m.value for m in at.markdown)  # 5 outputs: no digit names
    open_tab(at, "examine_tab", "filter2D vs network")
    assert "agree" in at.success[0].value  # filter2D re-does its 'same'-padded 5x5 first layer
    at.selectbox(key="examine_f2d_layer").set_value("conv2").run()
    assert not at.exception and "agree" in at.success[0].value


def test_greek_works_for_another_architecture(other_net):
    at = open_page("greek", other_net)
    assert not at.error, [e.value for e in at.error]
    assert "gives **24 numbers**" in " ".join(m.value for m in at.markdown)  # cut at dense1
    assert open_tab(at, "greek_tab", "KNN").metric[0].label == "Leave-one-out accuracy"


def test_a_page_that_cannot_use_the_model_says_why_and_offers_the_default(no_hidden_dense):
    at = open_page("greek", no_hidden_dense)
    assert len(at.warning) == 1 and "no hidden dense layer" in at.warning[0].value
    assert not at.error and not at.metric  # nothing else drawn with a model that does not fit
    at.button(key="greek_use_default").click().run()
    assert not at.exception and not at.warning
    assert open_tab(at, "greek_tab", "KNN").metric[0].value == "100.0%"  # the default model, default set
    examine = open_page("examine", no_hidden_dense)  # Examine itself can study this model
    assert not examine.error and not examine.warning
