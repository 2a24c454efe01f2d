"""`python -m core evaluate`: test accuracy and loss, and the first 10 test examples' outputs.

A model is measured on its own data unless `--dataset` says otherwise: MNIST or Fashion-MNIST for
10-class models, the held-out letters of a transfer run for a Greek-letter head. A model that does
not fit the data asked for exits 2 with one line.
"""

from __future__ import annotations

import sys

from core.commands.common import add_json_option, add_model_option, emit_json, positive_int
from core.data.datasets import DATASETS

ORDER = 20
LETTERS_CHOICE = "letters"


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="test accuracy, loss and the first 10 test outputs of a model")
    add_model_option(p)
    p.add_argument("--dataset", choices=(*DATASETS, LETTERS_CHOICE),
                   help="test set (default: the one the model was trained on; "
                        f"{LETTERS_CHOICE!r}: a transfer run's held-out letters)")
    p.add_argument("--limit", type=positive_int, metavar="N", help="evaluate on the first N test images only")
    p.add_argument("--store", action="store_true",
                   help="keep the evaluation in the model's run directory (evaluations/), where the "
                        "Evaluate page reads it instead of computing it (how models/default ships its own)")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from core.examine.evaluate import check_fits, evaluate_on, load_test_set, report, run_config_of, fitting_test_sets
    from core.nets.kind import LETTERS, model_kind
    from core.nets.modelio import load_model
    from core.paths import default_model_path

    path = args.model or default_model_path()
    model = load_model(path, require_mnist_shape=False)
    kind = model_kind(path, model)
    name = LETTERS if args.dataset == LETTERS_CHOICE else args.dataset
    name = name or next(iter(fitting_test_sets(kind)), "mnist")
    check_fits(kind, name)
    if kind.notice:
        print(f"note: {kind.notice}", file=sys.stderr)
    data = load_test_set(name, run_config_of(path))
    if args.store and not args.limit:
        from core.examine.eval_store import evaluate_and_store, store_folders

        evaluation, _ = evaluate_and_store(path, data, lambda _: model, folder=store_folders(path)[0])
    else:
        evaluation = evaluate_on(model, data, args.limit)
    result = {"model": str(path), "kind": kind.kind, "dataset": data.name,
              **report(evaluation, data.class_names)}
    if args.json:
        emit_json(result)
        return 0
    print(f"{kind.describe()} on {data.title}")
    print(f"test accuracy {result['test_accuracy']:.4f}   test loss {result['test_loss']:.4f}   "
          f"({result['examples']} images)")
    print("\nfirst 10 test images: outputs (2 decimals), the class with the largest output, true class")
    for i, row in enumerate(result["first_10"]):
        outputs = " ".join(f"{v:.2f}" for v in row["outputs"])
        mark = "" if row["predicted"] == row["label"] else "  <- wrong"
        print(f"{i:2d}: [{outputs}]  predicted {row['predicted_name']}  label {row['label_name']}{mark}")
    return 0
