"""The active model: one per browser session, shown and switched in the sidebar, used by every page.

`set_active` is the one way to change it (the sidebar, every "make active" button, an upload). The
choice lives in the session, is written into the URL on every page (`?model=<key>`, so a reload or a
copied link keeps it) and into a cookie (so a new tab of the same browser starts with it). A model
that has gone (a deleted run) falls back to the default with a notice.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import streamlit as st

from app.catalog import models
from core.errors import LabError
from core.nets.catalog import ModelEntry, default_entry, find_entry

KEY = "active_model_path"
WIDGET = "sidebar_model_choice"
COOKIE = "lab_model"
_COOKIE_WRITTEN = "active_model_cookie"
_NOTICE = "active_model_notice"
_TOAST = "active_model_toast"


def cookie(name: str) -> str | None:
    """The browser's cookie `name` as sent when this tab opened (decoded), or None."""
    value = st.context.cookies.get(name)
    return unquote(value) if isinstance(value, str) and value else None  # AppTest has no real cookies


def _wanted() -> str | None:
    """What this tab asked for: its session's choice, else the URL's, else the browser's cookie."""
    return st.session_state.get(KEY) or st.query_params.get("model") or cookie(COOKIE)


def active_entry(entries: list[ModelEntry] | None = None) -> ModelEntry:
    """The session's active model entry (the shipped default when none was chosen or it vanished).

    `entries` defaults to this script run's catalog listing (`app.catalog.models`).
    """
    entries = models() if entries is None else entries
    wanted = _wanted()
    entry = find_entry(entries, wanted)
    if entry is None:
        if wanted and wanted not in ("default", default_entry().path):
            name = Path(wanted).parent.name if wanted.endswith("model.keras") else wanted
            st.session_state[_NOTICE] = f"The model `{name}` is no longer in the lab: using the default model."
        entry = find_entry(entries, "default") or default_entry()
    st.session_state[KEY] = entry.path
    return entry


def active_path() -> str:
    """File path of the active model."""
    return active_entry().path


def set_active(path: str | Path, label: str | None = None) -> None:
    """Make the model at `path` (a file path or catalog key) active for this session.

    The sidebar picks it up on the next run (it must, to keep its own selectbox in step): call
    `st.rerun()` after this unless it runs in a widget callback.
    """
    st.session_state[KEY] = str(path)
    st.session_state.pop(_NOTICE, None)
    if label:
        st.session_state[_TOAST] = f"{label} is now the active model."


def activate_button(label: str, path: str | Path, key: str, toast: str | None = None, **kwargs) -> None:
    """A button that makes `path` the active model (then reruns the whole app), or a note if it already is."""
    if str(path) == st.session_state.get(KEY):
        st.success(f"{toast or 'This model'} is the active model.", icon=":material/check_circle:")
        return
    if st.button(label, key=key, icon=":material/check_circle:", **kwargs):
        set_active(path, toast)
        st.rerun()


def use_default_instead(reason: str, key: str) -> None:
    """Say in one line why this page cannot use the active model, offer the default, and end the page run."""
    st.warning(reason, icon=":material/block:")
    if Path(st.session_state.get(KEY, "")) != Path(default_entry().path):
        if st.button("Use the default model", key=key, icon=":material/restart_alt:"):
            set_active(default_entry().path, "The default model")
            st.rerun()
    st.stop()


def check_or_offer_default(check, entry: ModelEntry, key: str) -> None:
    """Run `check(entry.model_kind)`; on a `LabError`, `use_default_instead` with its message."""
    try:
        check(entry.model_kind)
    except LabError as exc:
        use_default_instead(str(exc), key)


def _write_cookie(entry: ModelEntry) -> None:
    """Remember the choice in the browser (a new tab reads it), once per change."""
    written = st.session_state.get(_COOKIE_WRITTEN)
    if written is None:  # first run of this tab: what the browser sent
        written = cookie(COOKIE) or ""
    st.session_state[_COOKIE_WRITTEN] = entry.key
    if written == entry.key:
        return
    value = json.dumps(entry.key)  # a JS string literal; the key holds only [A-Za-z0-9._/-]
    st.html(f"<script>document.cookie = '{COOKIE}=' + encodeURIComponent({value}) + "
            "'; path=/; max-age=31536000; SameSite=Lax';</script>", unsafe_allow_javascript=True)


def _sync(entry: ModelEntry) -> None:
    """Keep the URL, the cookie and the sidebar's selectbox in step with the active model."""
    if st.query_params.get("model") != entry.key:
        st.query_params["model"] = entry.key
    if st.session_state.get(WIDGET) != entry.path:
        st.session_state[WIDGET] = entry.path  # before the selectbox exists in this run: allowed


def _on_pick() -> None:
    set_active(st.session_state[WIDGET])


def sidebar() -> None:
    """The sidebar block that always shows the active model and lets the user switch it."""
    entries = models()
    current = active_entry(entries)
    _sync(current)
    labels = {e.path: e.label for e in entries}
    with st.sidebar:
        st.markdown("**Active model**")
        st.selectbox(
            "Active model", list(labels), format_func=lambda p: labels.get(p, p), key=WIDGET,
            label_visibility="collapsed", on_change=_on_pick,
            help="Every page uses this model. Finished runs, sweep trials and uploaded models appear here.",
        )
        # The selectbox cuts long names: the caption shows the whole name and what the model reads.
        st.caption(f"**{current.label}** · {current.model_kind.describe()}")
        if current.model_kind.notice:
            st.caption(current.model_kind.notice)
        if not Path(current.path).is_file():
            st.warning("The default model file is missing: train one on the Train page.")
        notice = st.session_state.pop(_NOTICE, None)
        if notice:
            st.warning(notice, icon=":material/info:")
        _write_cookie(current)
    toast = st.session_state.pop(_TOAST, None)
    if toast:
        st.toast(toast, icon=":material/check_circle:")
