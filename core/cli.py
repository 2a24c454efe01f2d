"""`python -m core`: every heavy job of the lab, headless.

Exit codes: 0 success, 2 bad input or environment (a full disk, a missing file: one line on stderr),
1 an internal failure (one line on stderr; its traceback goes to `<workspace>/cli.log`, and to the
console too with `LAB_DEBUG=1`). Sub-commands live in `core/commands/` and are discovered automatically.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from core.errors import LabError
from core.files import write_failed
from core.nets.keras_import import route_first_import

CLI_LOG = "cli.log"


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
    """Parse `argv`, run the command, and turn errors into one-line messages and exit codes."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    route_first_import()  # whichever command imports TensorFlow, its start-up lines obey that level
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LabError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            return internal_error(exc, argv)
        print(f"error: {one_line(str(write_failed(exc, Path(exc.filename or '.'))))}", file=sys.stderr)
        return 2
    except Exception as exc:  # never show a traceback to a user unless asked
        return internal_error(exc, argv)


def one_line(text: str, limit: int = 400) -> str:
    """`text` on one line, cut at `limit` characters."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def internal_error(exc: BaseException, argv=None) -> int:
    """Log the traceback, print one line naming the log (the traceback too with LAB_DEBUG=1); exit 1."""
    text = "".join(traceback.format_exception(exc))
    log = _log_traceback(text, argv)
    if os.environ.get("LAB_DEBUG"):
        sys.stderr.write(text)
    where = f"the traceback is in {log}" if log else "the traceback could not be saved"
    print(f"error: internal error ({type(exc).__name__}: {one_line(str(exc), 200)}); {where}; "
          "set LAB_DEBUG=1 to print it here", file=sys.stderr)
    return 1


def _log_traceback(text: str, argv=None) -> Path | None:
    from core.paths import lab_home

    try:
        log = lab_home() / CLI_LOG
        command = " ".join(sys.argv[1:] if argv is None else argv)
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} python -m core {command}\n{text}\n")
        return log
    except OSError:
        return None
