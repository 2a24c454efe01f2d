"""The Report page (AppTest): one click makes the report in a background process, then offers the zip."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.cli import main

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def _report_page():
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/report.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _wait_until_ready(at, timeout_s: float = 420):
    """Rerun the page (AppTest does not fire the polling timer) until the report is ready or failed."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        at.run()
        assert not at.exception, at.exception
        if at.success or at.error:
            return at
        assert any("Making the report" in i.value for i in at.info)
        time.sleep(2)
    raise AssertionError("the report was not ready in time")


def test_one_click_makes_the_report_and_offers_the_zip(shared_data, capsys, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_SERVER_FOLDERS", "1")  # AppTest binds nowhere: allow the server's disk
    at = _report_page()
    assert at.button(key="report_make").disabled is False
    at.radio(key="report_mine").set_value("A folder on this computer").run()
    assert at.button(key="report_make").disabled is True  # no folder typed yet
    mine = shared_data / "handwriting" / "digits" / "zhangshi0512-cs5330_project05_mnist_digit_recognition"
    at.text_input(key="report_mine_path").set_value(str(mine)).run()
    at.selectbox(key="report_study").set_value("(no sweep: leave Task 4 out)")
    at.button(key="report_make").click().run()
    _wait_until_ready(at)
    assert not at.error, at.error[0].value
    capsys.readouterr()
    assert main(["evaluate", "--json"]) == 0
    evaluated = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert f"Test accuracy {evaluated['test_accuracy']:.4f}" in at.success[0].value
    archive = zipfile.ZipFile(io.BytesIO(_zip_bytes(at)))
    names = set(archive.namelist())
    assert {"report.md", "task1_own_digits.png", "task2_conv1_filters_grid.png", "task3_ssd_heatmap.png"} <= names
    assert not any(n.startswith("task4_") for n in names)
    md = archive.read("report.md").decode()
    assert str(mine) in md and f"accuracy **{evaluated['test_accuracy']:.4f}**" in md


def _zip_bytes(at) -> bytes:
    """The zip of the folder the page names (what its download button serves: AppTest cannot click it)."""
    from core.report.build import zip_folder

    assert at.get("download_button"), "no download button"
    return zip_folder(Path(at.success[0].value.split("`")[1]))


def test_folders_of_the_server_disk_are_offered_only_when_allowed():
    at = _report_page()
    assert at.radio(key="report_mine").options == ["My handwriting set"]
    assert at.radio(key="report_letters").options == ["My letters"]


def test_a_missing_digits_folder_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_SERVER_FOLDERS", "1")
    at = _report_page()
    at.radio(key="report_mine").set_value("A folder on this computer").run()
    at.text_input(key="report_mine_path").set_value(str(tmp_path / "nowhere")).run()
    assert "does not exist" in at.error[0].value
    assert at.button(key="report_make").disabled is True
