"""`python -m core evaluate`: test accuracy and loss, and the first 10 test examples' outputs."""

from __future__ import annotations

from core.commands.common import add_dataset_option, add_json_option, add_model_option, emit_json, positive_int

ORDER = 20


def register(sub) -> None:
    p = sub.add_parser("evaluate", help="test accuracy, loss and the first 10 test outputs of a model")
    add_model_option(p)
    add_dataset_option(p)
    p.add_argument("--limit", type=positive_int, metavar="N", help="evaluate on the first N test images only")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from core.data.datasets import load_dataset
    from core.examine.evaluate import evaluate_on, report
    from core.nets.modelio import load_model

    model = load_model(args.model)
    data = load_dataset(args.dataset)
    result = report(evaluate_on(model, data, args.limit))
    if args.json:
        emit_json(result)
        return 0
    print(f"test accuracy {result['test_accuracy']:.4f}   test loss {result['test_loss']:.4f}   "
          f"({result['examples']} images)")
    print("\nfirst 10 test images: outputs (2 decimals), index of the max, true label")
    for i, row in enumerate(result["first_10"]):
        outputs = " ".join(f"{v:.2f}" for v in row["outputs"])
        mark = "" if row["predicted"] == row["label"] else "  <- wrong"
        print(f"{i:2d}: [{outputs}]  predicted {row['predicted']}  label {row['label']}{mark}")
    return 0
