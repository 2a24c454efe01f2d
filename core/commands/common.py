"""Helpers shared by the sub-commands: common options, JSON output, plain tables."""

from __future__ import annotations

import json
import sys

from core.data.datasets import DATASETS


def add_model_option(parser) -> None:
    parser.add_argument("--model", metavar="PATH",
                        help="a .keras model file (default: the shipped default model)")


def add_dataset_option(parser, default: str = "mnist") -> None:
    parser.add_argument("--dataset", default=default, choices=DATASETS,
                        help=f"dataset (default: {default})")


def add_json_option(parser) -> None:
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def emit_json(obj) -> None:
    """Print one JSON object on one line of stdout."""
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def positive_int(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be at least 1")
    return value


def print_table(rows: list[dict], columns: list[str], file=None) -> None:
    """Print dict rows as an aligned plain-text table."""
    file = file or sys.stdout
    cells = [[str(c) for c in columns]] + [[_fmt(r.get(c)) for c in columns] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths)).rstrip(), file=file)


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return "" if value is None else str(value)


class ProgressBar:
    """A console progress bar on stderr: redrawn in place on a terminal, one line per epoch otherwise."""

    def __init__(self, width: int = 30, stream=None):
        self.width, self.stream = width, stream or sys.stderr
        self.tty = self.stream.isatty()

    def __call__(self, epoch, epochs, batch, batches):
        if not self.tty:
            return
        filled = int(self.width * batch / max(batches, 1))
        self.stream.write(f"\repoch {epoch}/{epochs} [{'#' * filled}{'.' * (self.width - filled)}] "
                          f"{batch}/{batches}")
        self.stream.flush()

    def epoch_line(self, row: dict, epochs: int) -> None:
        prefix = "\r" if self.tty else ""
        self.stream.write(
            f"{prefix}epoch {row['epoch']}/{epochs}  train acc {row['train_accuracy']:.4f} "
            f"loss {row['train_loss']:.4f}  test acc {row['test_accuracy']:.4f} "
            f"loss {row['test_loss']:.4f}  ({row['seconds']:.1f} s)\n")
        self.stream.flush()
