"""The active model: one per browser session, shown and switched in the sidebar, used by every page.

The choice is mirrored in the URL (`?model=...`) so that reloading the tab keeps it.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.catalog import models
from core.nets.catalog import ModelEntry, default_entry

KEY = "active_model_path"


def active_entry(entries: list[ModelEntry] | None = None) -> ModelEntry:
    """The session's active model entry (the shipped default when none was chosen or it vanished).

    `entries` defaults to this script run's catalog listing (`app.catalog.models`).
    """
    entries = {e.path: e for e in (models() if entries is None else entries)}
    path = st.session_state.get(KEY) or st.query_params.get("model")
    if path in entries:
        st.session_state[KEY] = path
        return entries[path]
    if path and path not in entries:
        st.session_state.pop(KEY, None)
    return default_entry()


def active_path() -> str:
    """File path of the active model."""
    return active_entry().path


def set_active(path: str | Path) -> None:
    """Make the model at `path` active for this session (and in the URL)."""
    st.session_state[KEY] = str(path)
    st.query_params["model"] = str(path)
    # The sidebar's selectbox keeps its own widget state, which would switch straight back on the next
    # run; dropping it makes the sidebar show the new choice.
    st.session_state.pop("sidebar_model_choice", None)


def sidebar() -> None:
    """The sidebar block that always shows the active model and lets the user switch it."""
    entries = models()
    current = active_entry(entries)
    paths = [e.path for e in entries]
    labels = {e.path: e.label for e in entries}
    with st.sidebar:
        st.markdown("**Active model**")
        choice = st.selectbox(
            "Active model", paths, index=paths.index(current.path) if current.path in paths else 0,
            format_func=lambda p: labels.get(p, p), key="sidebar_model_choice",
            label_visibility="collapsed",
            help="Every page uses this model. Finished runs, sweep trials and uploaded models appear here.",
        )
        if choice != current.path:
            set_active(choice)
            st.rerun()
        if not Path(current.path).is_file():
            st.warning("The default model file is missing: train one on the Train page.")
        st.caption(f"`{Path(current.path).parent.name}/{Path(current.path).name}` ({current.source})")
