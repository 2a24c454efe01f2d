"""The training batches: every image once per epoch, an order repeated by the seed, evaluations in order."""

import keras
import numpy as np

from core.runs.feed import Feed


def _labels_seen(dataset) -> list:
    return [int(i) for _, y in dataset for i in np.argmax(y.numpy(), axis=1)]


def _feed(n=300):
    x = np.arange(n, dtype=np.float32).reshape(n, 1, 1, 1) * np.ones((1, 2, 2, 1), np.float32)
    return Feed(x, np.eye(n, dtype=np.float32)), x


def test_an_epoch_holds_every_image_once_with_its_own_label_in_batches_of_the_size_asked():
    feed, x = _feed()
    keras.utils.set_random_seed(3)
    batches = list(feed.shuffled(64))
    assert [len(b[0]) for b in batches] == [64, 64, 64, 64, 44]
    order = _labels_seen(batches)
    assert sorted(order) == list(range(300)) and order != list(range(300))
    for images, labels in batches:  # each image still beside its own label
        assert np.array_equal(images.numpy()[:, 0, 0, 0], np.argmax(labels.numpy(), axis=1).astype(np.float32))


def test_the_seed_repeats_the_order_and_each_epoch_has_a_new_one():
    feed, _ = _feed()
    keras.utils.set_random_seed(7)
    first, second = _labels_seen(feed.shuffled(50)), _labels_seen(feed.shuffled(50))
    keras.utils.set_random_seed(7)
    assert _labels_seen(feed.shuffled(50)) == first
    assert second != first


def test_evaluations_read_the_images_in_order_without_autotuning():
    feed, _ = _feed()
    data = feed.in_order(128)
    assert _labels_seen(data) == list(range(300))
    assert data.options().autotune.enabled is False


def test_8_bit_images_are_scaled_batch_by_batch_to_the_same_bits_as_to_batch():
    from core.nets.inputs import to_batch

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (300, 4, 4, 1), dtype=np.uint8)
    labels = np.eye(300, dtype=np.float32)
    keras.utils.set_random_seed(11)
    scaled = [b[0].numpy() for b in Feed(images, labels).shuffled(64)]
    keras.utils.set_random_seed(11)
    ready = [b[0].numpy() for b in Feed(to_batch(images), labels).shuffled(64)]
    assert all(a.dtype == np.float32 for a in scaled)
    assert all(np.array_equal(a.view(np.uint32), b.view(np.uint32)) for a, b in zip(scaled, ready))
    assert np.array_equal(to_batch(images), images.astype(np.float32) / 255.0)
