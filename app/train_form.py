"""The Train form keeps the user's last settings across reruns, page changes and reloads.

Streamlit forgets a widget's value when its page is left, and a reload starts a new session: then the
form would fall back to the preset (12 epochs, every image) and a Start right away would launch a long
run nobody asked for. The form's values are kept in the session and in a browser cookie (small JSON),
so each browser gets its own settings back and nothing is shared between people or tests.
"""

from __future__ import annotations

import json
import streamlit as st

from app.active_model import cookie
from core.nets.config import PRESETS

COOKIE = "lab_train_form"
_SAVED = "train_form_saved"
_FIXED = ("train_preset", "train_dataset", "train_subset", "train_test_subset")
_MAX_COOKIE = 3500  # browsers keep about 4 KB per cookie


def _is_form_key(key: str) -> bool:
    return key in _FIXED or any(key.startswith(f"train_{name}_") for name in PRESETS)


def _clean(data) -> dict:
    """Only form keys with plain values (a cookie is user-editable input)."""
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items()
            if isinstance(k, str) and _is_form_key(k) and isinstance(v, (int, float, str, bool))}


def _saved() -> dict:
    if _SAVED not in st.session_state:
        try:
            st.session_state[_SAVED] = _clean(json.loads(cookie(COOKIE) or "{}"))
        except ValueError:
            st.session_state[_SAVED] = {}
    return st.session_state[_SAVED]


def restore() -> None:
    """Put the last settings back into the form's widgets that have no value yet (call before the form)."""
    for key, value in _saved().items():
        if key not in st.session_state:
            st.session_state[key] = value


def remember() -> None:
    """Keep the form's current values (call after the form); the browser's cookie follows when they change."""
    saved = _saved()
    current = {**saved, **_clean(dict(st.session_state.items()))}
    if current == saved:
        return
    st.session_state[_SAVED] = current
    text = json.dumps(current, separators=(",", ":"))
    if len(text) > _MAX_COOKIE:
        return  # still kept for this session
    literal = json.dumps(text).replace("<", "\\u003c")  # a JS string that cannot end the script element
    st.html(f"<script>document.cookie = '{COOKIE}=' + encodeURIComponent({literal}) + "
            "'; path=/; max-age=31536000; SameSite=Lax';</script>", unsafe_allow_javascript=True)
