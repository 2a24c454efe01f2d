"""`python -m core report`: the assignment's report in one folder (PNG/CSV per item and report.md)."""

from __future__ import annotations

import sys

from core.commands.common import add_json_option, add_model_option, emit_json

ORDER = 80


def register(sub) -> None:
    p = sub.add_parser("report", help="every figure and table of the assignment in one folder, with report.md",
                       description="Write one PNG or CSV per item of Tasks 1-4 and a report.md linking them, "
                                   "for the default (or given) model.")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the report into")
    add_model_option(p)
    studies = p.add_mutually_exclusive_group()
    studies.add_argument("--study", metavar="NAME", help="sweep study for Task 4 (default: the newest local one)")
    studies.add_argument("--no-study", action="store_true", help="leave Task 4 out even when there are sweeps")
    p.add_argument("--letters", metavar="FOLDER", help="your own letters (default: My letters of the Greek page)")
    p.add_argument("--mine", metavar="FOLDER",
                   help="your own digit images, in digit folders or with a labels.csv "
                        "(default: My handwriting set)")
    add_json_option(p)
    p.set_defaults(func=run)


def run(args) -> int:
    from core.report.build import build_report

    study = False if args.no_study else args.study
    result = build_report(args.out, args.model, study, args.letters, args.mine,
                          progress=None if args.json else lambda text: print(text, file=sys.stderr))
    if args.json:
        emit_json(result)
        return 0
    t1 = result["numbers"]["task1"]
    print(f"{result['report']}: {len(result['files'])} files; test accuracy {t1['test_accuracy']:.4f}")
    return 0
