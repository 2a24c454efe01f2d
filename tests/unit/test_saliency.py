"""Saliency and Grad-CAM: logits, finite-difference check of the gradient, CAM shapes and focus."""

from __future__ import annotations

import numpy as np
import pytest

from core.nets import config

from core.examine import saliency
from core.errors import LabError
from core.nets.network import build_model


@pytest.fixture(scope="module")
def logits(default_model):
    return saliency.logits_model(default_model)


def test_softmax_of_the_logits_is_the_models_output(default_model, logits, mnist):
    x = mnist.x_test[:4].astype(np.float32)[..., None] / 255.0
    out = np.asarray(default_model(x, training=False))
    for i in range(4):
        np.testing.assert_allclose(saliency.probabilities(logits, x[i, :, :, 0]), out[i], atol=1e-5)


def test_saliency_agrees_with_finite_differences(logits, mnist):
    image = mnist.x_test[0].astype(np.float32) / 255.0
    cls = 7
    sal = saliency.gradient_saliency(logits, image, cls)
    assert sal.shape == (28, 28) and sal.max() == pytest.approx(1.0) and sal.min() >= 0

    def score(img):
        return float(np.asarray(logits(img.reshape(1, 28, 28, 1), training=False), np.float64)[0, cls])

    def slope(r, c, eps=1e-2):
        up, down = image.copy(), image.copy()
        up[r, c] += eps
        down[r, c] -= eps
        return (score(up) - score(down)) / (2 * eps)

    top = np.unravel_index(np.argmax(sal), sal.shape)
    reference = abs(slope(*top))
    for r, c in [(14, 14), (10, 16), (20, 12), (0, 0)]:
        assert abs(slope(r, c)) / reference == pytest.approx(sal[r, c], abs=0.05)


def test_smoothgrad_is_deterministic_and_normalised(logits, mnist):
    image = mnist.x_test[1].astype(np.float32) / 255.0
    a = saliency.gradient_saliency(logits, image, 2, samples=8)
    b = saliency.gradient_saliency(logits, image, 2, samples=8)
    np.testing.assert_array_equal(a, b)
    assert a.max() == pytest.approx(1.0)
    assert not np.allclose(a, saliency.gradient_saliency(logits, image, 2))


def test_grad_cam_looks_at_the_ink(default_model, logits, mnist):
    assert saliency.default_cam_layer(default_model) == "conv2"
    cam_net = saliency.grad_cam_model(default_model, "conv2", logits)
    on_ink, off_ink = [], []
    for i in range(20):
        image = mnist.x_test[i].astype(np.float32) / 255.0
        cam, big = saliency.grad_cam(cam_net, image, int(mnist.y_test[i]))
        assert cam.shape == (24, 24) and big.shape == (28, 28)
        assert 0 <= big.min() and big.max() <= 1
        ink = image > 0.3
        on_ink.append(big[ink].mean())
        off_ink.append(big[~ink].mean())
    assert np.mean(on_ink) > 1.5 * np.mean(off_ink)


def test_bad_class_and_layer_are_clear_errors(default_model, logits, mnist):
    image = mnist.x_test[0].astype(np.float32) / 255.0
    with pytest.raises(LabError, match="0..9"):
        saliency.gradient_saliency(logits, image, 10)
    with pytest.raises(LabError, match="conv1, conv2, pool1"):
        saliency.grad_cam_model(default_model, "dense1", logits)
    dense_only = build_model(config.NetConfig(name="dense", dense=[config.DenseLayer(16)]), compile=False)
    with pytest.raises(LabError, match="no convolution or pooling"):
        saliency.default_cam_layer(dense_only)
