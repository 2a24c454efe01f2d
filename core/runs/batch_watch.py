"""A run's progress while an epoch runs: batches done, the pace of fitting and evaluating, and STOP.

The training loop passes `batch_watcher_class()(run_dir, reporter, images)` to every `fit` and
`evaluate`; pages read the `progress.json` it writes (at most every PROGRESS_INTERVAL_S).
"""

from __future__ import annotations

import time
from pathlib import Path

from core.runs import rundir

PROGRESS_INTERVAL_S = 0.5


class _Pace:
    """Seconds per batch of a phase (fit or evaluation), from the batches after its first call.

    The first call of a phase also pays for tracing its function, which no later batch does;
    `known` is the pace measured before (the previous epoch's), used until this one has its own.
    """

    def __init__(self, total: int, known: float | None = None):
        self.total, self.first, self.per_batch = total, None, known
        self.started, self.first_call_s = time.time(), None

    def update(self, done: int, now: float) -> None:
        if self.first is None:
            self.first, self.first_call_s = (now, done), now - self.started
        elif done > self.first[1]:
            self.per_batch = (now - self.first[0]) / (done - self.first[1])

    def left(self, done: int) -> float | None:
        return None if self.per_batch is None else self.per_batch * (self.total - done)


def _write_progress(w, now: float) -> None:
    """progress.json for watcher `w`: the batch within the epoch, evaluation batches, paces and ETAs."""
    rundir.write_progress(
        w.run_dir, epoch=w.epoch, epochs=w.epochs, batch=w.batch, batches=w.fit.total,
        epoch_elapsed_s=now - w.t_epoch, epoch_eta_s=w.fit.left(w.batch),
        batch_s=w.fit.per_batch, first_step_s=w.fit.first_call_s, eval_batch=w.eval_done,
        eval_batches=w.eval.total, eval_batch_s=w.eval.per_batch, eval_eta_s=w.eval.left(w.eval_done),
        train_images=w.images[0], eval_images=sum(w.images), time=now)


def batch_watcher_class():
    """The Keras callback class (built on first use, so importing this module needs no Keras) that
    writes a run's progress.json and stops the run at its STOP file."""
    import keras

    class BatchWatcher(keras.callbacks.Callback):
        """Writes fit and evaluation progress with their paces, and stops at a STOP file.

        `async_safe`: Keras runs it on its callback thread, so training does not wait for each batch's
        results. Progress is written at most every PROGRESS_INTERVAL_S.
        """

        async_safe = True

        def __init__(self, run_dir, reporter, images: tuple[int, int]):
            super().__init__()
            self.run_dir, self.reporter, self.images = Path(run_dir), reporter, images
            self.stopped, self.epoch, self.epochs, self.eval_done = False, 0, 0, 0
            self.fit = self.eval = _Pace(0)

        def begin(self, epoch: int, epochs: int, batches: int, eval_batches: int) -> None:
            self.epoch, self.epochs, self.t_epoch = epoch, epochs, time.time()
            # later epochs start from the pace of the one before, until they measure their own
            self.fit = _Pace(batches, self.fit.per_batch)
            self.eval = _Pace(eval_batches, self.eval.per_batch)
            self.batch, self.eval_done, self._last_write = 0, 0, 0.0
            self._write(force=True)

        def _write(self, force=False):
            now = time.time()
            if not force and now - self._last_write < PROGRESS_INTERVAL_S:
                return
            self._last_write = now
            _write_progress(self, now)
            if self.reporter:
                self.reporter(self.epoch, self.epochs, self.batch, self.fit.total)

        def on_train_batch_end(self, batch, logs=None):
            self.batch = batch + 1
            self.fit.update(self.batch, time.time())
            self._write(force=self.batch >= self.fit.total)
            if rundir.stop_requested(self.run_dir):
                self.stopped = True
                self.model.stop_training = True

        def on_test_batch_end(self, batch, logs=None):
            self.eval_done += 1
            self.eval.update(self.eval_done, time.time())
            self._write()

    return BatchWatcher
