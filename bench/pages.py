"""Page benchmark: how long each page of the lab takes to open, in one real Chromium session.

    python -m bench.pages [--rounds 2] [--lab-root DIR]

Starts the lab (`streamlit run app/main.py`) in a throw-away workspace and times server start to an
idle Home page. Then it clicks every sidebar link in turn, twice over: click to the page's script run
finished (counted on Streamlit's websocket, as the browser tests do) and the app idle again. The
first round is each page's first visit in this browser session, the second its warm visit.
Prints `{"pages": [{"page", "first_ms", "warm_ms"}...], "cold_start_ms": N}`, plus the load average.
Chromium: $LAB_CHROMIUM, else `chromium` on the PATH, else /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(lab_root: Path, home: str) -> tuple[subprocess.Popen, str]:
    """Start the lab on a free port; returns the process and its URL once /_stcore/health answers."""
    port = _free_port()
    env = dict(os.environ, LAB_HOME=home, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    cmd = [sys.executable, "-m", "streamlit", "run", str(lab_root / "app" / "main.py"), "--server.headless",
           "true", "--server.address", "127.0.0.1", "--server.port", str(port),
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    proc = subprocess.Popen(cmd, cwd=lab_root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("The lab server did not start.")


class RunCounter:
    """Counts finished script runs from Streamlit's websocket (DOM signals race; this does not)."""

    def __init__(self, page):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.msg, self.finished = ForwardMsg, 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame) if "_stcore/stream" in ws.url
                else None)

    def _frame(self, payload):
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = self.msg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:
            return
        if msg.WhichOneof("type") == "script_finished" and msg.script_finished != msg.FINISHED_EARLY_FOR_RERUN:
            self.finished += 1


class PageTimeout(Exception):
    pass


def wait_finished(page, counter: RunCounter, before: int, timeout_s: float = 300) -> None:
    """Wait for one more finished script run, then for the app to be idle."""
    deadline = time.time() + timeout_s
    while counter.finished <= before:
        if time.time() > deadline:
            raise PageTimeout(f"no finished script run within {timeout_s:.0f} s")
        page.wait_for_timeout(10)
    page.wait_for_selector(IDLE, timeout=timeout_s * 1000)


def time_pages(page, counter: RunCounter, titles: list[str], rounds: int) -> list[dict]:
    """Click each sidebar link `rounds` times over; milliseconds per click per page."""
    times: dict[str, list[float]] = {t: [] for t in titles}
    for _ in range(rounds):
        for title in titles:
            link = page.locator("[data-testid=stSidebarNav] a", has_text=title).first
            before = counter.finished
            t0 = time.perf_counter()
            link.click()
            try:
                wait_finished(page, counter, before)
                times[title].append(round(1000 * (time.perf_counter() - t0)))
            except PageTimeout:  # recorded as missing; the next click starts from wherever it is
                times[title].append(None)
    return [{"page": t, "first_ms": v[0], "warm_ms": v[1] if len(v) > 1 else None} for t, v in times.items()]


def chromium_path() -> str | None:
    choice = os.environ.get("LAB_CHROMIUM")
    if choice == "playwright":
        return None
    return choice or shutil.which("chromium") or "/usr/bin/chromium"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--lab-root", type=Path, default=ROOT, help="the checkout whose lab is measured")
    args = parser.parse_args(argv)
    lab_root = args.lab_root.resolve()
    sys.path.insert(0, str(lab_root))
    from app.navigation import PAGES
    from playwright.sync_api import sync_playwright

    titles = [title for _, title, _, _ in PAGES]
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-pages-") as home, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        counter = RunCounter(page)
        t0 = time.perf_counter()
        proc, url = start_server(lab_root, home)
        try:
            page.goto(url)
            wait_finished(page, counter, 0)
            cold = round(1000 * (time.perf_counter() - t0))
            pages = time_pages(page, counter, titles, args.rounds)
        finally:
            browser.close()
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(json.dumps({"benchmark": "pages", "lab_root": str(lab_root), "pages": pages, "cold_start_ms": cold,
                      "load_average_at_start": round(load_start, 1),
                      "load_average_at_end": round(os.getloadavg()[0], 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
