"""Opening one page of the lab in AppTest, with a chosen active model: shared by the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def open_page(page: str, active: str | None = None) -> AppTest:
    """The lab's shell run once, then `pages/<page>.py`, with `active` (a model path) as the active model."""
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if active:
        at.session_state["active_model_path"] = active
    at.run()
    at.switch_page(f"../pages/{page}.py")
    at.run()
    assert not at.exception, at.exception
    return at


def open_tab(at: AppTest, key: str, label: str) -> AppTest:
    """Switch the page's tabs `key` to `label` as a click does (only the open tab's content runs)."""
    at.session_state[key] = label
    at.run()
    assert not at.exception, at.exception
    return at
