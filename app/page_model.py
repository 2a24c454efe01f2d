"""The active model as a page needs it: loaded, checked, and where it does not fit, the default on offer."""

from __future__ import annotations

import streamlit as st

from app.active_model import set_active
from app.resources import load_model
from core.errors import LabError
from core.nets.catalog import default_entry


def model_for_page(entry, check, key: str):
    """The Keras model of `entry`, checked with `check(model)`; otherwise the page says why and stops.

    Args:
        entry: the active model's `ModelEntry`.
        check: callable raising `LabError` with one line when the model does not suit the page.
        key: page-prefixed key of the "Use the default model" button.
    """
    try:
        model = load_model(entry.path)
        check(model)
        return model
    except LabError as exc:
        default = default_entry()
        if entry.path == default.path:
            st.error(str(exc))
            st.stop()
        st.warning(f"This page cannot use the active model ({entry.label}): {exc}")
        if st.button("Use the default model", key=key, icon=":material/restart_alt:"):
            set_active(default.path)
            st.rerun()
        st.stop()
