"""Which run a page watches: this session's, the one named in the URL, or the newest active one.

A worker keeps going in its own process when the tab reloads; the page finds it again here, so the
Train page and the Greek page's transfer runs re-attach the same way.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from core.paths import runs_dir
from core.runs.table import newest_active_run


def attach(run_dir: Path, session_key: str, url_key: str = "run") -> None:
    """Watch `run_dir` on this page; the URL keeps its name so a reload re-attaches."""
    st.session_state[session_key] = str(run_dir)
    st.query_params[url_key] = Path(run_dir).name


def attached_run(session_key: str, url_key: str = "run", kinds: tuple = ("train",)) -> Path | None:
    """The run to show: the session's, the URL's, else the newest queued/running run of `kinds`.

    Args:
        session_key: page-prefixed session key holding the run directory.
        url_key: query parameter holding the run's name. Defaults to "run".
        kinds: run kinds (config.json `kind`) to re-attach to. Defaults to training runs.
    """
    root = runs_dir()
    from_url = Path(st.query_params.get(url_key, "")).name  # a bare run name, never a path elsewhere
    from_url = "" if from_url.startswith(".") else from_url
    for candidate in (st.session_state.get(session_key), str(root / from_url) if from_url else None):
        if candidate and (Path(candidate) / "config.json").is_file():
            return Path(candidate)
    run = newest_active_run(root, kinds)
    if run is not None:
        attach(run, session_key, url_key)
    return run
