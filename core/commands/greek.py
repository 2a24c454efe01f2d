"""Greek letters from the command line: CSV files, embeddings, KNN, transfer learning, default set.

    python -m core greek-csv DIR --out-dir OUT
    python -m core embed [--model PATH] DIR --out FILE.csv
    python -m core knn [--model PATH] --train DIR [--test DIR] [--k N] [--json]
    python -m core transfer [--model PATH] --train DIR [--test DIR] [--epochs N] [--run-dir DIR] [--json]
    python -m core greek-assets
"""

from __future__ import annotations

import sys
from pathlib import Path

from core.commands.common import add_json_option, add_model_option, emit_json, positive_int

from core.errors import LabError

ORDER = 40


def register(sub) -> None:
    p = sub.add_parser("greek-csv", help="write a folder of symbol images as the assignment's two CSV files")
    p.add_argument("dir", type=Path, metavar="DIR", help="images: alpha_001.png or alpha/001.png")
    p.add_argument("--out-dir", type=Path, required=True, metavar="OUT", help="where to write the CSVs")
    p.set_defaults(func=run_csv)

    p = sub.add_parser("embed", help="the 128-number embedding of every image of a symbol folder, as CSV")
    add_model_option(p)
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.csv")
    p.set_defaults(func=run_embed)

    p = sub.add_parser("knn", help="nearest-neighbour classification of symbols in the embedding space",
                       description="Leave-one-out accuracy on --train, or accuracy on --test using "
                                   "--train as the reference images.")
    add_model_option(p)
    p.add_argument("--train", type=Path, required=True, metavar="DIR")
    p.add_argument("--test", type=Path, metavar="DIR")
    p.add_argument("--k", type=positive_int, default=1, metavar="N", help="neighbours that vote (default 1)")
    p.add_argument("--features", choices=["raw", "embedding", "combined"], default="combined",
                   help="vectors compared: raw embedding, embedding with shift/rotation averaging and "
                        "unit length, or that plus pooled conv features (default: combined)")
    p.add_argument("--neighbours", type=positive_int, default=3, metavar="N",
                   help="nearest neighbours listed per image (default 3)")
    add_json_option(p)
    p.set_defaults(func=run_knn)

    p = sub.add_parser("transfer", help="freeze the network, train a new head on symbols, test on held-out ones")
    add_model_option(p)
    p.add_argument("--train", type=Path, required=True, metavar="DIR")
    p.add_argument("--test", type=Path, metavar="DIR",
                   help="held-out letters (default: about a third of each class of --train)")
    p.add_argument("--epochs", type=positive_int, default=30)
    p.add_argument("--batch-size", type=positive_int, default=8)
    p.add_argument("--learning-rate", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--run-dir", type=Path, metavar="DIR",
                   help="where to write the run (default: a new folder in the workspace's runs/)")
    add_json_option(p)
    p.set_defaults(func=run_transfer)

    p = sub.add_parser("greek-assets", help="regenerate the default Greek set in assets/greek")
    p.add_argument("--per-class", type=positive_int, default=12)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_assets)


def _warn_skipped(symbols) -> None:
    for line in symbols.skipped:
        print(f"warning: skipped {line}", file=sys.stderr)


def run_csv(args) -> int:
    from core.greek.symbols import load_folder, write_csvs

    if args.out_dir.exists() and not args.out_dir.is_dir():
        raise LabError(f"--out-dir {args.out_dir} is a file; give a folder for the CSV files.")
    symbols = load_folder(args.dir, min_classes=1)
    _warn_skipped(symbols)
    paths = write_csvs(symbols, args.out_dir)
    counts = ", ".join(f"{i} {c}: {n}" for i, (c, n) in enumerate(symbols.counts().items()))
    print(f"{len(symbols)} images in {len(symbols.class_names)} classes ({counts})")
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def run_embed(args) -> int:
    from core.greek.embedding import embed, embedder, write_embeddings_csv
    from core.nets.modelio import load_model
    from core.greek.symbols import load_folder

    if args.out.is_dir():
        raise LabError(f"--out {args.out} is a folder; give a file name such as embeddings.csv.")
    symbols = load_folder(args.dir, min_classes=1)
    _warn_skipped(symbols)
    vectors = embed(embedder(load_model(args.model)), symbols.images)
    write_embeddings_csv(args.out, symbols.names, [symbols.class_names[i] for i in symbols.labels], vectors)
    print(f"{len(symbols)} embeddings of {vectors.shape[1]} numbers written to {args.out}")
    return 0


def _knn_result(args, fm, train, train_f):
    """(queries, mode, KnnResult, query features): the test folder's images, or leave-one-out."""
    import numpy as np

    from core.greek.embedding import knn_features
    from core.greek.knn import classify, leave_one_out
    from core.greek.symbols import load_folder

    names = train.class_names
    if not args.test:
        return train, "leave-one-out", leave_one_out(train_f, train.labels, k=args.k, num_classes=len(names)), \
            train_f
    test = load_folder(args.test, min_classes=1)
    _warn_skipped(test)
    unknown = sorted(set(test.class_names) - set(names))
    if unknown:
        raise LabError(f"The test folder has classes the training folder lacks: {', '.join(unknown)}.")
    labels = np.array([names.index(test.class_names[i]) for i in test.labels])
    query_f = knn_features(fm, test.images, args.features)
    result = classify(train_f, train.labels, query_f, k=args.k, test_labels=labels, num_classes=len(names))
    return test, "test", result, query_f


def _neighbour_rows(args, fm, train, train_f, queries, mode, result, query_f) -> list[dict]:
    """Per query: its label, the prediction and the nearest training images by the KNN distance,
    each also with the assignment's raw 128-number SSD."""
    import numpy as np

    from core.greek.embedding import knn_features, ssd_matrix

    names = train.class_names
    raw_train = knn_features(fm, train.images, "raw")
    raw_queries = raw_train if mode == "leave-one-out" else knn_features(fm, queries.images, "raw")
    raw_ssd = ssd_matrix(raw_queries, raw_train)
    dist = ssd_matrix(query_f, train_f)
    rows = []
    for q in range(len(queries)):
        order = [int(i) for i in np.argsort(dist[q], kind="stable")
                 if not (mode == "leave-one-out" and i == q)][: args.neighbours]
        rows.append({"image": queries.names[q], "label": queries.class_names[int(queries.labels[q])],
                     "predicted": names[int(result.predicted[q])],
                     "neighbours": [{"image": train.names[i], "class": names[int(train.labels[i])],
                                     "distance": float(dist[q, i]), "ssd": float(raw_ssd[q, i])}
                                    for i in order]})
    return rows


def run_knn(args) -> int:
    from core.greek.embedding import feature_model, knn_features
    from core.greek.symbols import load_folder
    from core.nets.modelio import load_model

    model = load_model(args.model)
    train = load_folder(args.train)
    _warn_skipped(train)
    fm = feature_model(model)
    train_f = knn_features(fm, train.images, args.features)
    queries, mode, result, query_f = _knn_result(args, fm, train, train_f)
    rows = _neighbour_rows(args, fm, train, train_f, queries, mode, result, query_f)
    names = train.class_names
    confusion = {names[t]: {names[p]: int(v) for p, v in enumerate(row)}
                 for t, row in enumerate(result.confusion()) if row.sum()}
    report = {"mode": mode, "k": args.k, "features": args.features, "classes": names,
              "accuracy": result.accuracy, "correct": result.correct, "total": len(queries),
              "confusion": confusion, "images": rows}
    if args.json:
        emit_json(report)
        return 0
    print(f"{mode} {args.k}-NN accuracy ({args.features} features): {result.accuracy:.4f} "
          f"({result.correct}/{len(queries)})")
    for row in rows:
        mark = "" if row["predicted"] == row["label"] else "   <- wrong"
        near = ", ".join(f"{n['class']} (SSD {n['ssd']:.1f})" for n in row["neighbours"])
        print(f"  {row['image']}: {row['label']} -> {row['predicted']}  [{near}]{mark}")
    return 0


def run_transfer(args) -> int:
    from core.runs import rundir
    from core.commands.common import ProgressBar
    from core.commands.train import create_run
    from core.greek.embedding import embedding_layer
    from core.nets.modelio import load_model
    from core.paths import default_model_path
    from core.greek.transfer import load_transfer_data, make_transfer_config, read_comparison
    from core.runs.worker import execute

    model_path = Path(args.model) if args.model else default_model_path()
    embedding_layer(load_model(model_path))  # fail fast on a bad model, before creating anything
    config = make_transfer_config(model_path.resolve(), args.train.resolve(),
                                  args.test.resolve() if args.test else None, epochs=args.epochs,
                                  batch_size=args.batch_size, learning_rate=args.learning_rate,
                                  seed=args.seed)
    load_transfer_data(config)  # bad folders give their message now
    run_dir = create_run(args.run_dir, "transfer", config)
    status = execute(run_dir, reporter=ProgressBar())
    if status.get("state") == "failed":
        print(f"error: {status.get('error')}", file=sys.stderr)
        return 2 if status.get("error_type") == "input" else 1
    compare = read_comparison(run_dir) or {}
    metrics = rundir.read_metrics(run_dir)
    result = {"run_dir": str(run_dir), "state": status.get("state"),
              "test_accuracy": compare.get("test_accuracy"), "knn_accuracy": compare.get("knn_accuracy"),
              "classes": compare.get("classes"), "train_images": compare.get("train_images"),
              "test_images": compare.get("test_images"), "epochs": len(metrics),
              "final_train_accuracy": metrics[-1]["train_accuracy"] if metrics else None,
              "model": str(run_dir / "model.keras"), "images": compare.get("rows", [])}
    if args.json:
        emit_json(result)
        return 0
    print(f"transfer head: test accuracy {result['test_accuracy']:.4f} on {result['test_images']} held-out "
          f"images; KNN on the same images: {result['knn_accuracy']:.4f}")
    print(f"run directory: {run_dir}")
    return 0


def run_assets(args) -> int:
    from core.greek.generator import write_default_set

    paths = write_default_set(args.per_class, args.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} images ({size // 1024} KiB) written to {paths[0].parent}")
    return 0
