"""The batches a training reads: tf.data pipelines with a fixed amount of parallelism.

Keras feeds `fit(x, y)` and `evaluate(x, y)` from NumPy arrays through a pipeline whose map and
prefetch are autotuned. On this 2-core machine the autotuner costs about 7 s at the end of every
`fit` of 60,000 images (the iterator waits for its tuning thread before it is freed), while the
batches themselves take 14-16 s: measured on the quick preset, 23.3 and 20.7 s per epoch with
Keras' own pipeline against 16.4 and 14.6 s with this one, with no wait after the last batch.
The lab fits one epoch per call, so it would pay that wait every epoch.

The pipeline is Keras' own design (a permutation of indices per epoch, batches gathered from
one tensor of all the images) with autotuning off: two parallel gathers and two prefetched
batches. 8-bit images stay 8-bit in that tensor and each batch is scaled to [0, 1] as it is
gathered, with the same float32 division as `core.nets.inputs.to_batch`, so the batches are the
same bits. Scaling all 70,000 MNIST images up front and copying them into a tensor wrote about
660 MB of fresh memory (two float arrays and the tensor), and first touches of memory are slow
here: load_training_data took 0.95 s and the two Feeds 0.96 s for the quick preset, against
0.016 s and 0.31 s this way (bench/README.md, 2026-12-02, 04:15-05:50).

The order of each epoch comes from NumPy's global generator, which `keras.utils.set_random_seed`
seeds, so a seeded run repeats bit for bit.
"""

from __future__ import annotations

import numpy as np

PARALLEL_GATHERS = 2
PREFETCH_BATCHES = 2


class Feed:
    """Images and one-hot labels held once as tensors, batched for `fit` and `evaluate`.

    Args:
        x: images (N, H, W, C): uint8 (scaled to [0, 1] batch by batch) or model-ready float32.
        y: one-hot labels (N, classes).
    """

    def __init__(self, x: np.ndarray, y: np.ndarray):
        import tensorflow as tf

        self.size = len(x)
        self._scaled = x.dtype == np.uint8
        self._x, self._y = tf.constant(x), tf.constant(y)

    def shuffled(self, batch_size: int):
        """One epoch in a new random order (from NumPy's global generator), `batch_size` at a time."""
        return self._batches(np.random.permutation(self.size), batch_size)

    def in_order(self, batch_size: int):
        """All images in their order, `batch_size` at a time (evaluations)."""
        return self._batches(np.arange(self.size), batch_size)

    def _batches(self, order: np.ndarray, batch_size: int):
        import tensorflow as tf

        x, y = self._x, self._y
        if self._scaled:
            def gather(i):
                return tf.cast(tf.gather(x, i), tf.float32) / np.float32(255), tf.gather(y, i)
        else:
            def gather(i):
                return tf.gather(x, i), tf.gather(y, i)
        data = tf.data.Dataset.from_tensor_slices(order.astype(np.int64)).batch(batch_size)
        data = data.map(gather, num_parallel_calls=PARALLEL_GATHERS)
        options = tf.data.Options()
        options.autotune.enabled = False
        options.experimental_optimization.apply_default_optimizations = False
        return data.prefetch(PREFETCH_BATCHES).with_options(options)
