"""The Train form keeps the user's last settings when they leave the page and come back (AppTest)."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def test_settings_survive_a_visit_to_another_page(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RUNS_DIR", str(tmp_path / "runs"))
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    at.switch_page("../pages/train.py").run()
    at.selectbox(key="train_preset").select("assignment").run()  # not the first preset: must be kept too
    at.number_input(key="train_assignment_epochs").set_value(2).run()
    at.number_input(key="train_subset").set_value(3000).run()
    at.selectbox(key="train_dataset").select("fashion_mnist").run()
    at.switch_page("../pages/data.py").run()
    assert "train_assignment_epochs" not in at.session_state  # Streamlit dropped the widget's state
    at.switch_page("../pages/train.py").run()
    assert not at.exception
    assert at.selectbox(key="train_preset").value == "assignment"
    assert at.number_input(key="train_assignment_epochs").value == 2
    assert at.number_input(key="train_subset").value == 3000
    assert at.selectbox(key="train_dataset").value == "fashion_mnist"
