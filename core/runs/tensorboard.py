"""TensorBoard event files beside a run directory, written by the shared training loop.

Layout, inside the run directory::

    tensorboard/train/   epoch_loss, epoch_accuracy (training set), weight histograms, first-layer filters
    tensorboard/test/    epoch_loss, epoch_accuracy (test set)

Train and test use the same tag names in two sub-folders, as Keras' own TensorBoard callback does, so
TensorBoard draws both curves in one chart. `tensorboard --logdir workspace/runs` shows every run.
The run directory's own files stay the contract; these events are an extra view of the same numbers.

Summaries are built with TensorBoard's numpy + protobuf helpers (`scalar_pb`, `histogram_pb`) and its
pure-Python event writer, not with `tf.summary` ops: eager `tf.summary.histogram` took 1.0 s per epoch
for the assignment net on a busy 2-core machine, this 0.19 s there (about 0.1% of a 60k-image epoch).
"""

from __future__ import annotations

import sys
import time
import weakref
from pathlib import Path

import numpy as np

FOLDER = "tensorboard"
SPLITS = ("train", "test")


def event_dir(run_dir: str | Path, split: str = "train") -> Path:
    """Folder of a run's TensorBoard events for `split` ("train" or "test")."""
    return Path(run_dir) / FOLDER / split


def available() -> bool:
    """Whether the `tensorboard` package is installed (TensorFlow 2.21 no longer installs it)."""
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None


def filter_grid(model, epoch: int):
    """The first conv layer's filters as the Examine page draws them (a PIL image), or None without one."""
    from core.examine.filters import conv_layer_names, epoch_grid, layer_filters

    names = conv_layer_names(model)
    if not names:
        return None
    kernel, _ = layer_filters(model, names[0])
    return epoch_grid({epoch: {"kernel": kernel}}, epoch)


def image_summary(tag: str, image):
    """A TensorBoard image summary of one PIL picture (PNG-encoded by the lab's own encoder)."""
    from tensorboard.compat.proto import summary_pb2
    from tensorboard.plugins.image import metadata
    from tensorboard.util import tensor_util

    from core.examine.pictures import to_png

    content = np.array([str(image.width).encode(), str(image.height).encode(), to_png(image)], dtype=object)
    meta = metadata.create_summary_metadata(display_name=tag, description="")
    value = summary_pb2.Summary.Value(tag=tag, metadata=meta, tensor=tensor_util.make_tensor_proto(content))
    return summary_pb2.Summary(value=[value])


def weight_summaries(model) -> list:
    """One histogram summary per weight tensor, tagged `<layer>/<weight>` (e.g. conv1/kernel)."""
    from tensorboard.plugins.histogram.summary_v2 import histogram_pb

    return [histogram_pb(f"{layer.name}/{w.name}", np.asarray(w.numpy())) for layer in model.layers
            for w in layer.weights]


class EventLog:
    """Writes one run's per-epoch TensorBoard summaries; each epoch is flushed to disk at once.

    Without the `tensorboard` package nothing is written and one line on stderr (the run's worker.log)
    says so: training itself never fails for want of a viewer.
    """

    def __init__(self, run_dir: str | Path):
        self.writers = {}
        if not available():
            print("TensorBoard is not installed, so this run writes no TensorBoard events "
                  "(pip install -r requirements.txt).", file=sys.stderr)
            return
        from tensorboard.summary.writer.event_file_writer import EventFileWriter

        for split in SPLITS:
            event_dir(run_dir, split).mkdir(parents=True, exist_ok=True)
            self.writers[split] = EventFileWriter(str(event_dir(run_dir, split)))
        # The training loop has several exits; the files are closed when the loop drops this object.
        weakref.finalize(self, _close_all, list(self.writers.values()))

    def write_epoch(self, epoch: int, model, row: dict | None = None) -> None:
        """Record epoch `epoch`: metrics from `row` (a metrics.jsonl line), histograms and the filter grid.

        Args:
            epoch: the step (0 = the weights before training, which has no metrics).
            model: the model being trained.
            row: the epoch's metric row with train_/test_ loss and accuracy. Defaults to None.
        """
        if not self.writers:
            return
        from tensorboard.plugins.scalar.summary_v2 import scalar_pb

        for split, writer in self.writers.items():
            summaries = [scalar_pb(f"epoch_{m}", float(row[f"{split}_{m}"])) for m in ("loss", "accuracy")
                         if row and row.get(f"{split}_{m}") is not None]
            if split == "train":
                grid = filter_grid(model, epoch)
                summaries += weight_summaries(model) + ([image_summary("first_layer_filters", grid)]
                                                        if grid is not None else [])
            self._write(writer, epoch, summaries)

    @staticmethod
    def _write(writer, step: int, summaries: list) -> None:
        from tensorboard.compat.proto import event_pb2

        for summary in summaries:
            writer.add_event(event_pb2.Event(wall_time=time.time(), step=step, summary=summary))
        writer.flush()

    def close(self) -> None:
        """Flush and close the event files."""
        _close_all(self.writers.values())


def _close_all(writers) -> None:
    for writer in writers:
        writer.close()
