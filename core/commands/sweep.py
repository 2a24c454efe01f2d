"""`python -m core sweep run|work|show|stop`: architecture sweeps on Optuna (see core/sweep/)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.commands.common import add_json_option, emit_json, positive_int, print_table
from core.data.datasets import DATASETS
from core.errors import LabError

ORDER = 60


def register(sub) -> None:
    from core.sweep.trial_process import DEFAULT_RECYCLE
    from core.sweep.strategies import STRATEGIES

    p = sub.add_parser("sweep", help="automated architecture sweeps (grid, random, linear, TPE) on Optuna",
                       description="Sweep network variants along the dimensions of a search-space "
                                   "JSON file; every trial is a normal run directory.")
    actions = p.add_subparsers(dest="sweep_command", metavar="ACTION", parser_class=p.__class__)
    actions.required = True

    run = actions.add_parser("run", help="create (or resume) a study and run it to its end")
    run.add_argument("--space", type=Path, metavar="FILE.json",
                     help="search space (needed for a new study; e.g. assets/sweeps/assignment_space.json)")
    run.add_argument("--strategy", choices=STRATEGIES, default=None, help="search strategy (default: random)")
    run.add_argument("--trials", type=positive_int, metavar="N",
                     help="trial budget (default: the whole grid, two linear cycles, or 20)")
    run.add_argument("--dataset", choices=DATASETS, help="override the space's dataset")
    run.add_argument("--train-subset", type=positive_int, metavar="N", help="train each trial on N images")
    run.add_argument("--test-subset", type=positive_int, metavar="N", help="test each trial on N images")
    run.add_argument("--epochs", type=positive_int, metavar="N", help="epochs per trial")
    run.add_argument("--seed", type=int, default=0, help="sampler seed (default: 0)")
    _storage_options(run, required=False)
    run.add_argument("--recycle", type=positive_int, default=DEFAULT_RECYCLE, metavar="K",
                     help=f"trials per trial process at most; it is replaced sooner when its memory "
                          f"grew by 1 GB (default: {DEFAULT_RECYCLE})")
    add_json_option(run)
    run.set_defaults(func=run_sweep)

    work = actions.add_parser("work", help="join an existing study as one more worker (any machine)")
    _storage_options(work, required=True)
    work.add_argument("--recycle", type=positive_int, default=DEFAULT_RECYCLE, metavar="K",
                      help=f"trials per trial process at most (default: {DEFAULT_RECYCLE})")
    add_json_option(work)
    work.set_defaults(func=run_work)

    show = actions.add_parser("show", help="the trials of a study as a table or JSON")
    _storage_options(show, required=True, storage_required=False)
    add_json_option(show)
    show.set_defaults(func=run_show)

    stop = actions.add_parser("stop", help="ask a running sweep of this workspace to stop")
    stop.add_argument("--study", required=True, help="study name")
    stop.set_defaults(func=run_stop)


def _storage_options(parser, required: bool, storage_required: bool | None = None) -> None:
    parser.add_argument("--study", required=required, metavar="NAME", help="study name")
    parser.add_argument("--storage", required=required if storage_required is None else storage_required,
                        metavar="URL", help="journal:PATH, sqlite:///FILE or postgresql://... "
                                            "(default: the study's journal file in the workspace)")


def _load_space(args, existing: dict):
    from core.sweep.space import load_space, space_from_dict

    if args.space:
        space = load_space(args.space)
    elif existing.get("space"):
        space = space_from_dict(existing["space"])
    else:
        raise LabError("A new study needs --space FILE.json (e.g. assets/sweeps/assignment_space.json).")
    for attr, field in (("dataset", "dataset"), ("train_subset", "train_subset"),
                        ("test_subset", "test_subset"), ("epochs", "epochs")):
        if getattr(args, attr) is not None:
            setattr(space, field, getattr(args, attr))
    return space


def run_sweep(args) -> int:
    from core.data.datasets import load_dataset
    from core.sweep import runner, storage

    name = args.study
    existing = {}
    if name:
        storage.check_study_name(name)
        existing = storage.read_sweep_json(name)
    space = _load_space(args, existing)
    strategy = args.strategy or existing.get("strategy") or "random"
    name = name or f"{space.name}-{strategy}-{time.strftime('%Y%m%d-%H%M%S')}"
    load_dataset(space.dataset)  # fail fast when the data is missing
    study, url = runner.setup_study(name, space, strategy, args.trials, args.storage, args.seed)
    if not args.json:
        print(f"study {name} ({strategy}, {study.user_attrs['n_trials']} trials) in {url}", file=sys.stderr)
    with open(storage.study_dir(name) / "sweep.log", "ab") as log:
        result = runner.drive(name, url, recycle=args.recycle, log=log if args.json else None)
    return _summary(name, url, result, args.json)


def run_work(args) -> int:
    from core.sweep import runner, storage

    runner.study_settings(storage.load_study(args.study, args.storage))
    result = runner.drive(args.study, args.storage, recycle=args.recycle,
                          log=sys.stderr.buffer if args.json else None)
    return _summary(args.study, args.storage, result, args.json)


def _summary(name: str, url: str, result: dict, as_json: bool) -> int:
    from core.sweep import report, storage

    study = storage.load_study(name, url)
    rows = report.trial_rows(study)
    n_trials = study_budget(study)
    prog = report.progress(rows, n_trials, running=False)
    best = report.best_row(rows)
    out = {"study": name, "storage": url, "strategy": study.user_attrs.get("strategy"),
           "reason": result["reason"], "recovered": result.get("recovered", []),
           "completed": sum(r["state"] == "COMPLETE" for r in rows), "failed": prog["failed"],
           "interrupted": prog["interrupted"], "n_trials": n_trials,
           "best": report.show_rows([best])[0] if best else None, "trials": report.show_rows(rows)}
    if as_json:
        emit_json(out)
    else:
        _print_rows(rows)
        print(f"\n{out['completed']} complete, {out['failed']} failed, {out['interrupted']} interrupted "
              f"({result['reason']})")
        if best:
            print(f"best: trial {best['number']} test accuracy {best['test_accuracy']:.4f} {best['params']}")
    return 0


def study_budget(study) -> int:
    return int(study.user_attrs.get("n_trials") or 0)


def _print_rows(rows: list[dict]) -> None:
    table = [{"#": r["number"], "state": r["state"], "test acc": r["test_accuracy"], "seconds": r["seconds"],
              "params": " ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                                 for k, v in r["params"].items()),
              "note": (r["error"] or "")[:60]} for r in rows]
    print_table(table, ["#", "state", "test acc", "seconds", "params", "note"])


def run_show(args) -> int:
    from core.sweep import report, storage

    rows = report.trial_rows(storage.load_study(args.study, args.storage))
    if args.json:
        emit_json(report.show_rows(rows))
    else:
        _print_rows(rows)
    return 0


def run_stop(args) -> int:
    from core.sweep import report, storage

    state = report.driver_state(args.study)
    if state["state"] != "running":
        raise LabError(f"Study {args.study!r} is not running here (state: {state['state']}).")
    (storage.study_dir(args.study) / "STOP").touch()
    print(f"asked study {args.study} to stop after the current batch", file=sys.stderr)
    return 0
