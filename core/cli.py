"""`python -m core`: every heavy job of the lab, headless.

Exit codes: 0 success, 2 bad input (one-line message on stderr), 1 unexpected failure.
Sub-commands live in `core/commands/` and are discovered automatically.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

from core.errors import LabError


class LabArgumentParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit 2."""

    def error(self, message):
        self.exit(2, f"error: {message} (see `{self.prog} --help`)\n")


def _command_modules():
    import core.commands as package

    modules = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"core.commands.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def build_parser() -> argparse.ArgumentParser:
    """The full `python -m core` parser with every discovered sub-command."""
    parser = LabArgumentParser(
        prog="python -m core",
        description="Recognition Lab from the command line: train, evaluate, predict, "
                    "embed Greek letters, transfer-learn and sweep architectures.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=LabArgumentParser)
    sub.required = True
    for module in _command_modules():
        module.register(sub)
    return parser


def main(argv=None) -> int:
    """Parse `argv`, run the command, and turn errors into messages and exit codes."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never show a traceback to a user unless asked
        if os.environ.get("LAB_DEBUG"):
            raise
        print(f"error: unexpected {type(exc).__name__}: {' '.join(str(exc).split())[:300]} "
              "(set LAB_DEBUG=1 to see the traceback)", file=sys.stderr)
        return 1
