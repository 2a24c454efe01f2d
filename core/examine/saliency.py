"""Why this answer: gradient saliency and Grad-CAM maps for one input image and one class.

Both use the class *score* before the softmax (the logit): the softmax output saturates near 1 for a
confident prediction, which would make its gradient almost zero everywhere.
"""

from __future__ import annotations

import numpy as np

from core.errors import LabError
from core.nets.inputs import forward, to_batch


def _ends_in_softmax(layer) -> bool:
    kind = type(layer).__name__
    return kind == "Softmax" or (kind == "Activation" and layer.get_config().get("activation") == "softmax")


def check_scores(model) -> None:
    """Check that `model` ends in a Dense layer or a softmax, whose class scores can be read.

    Raises:
        LabError: one line naming the last layer.
    """
    last = model.layers[-1]
    if type(last).__name__ != "Dense" and not _ends_in_softmax(last):
        raise LabError(f"The last layer ({last.name}) is not a Dense or Softmax layer, so class scores "
                       "before the softmax cannot be read.")


def logits_model(model):
    """A model from the input to the class scores before the final softmax (weights shared, model unchanged).

    Raises:
        LabError: the last layer is neither a softmax Dense layer nor a Softmax layer.
    """
    import keras

    from core.nets.network import linear_output

    check_scores(model)
    last = model.layers[-1]
    if _ends_in_softmax(last):
        return keras.Model(model.inputs[0], last.input, name=f"{model.name}_logits")
    return linear_output(model, last.name, "logits")


def spatial_layer_names(model) -> list[str]:
    """Layers with a (H, W, C) output, where Grad-CAM can look (convolutions and poolings)."""
    return [layer.name for layer in model.layers
            if type(layer).__name__ != "InputLayer" and len(layer.output.shape) == 4]


def default_cam_layer(model) -> str:
    """The last convolution layer (the usual Grad-CAM choice), else the last spatial layer.

    Raises:
        LabError: the model has no spatial layer at all.
    """
    convs = [layer.name for layer in model.layers if type(layer).__name__ == "Conv2D"]
    names = convs or spatial_layer_names(model)
    if not names:
        raise LabError("This model has no convolution or pooling layer, so Grad-CAM has nothing to look at.")
    return names[-1]


def grad_cam_model(model, layer_name: str, logits=None):
    """A model from the input to [layer `layer_name`'s output, the class logits]."""
    import keras

    if layer_name not in spatial_layer_names(model):
        raise LabError(f"Grad-CAM needs a layer with a 2-D map output; {layer_name!r} is not one. "
                       f"Choose one of: {', '.join(spatial_layer_names(model))}.")
    logits = logits if logits is not None else logits_model(model)
    return keras.Model(model.inputs[0], [model.get_layer(layer_name).output, logits.outputs[0]],
                       name=f"{model.name}_gradcam_{layer_name}")


def _check_class(class_index: int, n: int) -> None:
    if not 0 <= class_index < n:
        raise LabError(f"Class {class_index} does not exist: this model has classes 0..{n - 1}.")


def probabilities(logits_net, image: np.ndarray) -> np.ndarray:
    """Softmax of the class scores for one image, (classes,) float64."""
    z = forward(logits_net, image)[0].astype(np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def gradient_saliency(logits_net, image: np.ndarray, class_index: int, samples: int = 0,
                      noise: float = 0.15, seed: int = 0) -> np.ndarray:
    """|d score_class / d pixel| for one image, scaled to [0, 1] (28, 28).

    Args:
        logits_net: see `logits_model`.
        image: (28, 28) floats in [0, 1].
        class_index: the class whose score is explained.
        samples: with more than 0, SmoothGrad (Smilkov et al. 2017): the gradient averaged over this
            many copies of the image with Gaussian noise, which removes most of the speckle. Defaults to 0.
        noise: the noise's standard deviation (image range is 1). Defaults to 0.15.
        seed: seed of the noise, so the same input gives the same map. Defaults to 0.
    """
    import tensorflow as tf

    x = to_batch(image)
    if samples > 0:
        rng = np.random.default_rng(seed)
        x = x + rng.normal(0.0, noise, size=(samples,) + x.shape[1:]).astype(np.float32)
    x = tf.convert_to_tensor(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        scores = logits_net(x, training=False)
        _check_class(class_index, int(scores.shape[-1]))
        score = tf.reduce_sum(scores[:, class_index])  # each copy's gradient only depends on its own score
    grad = np.abs(tape.gradient(score, x).numpy()[:, :, :, 0]).mean(axis=0)
    peak = grad.max()
    return (grad / peak if peak > 0 else grad).astype(np.float32)


def grad_cam(cam_net, image: np.ndarray, class_index: int) -> tuple[np.ndarray, np.ndarray]:
    """Grad-CAM (Selvaraju et al. 2017) for one image and class.

    Weights each channel of the chosen layer by the mean gradient of the class score over the map,
    sums, keeps the positive part and scales to [0, 1].

    Returns:
        (cam at the layer's resolution, cam resized to 28x28), both float32 in [0, 1].
    """
    import cv2
    import tensorflow as tf

    with tf.GradientTape() as tape:
        maps, scores = cam_net(to_batch(image), training=False)
        _check_class(class_index, int(scores.shape[-1]))
        score = scores[0, class_index]
    grads = tape.gradient(score, maps).numpy()[0]  # (h, w, C)
    maps = maps.numpy()[0]
    weights = grads.mean(axis=(0, 1))  # one weight per channel
    cam = np.maximum((maps * weights).sum(axis=-1), 0)
    peak = cam.max()
    cam = (cam / peak if peak > 0 else cam).astype(np.float32)
    big = cv2.resize(cam, (28, 28), interpolation=cv2.INTER_LINEAR)
    return cam, np.clip(big, 0, 1).astype(np.float32)
