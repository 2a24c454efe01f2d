"""Images into a model and back: the one image-to-batch function and the one batched forward pass.

Every model in the lab takes (N, 28, 28, 1) float32 in [0, 1], white ink on black. Forward passes use
Keras' compiled `predict_on_batch`: not `model.predict` (about 40 ms of set-up per call), and not the
eager `model(x, training=False)`, which gives the same numbers but was 6x slower for one image and 1.7x
slower for 1000 on the default model here (measured side by side). Fast enough to re-read a drawing
after every stroke; only gradients (core.examine.saliency) call a model directly.
"""

from __future__ import annotations

import numpy as np

from core.errors import LabError

IMAGE_SHAPE = (28, 28, 1)
# Forward passes and the per-epoch evaluations: the assignment net evaluated 2,740 images/s at 256
# against 1,160 at 1024 (same run, 2 cores shared with other work); larger batches make activation
# maps that outgrow the caches (1024 x 26 x 26 x 32 floats is 88 MB per layer).
BATCH_SIZE = 256


def to_batch(images) -> np.ndarray:
    """A float32 model batch (N, H, W, 1) from one image or many.

    Args:
        images: one image (H, W) or (H, W, 1), a stack (N, H, W) or a batch (N, H, W, C); uint8 images
            are scaled to [0, 1], floats are taken as they are. A trailing axis of size 1 is the channel.

    Returns:
        float32 (N, H, W, C).
    """
    x = np.asarray(images)
    if x.dtype == np.uint8:
        # in place: a second array of the batch's size costs more than the division (fresh memory
        # is slow to touch here), and the values are the same bits as `x / 255.0`
        x = x.astype(np.float32)
        np.divide(x, np.float32(255), out=x)
    else:
        x = x.astype(np.float32)
    if x.ndim == 2 or (x.ndim == 3 and x.shape[-1] == 1):
        x = x[None]
    if x.ndim == 3:
        x = x[..., None]
    return x


def forward(model, images, batch_size: int = BATCH_SIZE):
    """The model's outputs for `images` (anything `to_batch` takes), computed `batch_size` at a time.

    Returns:
        One (N, ...) float32 array, or a list of them for a model with several outputs.
    """
    x = to_batch(images)
    parts = [model.predict_on_batch(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    outputs = model.outputs
    if len(outputs) == 1:
        parts = [[p] for p in parts]
    joined = []
    for j, out in enumerate(outputs):
        pieces = [np.asarray(p[j], dtype=np.float32) for p in parts]
        empty = np.zeros((0,) + tuple(out.shape[1:]), np.float32)
        joined.append(np.concatenate(pieces) if pieces else empty)
    return joined[0] if len(outputs) == 1 else joined


def check_image_model(model) -> None:
    """Check that `model` reads the lab's 28x28 greyscale images.

    Raises:
        LabError: one line naming the input shape the model expects instead.
    """
    shape = tuple(model.inputs[0].shape[1:])
    if shape != IMAGE_SHAPE:
        raise LabError(f"This model takes inputs of shape {'x'.join(str(d) for d in shape)}, "
                       "not the 28x28 greyscale images this page works with.")
