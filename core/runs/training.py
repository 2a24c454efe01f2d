"""Training one epoch at a time, writing everything a watcher needs into the run directory.

`run_training(run_dir)` is what the background worker and `python -m core train` both call.
`train_loop` is the shared epoch loop (also used by transfer learning): after each epoch it
evaluates on the training set and the test set, replaces `model.keras` atomically, stores the
first-layer filters and every layer's weight/bias histograms, and appends a metrics line. A `STOP` file ends it after the current batch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.runs import rundir
from core.nets.config import NetConfig
from core.data.datasets import class_names_of, load_dataset
from core.nets.inputs import to_batch
from core.examine.histograms import save_epoch_histograms
from core.runs.tensorboard import EventLog

PROGRESS_INTERVAL_S = 0.5


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


def _watcher_class():
    import keras

    class BatchWatcher(keras.callbacks.Callback):
        """Writes batch progress and stops training when a STOP file appears."""

        def __init__(self, run_dir, reporter):
            super().__init__()
            self.run_dir, self.reporter = Path(run_dir), reporter
            self.stopped = False
            self.epoch = 0
            self.epochs = 0
            self.batches = 0
            self.t_epoch = 0.0
            self._last_write = 0.0

        def begin_epoch(self, epoch, epochs, batches):
            self.epoch, self.epochs, self.batches = epoch, epochs, batches
            self.t_epoch = time.time()
            self._write(0, force=True)

        def _write(self, batch, force=False):
            now = time.time()
            if not force and now - self._last_write < PROGRESS_INTERVAL_S and batch < self.batches:
                return
            self._last_write = now
            elapsed = now - self.t_epoch
            eta = elapsed / batch * (self.batches - batch) if batch else None
            rundir.write_progress(self.run_dir, epoch=self.epoch, epochs=self.epochs, batch=batch,
                                  batches=self.batches, epoch_elapsed_s=elapsed, epoch_eta_s=eta,
                                  time=now)
            if self.reporter:
                self.reporter(self.epoch, self.epochs, batch, self.batches)

        def on_train_batch_end(self, batch, logs=None):
            self._write(batch + 1)
            if rundir.stop_requested(self.run_dir):
                self.stopped = True
                self.model.stop_training = True

    return BatchWatcher


def train_loop(run_dir: Path, model, x_train, y_train, x_test, y_test, *, epochs: int,
               batch_size: int, reporter=None, eval_batch_size: int = 1024) -> LoopResult:
    """Train `model` epoch by epoch, recording each epoch in `run_dir`.

    Args:
        run_dir: the run directory to write metrics, progress, filters and model into.
        model: a compiled Keras model.
        x_train, y_train, x_test, y_test: model-ready inputs and one-hot labels.
        epochs: number of epochs.
        batch_size: training batch size.
        reporter: optional callable(epoch, epochs, batch, batches) for a console progress bar.
        eval_batch_size: batch size of the per-epoch evaluations. Defaults to 1024.

    Returns:
        A `LoopResult`; the saved model always corresponds to the last finished epoch.
    """
    run_dir = Path(run_dir)
    snapshot = _snapshot_model(model)
    watcher = _watcher_class()(run_dir, reporter)
    conv = _first_conv(model)
    if conv is not None:
        kernel, bias = conv.get_weights()[:2] if conv.use_bias else (conv.get_weights()[0], None)
        rundir.save_epoch_filters(run_dir, 0, kernel, bias if bias is not None else np.zeros(kernel.shape[-1]))
    save_epoch_histograms(run_dir, 0, model)
    board = EventLog(run_dir)  # TensorBoard events beside the run's own files
    board.write_epoch(0, model)
    batches = int(np.ceil(len(x_train) / batch_size))
    rows = []
    for epoch in range(1, epochs + 1):
        if rundir.stop_requested(run_dir):
            return LoopResult(epoch - 1, True, rows)
        t0 = time.time()
        watcher.begin_epoch(epoch, epochs, batches)
        history = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, shuffle=True,
                            verbose=0, callbacks=[watcher])
        if watcher.stopped:
            return LoopResult(epoch - 1, True, rows)
        fit_seconds = time.time() - t0
        train_loss, train_acc = model.evaluate(x_train, y_train, batch_size=eval_batch_size, verbose=0)
        test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=eval_batch_size, verbose=0)
        snapshot.set_weights(model.get_weights())
        row = {
            "epoch": epoch,
            "train_loss": float(train_loss),
            "train_accuracy": float(train_acc),
            "test_loss": float(test_loss),
            "test_accuracy": float(test_acc),
            "fit_loss": float(history.history["loss"][-1]),
            "fit_accuracy": float(history.history["accuracy"][-1]),
            "fit_seconds": fit_seconds,
            "seconds": time.time() - t0,
            "time": time.time(),
        }
        _save_epoch(run_dir, epoch, snapshot, conv, model, row)
        board.write_epoch(epoch, model, row)
        rundir.write_status(run_dir, epochs_done=epoch)
        rows.append(row)
    return LoopResult(epochs, False, rows)


def _save_epoch(run_dir: Path, epoch: int, snapshot, conv, model, row: dict) -> None:
    """The epoch's model, filters, histograms and metrics line, as one group: all new or all old."""
    from core.files import AtomicGroup
    from core.nets.modelio import save_model_atomic

    with AtomicGroup() as group:
        save_model_atomic(snapshot, run_dir / "model.keras", group=group)
        if conv is not None:
            weights = conv.get_weights()
            rundir.save_epoch_filters(run_dir, epoch, weights[0],
                                      weights[1] if conv.use_bias else np.zeros(weights[0].shape[-1]),
                                      group=group)
        save_epoch_histograms(run_dir, epoch, model, group=group)
        rundir.append_metrics(run_dir, row, group=group)


def load_training_data(config: dict):
    """Model-ready (x_train, y_train, x_test, y_test) for a run config, honouring the subsets."""
    import keras

    data = load_dataset(config.get("dataset", "mnist"))
    x_train, y_train, x_test, y_test = data.x_train, data.y_train, data.x_test, data.y_test
    if config.get("train_subset"):
        x_train, y_train = x_train[: int(config["train_subset"])], y_train[: int(config["train_subset"])]
    if config.get("test_subset"):
        x_test, y_test = x_test[: int(config["test_subset"])], y_test[: int(config["test_subset"])]
    n = data.num_classes
    return (to_batch(x_train), keras.utils.to_categorical(y_train, n),
            to_batch(x_test), keras.utils.to_categorical(y_test, n))


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
    net = net.with_overrides(input_shape=tuple(x_train.shape[1:]), num_classes=y_train.shape[1])
    model = build_model(net)
    return train_loop(run_dir, model, x_train, y_train, x_test, y_test,
                      epochs=int(config.get("epochs") or net.epochs), batch_size=net.batch_size,
                      reporter=reporter)
