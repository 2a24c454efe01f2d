"""core.nets.inputs: the one image-to-batch function and batched forward pass, on real MNIST and the default model."""

from __future__ import annotations

import numpy as np
import pytest

from core.errors import LabError
from core.nets.inputs import check_image_model, forward, to_batch


def test_to_batch_takes_one_image_a_stack_or_a_batch(mnist):
    u8 = mnist.x_train[:3]
    x = to_batch(u8)
    assert x.shape == (3, 28, 28, 1) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    np.testing.assert_array_equal(x[..., 0], u8.astype(np.float32) / 255.0)
    floats = u8.astype(np.float32) / 255.0
    np.testing.assert_array_equal(to_batch(floats), x)  # floats are taken as they are
    assert to_batch(floats[0]).shape == (1, 28, 28, 1)
    assert to_batch(floats[0][..., None]).shape == (1, 28, 28, 1)
    np.testing.assert_array_equal(to_batch(x), x)


def test_forward_matches_keras_predict_in_any_batch_size(default_model, mnist):
    images = mnist.x_test[:37]
    expected = default_model.predict(images[..., None].astype(np.float32) / 255.0, verbose=0)
    for batch_size in (5, 256):
        out = forward(default_model, images, batch_size)
        assert out.shape == (37, 10) and out.dtype == np.float32
        np.testing.assert_allclose(out, expected, atol=1e-5)
    assert forward(default_model, images[:0]).shape == (0, 10)


def test_forward_of_a_two_output_model_gives_one_array_per_output(default_model, mnist):
    import keras

    both = keras.Model(default_model.inputs[0], [default_model.get_layer("pool1").output,
                                                 default_model.get_layer("dense1").output])
    pool, dense = forward(both, mnist.x_test[:7], batch_size=3)
    assert pool.shape == (7, 12, 12, 32) and dense.shape == (7, 128)


def test_linear_output_is_the_layer_before_its_activation(default_model, mnist):
    from core.nets.network import linear_output, truncate

    x = mnist.x_test[:4]
    logits = forward(linear_output(default_model, "output", "logits"), x)
    probs = forward(default_model, x)
    softmax = np.exp(logits - logits.max(1, keepdims=True))
    np.testing.assert_allclose(softmax / softmax.sum(1, keepdims=True), probs, atol=1e-5)
    pre = forward(linear_output(default_model, "conv1", "pre"), x)
    post = forward(truncate(default_model, "conv1"), x)
    assert pre.min() < 0  # before the ReLU, so some values are negative
    np.testing.assert_allclose(np.maximum(pre, 0), post, atol=1e-6)


def test_check_image_model_names_the_shape_it_expects():
    import keras

    check_image_model(keras.Model(*_io((28, 28, 1))))
    with pytest.raises(LabError, match="32x32x3"):
        check_image_model(keras.Model(*_io((32, 32, 3))))


def _io(shape):
    import keras

    inputs = keras.Input(shape=shape)
    return inputs, keras.layers.Dense(2)(keras.layers.Flatten()(inputs))
