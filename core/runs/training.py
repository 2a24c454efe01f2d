"""Training one epoch at a time, writing everything a watcher needs into the run directory.

`run_training(run_dir)` is what the background worker and `python -m core train` both call.
`train_loop` is the shared epoch loop (also used by transfer learning): after each epoch it
evaluates on the training set and the test set, replaces `model.keras` atomically, stores the
first-layer filters and every layer's weight/bias histograms, and appends a metrics line (with the
seconds spent fitting, evaluating and saving). A `STOP` file ends it after the current batch
(`core.runs.batch_watch`, which also writes the progress within an epoch).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.runs import rundir
from core.runs.batch_watch import batch_watcher_class
from core.runs.feed import Feed
from core.nets.config import NetConfig
from core.data.datasets import class_names_of, load_dataset
from core.nets.inputs import to_batch
from core.examine.histograms import save_epoch_histograms
from core.runs.tensorboard import EventLog

# The per-epoch evaluations read 512 images a batch. Measured on 2 cores (bench/README.md,
# 2026-12-02, 04:15-05:50), 60,000 images: the quick preset's net 1.64 s at 256, 1.42 at 512, 1.28-1.35
# at 1024; the assignment net 4.1-4.2 s at 256, 3.76-3.83 at 512, 3.6-4.0 at 1024.
EVAL_BATCH_SIZE = 512


@dataclass
class LoopResult:
    """What `train_loop` did: epochs finished, whether it was stopped, and the metric rows."""

    epochs_done: int
    stopped: bool
    metrics: list


def make_train_config(net: NetConfig, dataset: str = "mnist", train_subset: int | None = None,
                      test_subset: int | None = None, kind: str = "train", **extra) -> dict:
    """The `config.json` content of a training run."""
    net.validate()
    return {
        "kind": kind,
        "net": net.to_dict(),
        "dataset": dataset,
        "class_names": class_names_of(dataset),  # what the model's outputs mean, for every page
        "train_subset": train_subset,
        "test_subset": test_subset,
        "epochs": net.epochs,
        "created": time.time(),
        **extra,
    }


def _first_conv(model):
    for layer in model.layers:
        if type(layer).__name__ == "Conv2D":
            return layer
    return None


def _snapshot_model(model):
    """A same-architecture copy compiled with a fresh optimizer, so saved files carry no optimizer state."""
    import keras

    copy = keras.models.clone_model(model)
    copy.compile(optimizer=type(model.optimizer).from_config(model.optimizer.get_config()),
                 loss=model.loss, metrics=["accuracy"])
    return copy


class _EpochRecorder:
    """Saves what watchers read after each epoch: model.keras, first-layer filters, histograms, metrics."""

    def __init__(self, run_dir: Path, model):
        self.run_dir, self.model = run_dir, model
        self.snapshot = _snapshot_model(model)
        self.conv = _first_conv(model)
        self.board = EventLog(run_dir)  # TensorBoard events beside the run's own files

    def begin(self) -> None:
        """Record the weights before training (epoch 0), in the run's files and its TensorBoard events."""
        self.save_weights(0)
        self.board.write_epoch(0, self.model)

    def save_weights(self, epoch: int, group=None) -> None:
        """First-layer filters and every layer's histograms after `epoch` (0 = before training)."""
        if self.conv is not None:
            weights = self.conv.get_weights()
            bias = weights[1] if self.conv.use_bias else np.zeros(weights[0].shape[-1])
            rundir.save_epoch_filters(self.run_dir, epoch, weights[0], bias, group=group)
        save_epoch_histograms(self.run_dir, epoch, self.model, group=group)

    def save_epoch(self, row: dict, t0: float) -> dict:
        """The epoch's model, filters, histograms and metrics row (with timings) as one group: all new
        or all old."""
        from core.files import AtomicGroup
        from core.nets.modelio import save_model_atomic

        t_save = time.time()
        self.snapshot.set_weights(self.model.get_weights())
        with AtomicGroup() as group:
            save_model_atomic(self.snapshot, self.run_dir / "model.keras", group=group)
            self.save_weights(row["epoch"], group=group)
            now = time.time()
            row = {**row, "save_seconds": now - t_save, "seconds": now - t0, "time": now}
            rundir.append_metrics(self.run_dir, row, group=group)
        self.board.write_epoch(row["epoch"], self.model, row)
        rundir.write_status(self.run_dir, epochs_done=row["epoch"])
        return row


def _evaluate(model, feed: Feed, batch_size: int, watcher) -> tuple[float, float]:
    loss, accuracy = model.evaluate(feed.in_order(batch_size), verbose=0, callbacks=[watcher])
    return float(loss), float(accuracy)


def _train_epoch(model, watcher, data, epoch: int, epochs: int, batch_size: int, eval_batch_size: int):
    """Fit one epoch and evaluate on both sets.

    Returns:
        (the metrics row without save timings, the epoch's start time), or None when stopped.
    """
    train, test = data
    t0 = time.time()
    eval_batches = int(np.ceil(train.size / eval_batch_size) + np.ceil(test.size / eval_batch_size))
    watcher.begin(epoch, epochs, int(np.ceil(train.size / batch_size)), eval_batches)
    # shuffled by the feed; Keras' own shuffle flag only warns for a dataset
    history = model.fit(train.shuffled(batch_size), epochs=1, shuffle=False, verbose=0, callbacks=[watcher])
    if watcher.stopped:
        return None
    fit_seconds = time.time() - t0
    train_loss, train_acc = _evaluate(model, train, eval_batch_size, watcher)
    test_loss, test_acc = _evaluate(model, test, eval_batch_size, watcher)
    return {
        "epoch": epoch,
        "train_loss": train_loss,
        "train_accuracy": train_acc,
        "test_loss": test_loss,
        "test_accuracy": test_acc,
        "fit_loss": float(history.history["loss"][-1]),
        "fit_accuracy": float(history.history["accuracy"][-1]),
        "fit_seconds": fit_seconds,
        "eval_seconds": time.time() - t0 - fit_seconds,
    }, t0


def train_loop(run_dir: Path, model, x_train, y_train, x_test, y_test, *, epochs: int,
               batch_size: int, reporter=None, eval_batch_size: int = EVAL_BATCH_SIZE) -> LoopResult:
    """Train `model` epoch by epoch, recording each epoch in `run_dir`.

    Args:
        run_dir: the run directory to write metrics, progress, filters and model into.
        model: a compiled Keras model.
        x_train, y_train, x_test, y_test: images (uint8 or model-ready float32, see `Feed`) and
            one-hot labels.
        epochs: number of epochs.
        batch_size: training batch size.
        reporter: optional callable(epoch, epochs, batch, batches) for a console progress bar.
        eval_batch_size: batch size of the per-epoch evaluations. Defaults to `EVAL_BATCH_SIZE`.

    Returns:
        A `LoopResult`; the saved model always corresponds to the last finished epoch.
    """
    run_dir = Path(run_dir)
    recorder = _EpochRecorder(run_dir, model)
    recorder.begin()
    watcher = batch_watcher_class()(run_dir, reporter, (len(x_train), len(x_test)))
    data = (Feed(x_train, y_train), Feed(x_test, y_test))
    rows = []
    for epoch in range(1, epochs + 1):
        if rundir.stop_requested(run_dir):
            return LoopResult(epoch - 1, True, rows)
        done = _train_epoch(model, watcher, data, epoch, epochs, batch_size, eval_batch_size)
        if done is None:
            return LoopResult(epoch - 1, True, rows)
        rows.append(recorder.save_epoch(*done))
    return LoopResult(epochs, False, rows)


def load_training_data(config: dict):
    """(x_train, y_train, x_test, y_test) for a run config, honouring the subsets.

    Images keep their 8-bit pixels, with a channel axis, when the dataset has them: the `Feed`
    scales them batch by batch (the same bits as `to_batch`, without a float copy of all of them).
    Labels are one-hot.
    """
    import keras

    data = load_dataset(config.get("dataset", "mnist"))
    x_train, y_train, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
    if config.get("train_subset"):
        x_train, y_train = x_train[: int(config["train_subset"])], y_train[: int(config["train_subset"])]
    if config.get("test_subset"):
        x_test, y_test = x_test[: int(config["test_subset"])], y_test[: int(config["test_subset"])]
    n = data.num_classes
    return (_feedable(x_train), keras.utils.to_categorical(y_train, n),
            _feedable(x_test), keras.utils.to_categorical(y_test, n))


def _feedable(images: np.ndarray) -> np.ndarray:
    """uint8 images as (N, H, W, C) views, anything else as `to_batch` makes it."""
    if images.dtype == np.uint8:
        return images[..., None] if images.ndim == 3 else images
    return to_batch(images)


def run_training(run_dir: Path, reporter=None) -> LoopResult:
    """Train the network a run directory's `config.json` describes (kind `train`).

    The caller records the run's final state; this function only trains and records epochs.
    """
    import keras

    from core.nets.network import build_model

    config = rundir.read_config(run_dir)
    net = NetConfig.from_dict(config["net"])
    keras.utils.set_random_seed(int(net.seed))
    x_train, y_train, x_test, y_test = load_training_data(config)
    net = net.with_overrides(input_shape=tuple(x_train.shape[1:]), num_classes=y_train.shape[1],
                             epochs=int(config.get("epochs") or net.epochs))
    model = build_model(net, steps_per_epoch=int(np.ceil(len(x_train) / net.batch_size)))
    return train_loop(run_dir, model, x_train, y_train, x_test, y_test, epochs=net.epochs,
                      batch_size=net.batch_size, reporter=reporter)
