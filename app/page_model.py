"""The active model as a page needs it: loaded, checked, and where it does not fit, the default on offer."""

from __future__ import annotations

import streamlit as st

from app.active_model import use_default_instead
from app.resources import load_model
from core.errors import LabError
from core.nets.catalog import default_entry


def model_for_page(entry, check, key: str):
    """The Keras model of `entry`, checked with `check(model)`; otherwise the page says why and stops.

    Pages that can decide from the model's kind alone use `app.active_model.check_or_offer_default`
    (no loading); both end in the same `use_default_instead`.

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
        if entry.path == default_entry().path:  # nothing better to offer
            st.error(str(exc))
            st.stop()
        use_default_instead(f"This page cannot use the active model ({entry.label}): {exc}", key)
