"""The Home page and the shell around every page (navigation, sidebar with the active model)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def test_home_renders_with_the_active_model_in_the_sidebar():
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    assert not at.exception
    assert at.title[0].value == "Recognition Lab"
    assert at.sidebar.markdown[0].value == "**Active model**"
    assert at.selectbox(key="sidebar_model_choice").value.endswith("model.keras")
