"""Uploads never overwrite: a taken name gets a number, and the Train page says which name it got."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.nets.catalog import save_upload
from core.paths import default_model_path, workspace_dir

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def test_a_taken_name_gets_a_number_and_the_first_file_is_kept(lab_home):
    data = default_model_path().read_bytes()
    first = save_upload("mine.keras", data)
    first.write_bytes(first.read_bytes())  # the same bytes, but its own inode from now on
    before = first.read_bytes()
    second = save_upload("mine.keras", data)
    third = save_upload("../mine.keras", data)  # a path in the name is cut to the name
    assert (first.name, second.name, third.name) == ("mine.keras", "mine-2.keras", "mine-3.keras")
    assert first.read_bytes() == before and second.read_bytes() == data
    assert not [p.name for p in workspace_dir("uploads").iterdir() if p.name.startswith(".")]


def _train_page() -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    return at


def test_the_train_page_names_the_file_an_upload_was_stored_as(lab_home):
    """Two sessions upload a file of the same name: the second is stored beside the first and says so."""
    data = default_model_path().read_bytes()
    at = _train_page()
    at.file_uploader(key="train_upload").upload("twice.keras", data, "application/octet-stream").run()
    assert at.success[0].value == "twice.keras was added and is now the active model."
    at = _train_page()
    at.file_uploader(key="train_upload").upload("twice.keras", data, "application/octet-stream").run()
    assert not at.exception and not at.error
    assert at.success[0].value.startswith("twice.keras was added as twice-2.keras")
    assert at.session_state["active_model_path"].endswith("uploads/twice-2.keras")
    assert sorted(p.name for p in workspace_dir("uploads").glob("twice*")) == ["twice-2.keras", "twice.keras"]
