"""Task 1: the data, the network, its training curves, the first 10 test outputs and the user's own digits."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.errors import LabError
from core.examine import pictures
from core.report.context import Context

KEY = "task1"


def add(report, ctx: Context) -> dict:
    """Add every Task 1 item to `report`; returns the numbers report.md states."""
    report.section(KEY, "Task 1: build and train the network")
    first_digits(report, ctx)
    numbers = network(report, ctx)
    numbers.update(curves(report, ctx))
    numbers.update(first_ten(report, ctx))
    numbers.update(own_digits(report, ctx))
    return numbers


def first_digits(report, ctx: Context) -> None:
    data = ctx.data
    tiles = [pictures.picture(data.x_train[i] / 255.0, 4, f"#{i}: {ctx.class_name(int(data.y_train[i]))}")
             for i in (0, 1)]
    report.picture(KEY, "task1_first_two_training_digits", pictures.side_by_side(tiles),
                   "The first two training digits", f"{data.name} training examples 0 and 1 with their labels.")


def network(report, ctx: Context) -> dict:
    from core.nets.network import layer_table
    from core.nets.summary import diagram_figure

    rows = layer_table(ctx.model)
    total = int(ctx.model.count_params())
    report.chart(KEY, "task1_network_diagram", diagram_figure(rows), "Network diagram",
                 "One box per layer with its output shape; box height grows with the output size.")
    report.table(KEY, "task1_network_summary", rows, "Network summary", inline=True)
    report.text(KEY, f"Parameters: **{total:,}** in total.")
    return {"total_params": total}


def curves(report, ctx: Context) -> dict:
    from core.runs.plots import metrics_figure
    from core.runs.rundir import read_metrics

    metrics = read_metrics(ctx.run_dir) if ctx.run_dir else []
    if not metrics:
        report.text(KEY, "This model has no training history (it was not trained in the lab), so there is "
                         "no accuracy/loss per epoch chart.")
        return {}
    keys = ("epoch", "train_accuracy", "test_accuracy", "train_loss", "test_loss", "seconds")
    report.chart(KEY, "task1_accuracy_loss_per_epoch", metrics_figure(metrics), "Accuracy and loss per epoch",
                 "Train (dotted) and test (solid) accuracy and loss after every epoch.")
    report.table(KEY, "task1_metrics_per_epoch", [{k: m.get(k) for k in keys} for m in metrics],
                 "Accuracy and loss per epoch (numbers)")
    last = metrics[-1]
    report.text(KEY, f"After epoch {last['epoch']}: train accuracy **{last['train_accuracy']:.4f}**, "
                     f"test accuracy **{last['test_accuracy']:.4f}**.")
    return {"epochs": int(last["epoch"]), "final_train_accuracy": last["train_accuracy"],
            "final_test_accuracy": last["test_accuracy"]}


def first_ten(report, ctx: Context) -> dict:
    from core.examine.eval_views import first_table
    from core.examine.evaluate import evaluate_on, report as eval_report

    evaluation = evaluate_on(ctx.model, ctx.data)
    summary = eval_report(evaluation)
    rows = first_table(evaluation, ctx.data.class_names)
    shown = [{**r, **{str(k): f"{r[str(k)]:.2f}" for k in range(len(ctx.data.class_names))}} for r in rows]
    tiles = [pictures.picture(ctx.data.x_test[r["image"]] / 255.0, 3,
                              f"#{r['image']}: {r['predicted']}/{r['true']}") for r in rows]
    report.picture(KEY, "task1_first_10_test_digits", pictures.side_by_side(tiles, gap=6),
                   "The first 10 test digits", "Each captioned `#index: predicted/true`.")
    report.table(KEY, "task1_first_10_test_outputs", shown, "Their 10 outputs (2 decimals), argmax and label",
                 inline=True)
    right = sum(r["correct"] for r in rows)
    report.text(KEY, f"Test set ({summary['examples']} images): accuracy **{summary['test_accuracy']:.4f}**, "
                     f"loss **{summary['test_loss']:.4f}**. The first 10: {right} of 10 right.")
    return {"test_accuracy": summary["test_accuracy"], "test_loss": summary["test_loss"],
            "test_examples": summary["examples"], "first_10_predicted": [r["predicted"] for r in rows]}


def _folder_digits(folder: Path):
    """(images, labels or -1, names) of a folder of digit photos, preprocessed like `predict` does."""
    from core.greek.symbols import scan_folder
    from core.handwriting.imageio import decode_image
    from core.handwriting.preprocess import preprocess

    images, labels, names = [], [], []
    for rel, label in scan_folder(folder):
        try:
            images.append(preprocess(decode_image(str(folder / rel))).image)
        except LabError:
            continue  # an unreadable photo is left out, as on the handwriting page
        labels.append(int(label) if label.isdigit() else -1)
        names.append(rel)
    if not images:
        raise LabError(f"No readable digit images in {folder}.")
    return np.stack(images), np.asarray(labels), names


def own_digits(report, ctx: Context) -> dict:
    from core.handwriting import user_set
    from core.handwriting.reading import probabilities

    if ctx.mine is not None:
        images, labels, names = _folder_digits(Path(ctx.mine))
        source = str(ctx.mine)
    else:
        images, labels, items = user_set.load_set()
        names, source = [str(Path(i.path).relative_to(user_set.set_dir())) for i in items], "My handwriting set"
    if not len(images):
        report.text(KEY, "Your own digits: none saved yet (save some on *Your handwriting*, or give `--mine`).")
        return {"own_digits": 0}
    probs = probabilities(ctx.model, images)
    rows = [{"file": n, "label": int(y) if y >= 0 else "", "predicted": int(p.argmax()),
             "confidence": f"{p.max():.2f}"} for n, y, p in zip(names, labels, probs)]
    tiles = [pictures.picture(img, 3, f"{r['predicted']} ({r['confidence']})") for img, r in zip(images, rows)]
    grid = pictures.stack_vertical([pictures.side_by_side(tiles[s:s + 12], gap=6) for s in range(0, len(tiles), 12)])
    report.picture(KEY, "task1_own_digits", grid, "Your own digits as the network reads them",
                   f"From {source}; each captioned with the reading and its confidence.")
    report.table(KEY, "task1_own_digits_readings", rows, "Your own digits: readings")
    known = labels >= 0
    right = int((probs.argmax(1)[known] == labels[known]).sum())
    if known.any():
        report.text(KEY, f"Your own digits: **{right} of {int(known.sum())}** read right.")
    return {"own_digits": int(len(images)), "own_digits_right": right, "own_digits_labelled": int(known.sum())}
