"""The model catalog is listed once per rerun, however many parts of the page ask for the active model."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def test_sidebar_and_page_share_one_listing_per_rerun(monkeypatch):
    import app.catalog

    calls = []
    real = app.catalog.list_models
    monkeypatch.setattr(app.catalog, "list_models", lambda: calls.append(1) or real())
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    assert len(calls) == 1  # the home page: the sidebar only
    at.switch_page("../pages/examine.py")
    at.run()  # the sidebar and the Examine page both read the active model
    assert not at.exception and len(calls) == 2
    at.radio(key="examine_source").set_value("test").run()
    assert not at.exception and len(calls) == 3
