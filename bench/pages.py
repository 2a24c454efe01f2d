"""Page benchmark: how long each page of the lab takes to open, in one real Chromium session.

    python -m bench.pages [--rounds 2] [--lab-root DIR]

Starts the lab (`streamlit run app/main.py`) in a throw-away workspace and times server start to an
idle Home page. Then it clicks every sidebar link in turn, twice over: click to the page's script run
finished (counted on Streamlit's websocket, as the browser tests do) and the app idle again. The
first round is each page's first visit in this browser session, the second its warm visit.
Prints `{"pages": [{"page", "first_ms", "warm_ms"}...], "cold_start_ms": N}`, plus the load average and
each visit's server CPU time (`first_cpu_ms`, `warm_cpu_ms`).
Chromium: $LAB_CHROMIUM, else `chromium` on the PATH, else /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.handwriting import PageTimeout, RunLog, start_server, stop_server, wait_finished

ROOT = Path(__file__).resolve().parent.parent
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
LAUNCH_ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run"]


def server_cpu_ms(pid: int | None) -> float | None:
    """CPU time (user + system, all threads) the server process has used so far, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return 1000 * (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, TypeError):
        return None


def time_pages(page, log: RunLog, titles: list[str], rounds: int, pid: int | None = None) -> list[dict]:
    """Click each sidebar link `rounds` times over; milliseconds per click per page.

    Besides wall time, each visit's server CPU time (`*_cpu_ms`, from /proc, 10 ms steps): it includes
    any background work of the server in that interval and is less sensitive than wall time to other
    processes on a shared machine.
    """
    times: dict[str, list] = {t: [] for t in titles}
    cpu: dict[str, list] = {t: [] for t in titles}
    for _ in range(rounds):
        for title in titles:
            link = page.locator("[data-testid=stSidebarNav] a", has_text=title).first
            before = len(log.finished)
            t0, c0 = time.perf_counter(), server_cpu_ms(pid)
            link.click()
            try:
                wait_finished(page, log, before)
                times[title].append(round(1000 * (time.perf_counter() - t0)))
                c1 = server_cpu_ms(pid)
                cpu[title].append(round(c1 - c0) if c0 is not None and c1 is not None else None)
            except PageTimeout:  # recorded as missing; the next click starts from wherever it is
                times[title].append(None)
                cpu[title].append(None)
    return [{"page": t, "first_ms": v[0], "warm_ms": v[1] if len(v) > 1 else None,
             "first_cpu_ms": cpu[t][0], "warm_cpu_ms": cpu[t][1] if len(cpu[t]) > 1 else None}
            for t, v in times.items()]


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
        log = RunLog()
        log.attach(page)
        t0 = time.perf_counter()
        proc, url = start_server(home, root=lab_root)
        try:
            page.goto(url)
            wait_finished(page, log, 0)
            cold = round(1000 * (time.perf_counter() - t0))
            pages = time_pages(page, log, titles, args.rounds, proc.pid)
        finally:
            browser.close()
            stop_server(proc)
    print(json.dumps({"benchmark": "pages", "lab_root": str(lab_root), "pages": pages, "cold_start_ms": cold,
                      "load_average_at_start": round(load_start, 1),
                      "load_average_at_end": round(os.getloadavg()[0], 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
