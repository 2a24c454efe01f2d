"""`python -m core train`: train a network in the foreground and leave a complete run directory."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from core.runs import rundir
from core.commands.common import ProgressBar, add_dataset_option, add_json_option, emit_json, positive_int
from core.nets.config import PRESETS, NetConfig, preset
from core.errors import LabError
from core.files import write_failed

ORDER = 10


def register(sub) -> None:
    p = sub.add_parser("train", help="train a network (foreground, one epoch at a time)",
                       description="Train a network epoch by epoch, evaluating on the training and "
                                   "test sets after each epoch, and write a run directory.")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--preset", choices=list(PRESETS), default=None,
                        help="a ready network (default: assignment)")
    source.add_argument("--config", type=Path, metavar="FILE", help="a network config JSON file")
    add_dataset_option(p)
    p.add_argument("--epochs", type=positive_int, help="override the config's epochs")
    p.add_argument("--batch-size", type=positive_int, help="override the config's batch size")
    p.add_argument("--learning-rate", type=float, help="override the config's learning rate")
    p.add_argument("--seed", type=int, help="override the config's random seed")
    p.add_argument("--train-subset", type=positive_int, metavar="N", help="train on the first N images")
    p.add_argument("--test-subset", type=positive_int, metavar="N", help="test on the first N images")
    p.add_argument("--run-dir", type=Path, metavar="DIR",
                   help="where to write the run (default: a new folder in the workspace's runs/)")
    add_json_option(p)
    p.set_defaults(func=run)


def load_net_config(args) -> NetConfig:
    """The network config from --config or --preset, with command-line overrides applied."""
    if args.config:
        try:
            text = args.config.read_text(encoding="utf-8")
        except OSError as exc:
            raise LabError(f"Cannot read the config file {args.config}: {exc.strerror}.") from None
        net = NetConfig.from_json(text)
    else:
        net = preset(args.preset or "assignment")
    overrides = {k: v for k, v in {"epochs": args.epochs, "batch_size": args.batch_size,
                                   "learning_rate": args.learning_rate, "seed": args.seed}.items()
                 if v is not None}
    return net.with_overrides(**overrides) if overrides else net


def prepare_run_dir(path: Path | None, label: str) -> Path:
    """Use `path` (new or empty) or create a fresh run directory in the workspace."""
    from core.paths import runs_dir

    if path is None:
        return rundir.new_run_dir(runs_dir(), label)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise LabError(f"--run-dir {path} already exists and is not empty; choose a new folder.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failed(exc, path) from None
    return path


def create_run(path: Path | None, label: str, config: dict) -> Path:
    """`prepare_run_dir` plus its config.json; a folder this made is removed again if the write fails."""
    existed = path is not None and path.exists()
    run_dir = prepare_run_dir(path, label)
    try:
        rundir.write_config(run_dir, config)
    except LabError:
        if not existed and not any(run_dir.iterdir()):
            run_dir.rmdir()
        raise
    return run_dir


def run(args) -> int:
    from core.data.datasets import load_dataset
    from core.runs.training import make_train_config
    from core.runs.worker import execute

    net = load_net_config(args)
    load_dataset(args.dataset)  # fail fast, before creating anything, when the data is missing
    config = make_train_config(net, dataset=args.dataset, train_subset=args.train_subset,
                               test_subset=args.test_subset)
    run_dir = create_run(args.run_dir, f"{args.dataset}-{net.name}", config)
    bar = ProgressBar()
    printed = []

    def reporter(epoch, epochs, batch, batches):
        rows = rundir.read_metrics(run_dir) if batch == 0 else []
        for row in rows[len(printed):]:
            bar.epoch_line(row, epochs)
            printed.append(row)
        bar(epoch, epochs, batch, batches)

    status = execute(run_dir, reporter=reporter)
    metrics = rundir.read_metrics(run_dir)
    for row in metrics[len(printed):]:
        bar.epoch_line(row, config["epochs"])
    if status.get("state") == "failed":
        raise_code = 2 if status.get("error_type") == "input" else 1
        print(f"error: {status.get('error')}", file=sys.stderr)
        return raise_code
    result = {
        "run_dir": str(run_dir),
        "state": status.get("state"),
        "epochs": metrics,
        "test_accuracy": metrics[-1]["test_accuracy"] if metrics else None,
        "model": str(run_dir / "model.keras") if (run_dir / "model.keras").exists() else None,
    }
    if args.json:
        emit_json(result)
    else:
        print(json.dumps({k: result[k] for k in ("run_dir", "state", "test_accuracy", "model")}, indent=1))
    return 0
