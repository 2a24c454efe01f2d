"""Real-browser tests: one Streamlit server per test session, driven by Playwright + Chromium.

Chromium comes from Debian (`/usr/bin/chromium`, installed by `make test`); set LAB_CHROMIUM to use
another binary, or LAB_CHROMIUM=playwright to use Playwright's own downloaded browser.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _chromium() -> str | None:
    choice = os.environ.get("LAB_CHROMIUM")
    if choice == "playwright":
        return None
    return choice or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    args = dict(browser_type_launch_args)
    path = _chromium()
    if path:
        if not Path(path).exists():
            pytest.fail(f"Chromium not found at {path}: run `make test` (installs Debian's chromium) "
                        "or set LAB_CHROMIUM.")
        args["executable_path"] = path
    args["args"] = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run"]
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def lab_server(lab_home, tmp_path_factory):
    """Start the lab on a free port (with the session's temporary workspace); yield its base URL."""
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "streamlit.log"
    env = dict(os.environ, LAB_HOME=str(lab_home), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"),
           "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
        if proc.poll() is not None:
            pytest.fail(f"The lab server exited: {log.read_text()[-2000:]}")
    else:
        proc.kill()
        pytest.fail(f"The lab server did not start: {log.read_text()[-2000:]}")
    yield url
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


class LabPage:
    """A Playwright page on the lab that knows when Streamlit has finished a script run.

    DOM signals race; counting `script_finished` messages on Streamlit's websocket does not.
    """

    def __init__(self, page, base_url: str):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.page, self.base_url = page, base_url
        self.finished = 0
        self._ForwardMsg = ForwardMsg
        page.on("websocket", self._on_websocket)

    def _on_websocket(self, ws):
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", self._on_frame)

    def _on_frame(self, payload):
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = self._ForwardMsg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished" and \
                msg.script_finished != self._ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self.finished += 1

    def _wait_idle(self, timeout_s: float) -> None:
        self.page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]",
                                    timeout=timeout_s * 1000)

    def goto(self, path: str = "", timeout_s: float = 90) -> None:
        """Open a page of the lab (e.g. 'train') and wait for its first run to finish."""
        before = self.finished
        self.page.goto(f"{self.base_url}/{path}")
        self.wait_for_runs(before, 1, timeout_s)

    def wait_for_runs(self, before: int, count: int = 1, timeout_s: float = 90) -> None:
        deadline = time.time() + timeout_s
        while self.finished < before + count:
            if time.time() > deadline:
                raise AssertionError("Streamlit did not finish a script run in time")
            self.page.wait_for_timeout(50)
        self._wait_idle(timeout_s)

    def act(self, action, timeout_s: float = 90) -> None:
        """Do `action()` (a click, a drawing...) and wait for the rerun it causes to finish."""
        before = self.finished
        action()
        self.wait_for_runs(before, 1, timeout_s)

    def open_tab(self, name: str, timeout_s: float = 90) -> None:
        """Click a tab that runs only while open (`app.widgets.tab_sections`) and wait for its run."""
        self.act(lambda: self.page.get_by_role("tab", name=name, exact=True).click(), timeout_s)


@pytest.fixture()
def lab(page, lab_server) -> LabPage:
    """A fresh browser page on the lab server."""
    page.set_default_timeout(60_000)
    return LabPage(page, lab_server)
