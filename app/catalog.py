"""The model catalog as of this script run: listed once by the shell, read by the sidebar and the page.

Listing reads every run directory; the sidebar and the page both need it on every rerun, so the shell
(`app.navigation.run`) lists it once and both read that listing. A fragment rerun (a polling chart)
reuses the last full run's listing; a run ending triggers a full rerun, which lists afresh.
"""

from __future__ import annotations

import streamlit as st

from core.nets.catalog import ModelEntry, list_models

KEY = "catalog_listing"


def refresh() -> list[ModelEntry]:
    """List the catalog now and keep it for the rest of this script run."""
    entries = list_models()
    st.session_state[KEY] = entries
    return entries


def models() -> list[ModelEntry]:
    """The catalog listed at the start of this script run (listed now when the shell has not)."""
    entries = st.session_state.get(KEY)
    return entries if entries is not None else refresh()
