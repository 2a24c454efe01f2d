"""Task 3: the letters as MNIST-like CSVs, their 128-number embeddings, SSD tables, KNN and the user's letters."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from core.examine import pictures
from core.paths import workspace_dir
from core.report.context import Context

KEY = "task3"
K = 1  # neighbours that vote, as the Greek page and `python -m core knn` default to


def add(report, ctx: Context) -> dict:
    """Add every Task 3 item to `report`; returns the numbers report.md states."""
    from core.greek.embedding import DEFAULT_MODE
    from core.greek.lab import analyze
    from core.greek.symbols import load_folder

    report.section(KEY, "Task 3: Greek letters in the embedding space")
    symbols = load_folder(ctx.letter_set)
    analysis = analyze(ctx.model, symbols, DEFAULT_MODE)
    numbers = csv_pair(report, symbols)
    first_vector(report, symbols, analysis)
    ssd_tables(report, symbols, analysis)
    numbers.update(knn(report, symbols, analysis))
    numbers.update(own_letters(report, ctx, symbols, analysis))
    return numbers


def csv_pair(report, symbols) -> dict:
    from core.greek.symbols import write_csvs

    with tempfile.TemporaryDirectory() as tmp:
        paths = write_csvs(symbols, tmp)
        for kind, path in paths.items():
            report.raw_file(KEY, f"task3_letters_{Path(path).name}", Path(path).read_bytes(),
                            f"Letters CSV: {Path(path).name}")
    counts = symbols.counts()
    report.text(KEY, f"The letter set `{symbols.source}`: **{len(symbols)} images** in "
                     f"{len(symbols.class_names)} classes ({', '.join(f'{c}: {n}' for c, n in counts.items())}), "
                     f"each 28x28 like MNIST: `images.csv` has {len(symbols)} rows of 784 intensities (0-255), "
                     f"`labels.csv` {len(symbols)} category indices ("
                     + ", ".join(f"{c} = {i}" for i, c in enumerate(symbols.class_names)) + ").")
    return {"letters": len(symbols), "letter_classes": list(symbols.class_names)}


def first_vector(report, symbols, analysis) -> None:
    first = analysis.raw[0]
    report.table(KEY, "task3_first_input_embedding", [{"index": i, "value": float(v)} for i, v in enumerate(first)],
                 f"The {first.size} numbers of the first input ({symbols.names[0]}) at layer `{analysis.layer}`")
    report.text(KEY, "`" + " ".join(f"{v:.3f}" for v in first) + "`")


def ssd_tables(report, symbols, analysis) -> None:
    from core.greek.embedding import ssd_table
    from core.greek.figures import ssd_heatmap

    for c, cname in enumerate(symbols.class_names):
        pick = int(np.flatnonzero(symbols.labels == c)[0])
        rows = ssd_table(analysis.raw, pick, symbols.labels, symbols.names, symbols.class_names)
        rows = [{"file": r["name"], "class": r["class"], "SSD": round(r["ssd"], 2)} for r in rows]
        report.table(KEY, f"task3_ssd_{cname}", rows, f"SSD table: {symbols.names[pick]} (a {cname}) against all",
                     inline=len(rows) <= 40)
    report.chart(KEY, "task3_ssd_heatmap", ssd_heatmap(analysis.ssd, symbols.labels, symbols.names),
                 "SSD heatmap", "Raw 128-number sum-squared distances between every pair, sorted by class.")


def knn(report, symbols, analysis) -> dict:
    from core.greek.embedding import FEATURE_MODES
    from core.greek.knn import leave_one_out

    result = leave_one_out(analysis.features, symbols.labels, K, len(symbols.class_names))
    conf = result.confusion()
    per_class = result.per_class_accuracy()
    rows = [{"true": c, **{f"predicted {p}": int(conf[i, j]) for j, p in enumerate(symbols.class_names)},
             "accuracy": round(float(per_class[i]), 4)} for i, c in enumerate(symbols.class_names)]
    report.table(KEY, "task3_knn_confusion", rows, f"KNN (k={K}, leave-one-out) confusion matrix", inline=True)
    report.text(KEY, f"KNN with k={K}, each image classified by its nearest other images "
                     f"(distances: {FEATURE_MODES[analysis.mode]}): leave-one-out accuracy "
                     f"**{result.accuracy:.4f}** ({result.correct} of {len(symbols)} right).")
    return {"knn_k": K, "knn_mode": analysis.mode, "knn_accuracy": result.accuracy, "knn_correct": result.correct}


def _own_folder(ctx: Context) -> Path | None:
    folder = Path(ctx.letters) if ctx.letters is not None else workspace_dir("my_letters")
    return folder if any(p.is_file() for p in folder.rglob("*")) else None


def own_letters(report, ctx: Context, symbols, analysis) -> dict:
    from core.greek.lab import query
    from core.greek.symbols import load_folder

    folder = _own_folder(ctx)
    if folder is None:
        report.text(KEY, "Your own letters: none saved yet (draw or upload them on *Greek letters*, or give "
                         "`--letters`).")
        return {"own_letters": 0}
    mine = load_folder(folder, min_classes=1)
    rows, panels = [], []
    for i in range(len(mine)):
        res = query(ctx.model, analysis, symbols, mine.images[i], k=K)
        rows.append({"file": mine.names[i], "label": mine.class_names[int(mine.labels[i])],
                     "predicted": res.predicted,
                     "nearest": "; ".join(f"{r['name']} ({r['class']}, SSD {r['ssd']:.1f})" for r in res.neighbours)})
        tiles = [pictures.picture(mine.images[i], 3, f"{mine.class_names[int(mine.labels[i])]}: {res.predicted}")]
        tiles += [pictures.picture(symbols.images[r["index"]], 3, f"{r['class']} {r['ssd']:.0f}") for r in res.neighbours]
        panels.append(pictures.side_by_side(tiles, gap=6))
    report.picture(KEY, "task3_own_letters_matched", pictures.stack_vertical(panels),
                   "Your own letters and their nearest letters of the set",
                   f"From `{folder}`; each row: your letter (its label: the KNN vote), then its nearest neighbours with the raw SSD.")
    report.table(KEY, "task3_own_letters", rows, "Your own letters matched", inline=len(rows) <= 20)
    right = sum(r["label"] == r["predicted"] for r in rows)
    report.text(KEY, f"Your own letters: **{right} of {len(rows)}** matched to their own class.")
    return {"own_letters": len(rows), "own_letters_right": right}
