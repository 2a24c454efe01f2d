"""What the lab allows depending on who can reach the server, and how an internal error is shown.

Reading folders from the server's disk is offered only when the server listens on a loopback address
(only this computer can connect) or `LAB_ALLOW_SERVER_FOLDERS=1` says the operator wants it. An
unexpected exception in a page shows one friendly line naming the log that holds its traceback;
`client.showErrorDetails = "none"` (.streamlit/config.toml) keeps Streamlit's own details out too.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import time
import traceback
from pathlib import Path

import streamlit as st

from core import settings
from core.errors import LabError

ALLOW_FOLDERS_ENV = "LAB_ALLOW_SERVER_FOLDERS"
SERVER_LOG = "server.log"
_log = logging.getLogger("recognition_lab")


def is_loopback(address: str | None) -> bool:
    """Whether a listen address only accepts connections from this computer ("" means all interfaces)."""
    if not address:
        return False
    if address.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def server_folders_allowed(address: str | None = None) -> bool:
    """Whether pages may offer reading a folder of the server's disk.

    Args:
        address: the listen address. Defaults to Streamlit's `server.address` option.
    """
    if settings.flag(ALLOW_FOLDERS_ENV):
        return True
    return is_loopback(st.get_option("server.address") if address is None else address)


def log_path() -> Path:
    """The file that collects tracebacks of the lab's pages (in the workspace)."""
    from core.paths import lab_home

    return lab_home() / SERVER_LOG


def _record(exc: BaseException) -> Path | None:
    text = "".join(traceback.format_exception(exc))
    _log.error("page error\n%s", text)  # the server's console, as Streamlit would log it
    try:
        path = log_path()
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')}\n{text}\n")
        return path
    except OSError:
        return None


def run_guarded(page_run) -> None:
    """Run a page; an exception it did not handle becomes one friendly line, its traceback goes to the log.

    Streamlit's own control flow (`st.stop`, `st.rerun`) derives from BaseException and passes through.
    With `LAB_DEBUG=1` the exception is re-raised, so a developer sees Streamlit's usual report.
    """
    try:
        page_run()
    except LabError as exc:
        st.error(" ".join(str(exc).split()))
    except Exception as exc:  # noqa: BLE001 - the page boundary: nothing raw reaches the browser
        if os.environ.get("LAB_DEBUG"):
            raise
        where = _record(exc)
        place = f"the details are in {where}" if where else "the details are in the server's console output"
        st.error(f"Something went wrong inside the lab ({type(exc).__name__}); {place}. "
                 "Reload the page to try again.", icon=":material/error:")
