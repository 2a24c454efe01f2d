"""Server hardening: no error details in the browser, one friendly line for a crash, server folders local only."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
ENTRY = str(ROOT / "app" / "main.py")
FOLDER = "A folder on this computer"


def test_streamlit_shows_no_error_details():
    """`none` hides message, type and traceback; `false` would still show the traceback in 1.67."""
    settings = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert settings["client"]["showErrorDetails"] == "none"
    assert "none" in {o.value for o in st_config.ShowErrorDetailsConfigOptions}


@pytest.fixture
def server_address(monkeypatch):
    """Set Streamlit's `server.address` for one test and restore it after."""
    monkeypatch.delenv("LAB_ALLOW_SERVER_FOLDERS", raising=False)
    before = st_config.get_option("server.address")
    yield lambda value: st_config.set_option("server.address", value)
    st_config.set_option("server.address", before)


def _greek_sources() -> list[str]:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/greek.py")
    at.run()
    assert not at.exception, at.exception
    return list(at.radio(key="greek_source").options)


def test_server_folder_is_hidden_on_all_interfaces_and_offered_on_loopback(server_address, monkeypatch):
    server_address("0.0.0.0")
    assert FOLDER not in _greek_sources()
    server_address("127.0.0.1")
    assert FOLDER in _greek_sources()
    server_address("0.0.0.0")
    monkeypatch.setenv("LAB_ALLOW_SERVER_FOLDERS", "1")
    assert FOLDER in _greek_sources()


@pytest.mark.parametrize("address, local", [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                            ("127.3.0.1", True), ("0.0.0.0", False), ("", False),
                                            (None, False), ("192.168.1.5", False), ("::", False)])
def test_loopback_addresses(address, local, monkeypatch):
    from app.server import server_folders_allowed

    monkeypatch.delenv("LAB_ALLOW_SERVER_FOLDERS", raising=False)
    assert server_folders_allowed(address if address is not None else "") is local


def _crashing_page():
    from app.server import run_guarded

    def page():
        raise KeyError("secret-internal-detail")

    run_guarded(page)


def test_an_internal_error_is_one_friendly_line_naming_the_log(lab_home, monkeypatch):
    monkeypatch.delenv("LAB_DEBUG", raising=False)
    at = AppTest.from_function(_crashing_page, default_timeout=30)
    at.run()
    assert not at.exception
    [error] = at.error
    log = lab_home / "server.log"
    assert error.value.startswith("Something went wrong inside the lab (KeyError)")
    assert str(log) in error.value and "secret-internal-detail" not in error.value
    assert "secret-internal-detail" in log.read_text() and "Traceback" in log.read_text()
