"""Load benchmark: many people drawing on the Draw page of one server, with and without a training.

Three scenarios on one lab server, each for `--seconds` (default 60): 1 browser session; 10
sessions; 10 sessions while a training runs in the background (started with the lab's own job
API, `core.runs.jobs.start_run`, on a 10k-image subset, stopped at the end). Every session is a
Playwright page in its own browser context: it opens the Draw page, draws one stroke of a 7 every
~3 s and presses "Clear the canvas" after every 3 strokes.

Per scenario it reports strokes updated / attempted (a stroke is lost when no new 28x28 input
image shows within `--timeout` seconds), stroke-to-reading p50/p95 (mouse-up to that image
loaded), the median "Clear the canvas" (click to the reading gone), errors (page errors, Streamlit
exception boxes, tracebacks in the server log), the server's peak RSS, and the CPU seconds the server,
the browsers and the training used (total and per stroke): the browsers run on the same two cores.

    python -m bench.load [--seconds 60] [--sessions 10] [--timeout 15] [--root CHECKOUT]

The training is started with this checkout's job API whichever checkout `--root` serves.

Prints one JSON object. Needs Playwright with Chromium (/usr/bin/chromium or LAB_CHROMIUM).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.handwriting import ROOT, _NEW_JS, _SRC_JS, SEVEN, launch_args, start_server, stop_server

CAPTION = "What the network sees (28x28)"
CLEAR = ".st-key-draw_canvas_clear button"
# three strokes per cycle, then a clear: the 7's bar, its diagonal, a cross bar
STROKES = SEVEN + [[(120, 150), (200, 150)]]
PERIOD_S = 3.0


@dataclasses.dataclass
class Tally:
    """What the sessions of one scenario saw."""

    attempted: int = 0
    updated: int = 0
    stroke_s: list = dataclasses.field(default_factory=list)
    clear_s: list = dataclasses.field(default_factory=list)
    errors: list = dataclasses.field(default_factory=list)


class RssPeak:
    """Samples a process's resident memory every 0.25 s in a thread; `peak_mb` is the highest seen."""

    def __init__(self, pid: int):
        self.pid, self.peak_kb, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
            except OSError:
                return
            self._stop.wait(0.25)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)

    @property
    def peak_mb(self) -> float:
        return round(self.peak_kb / 1024, 1)


class CpuUse:
    """CPU seconds used during a scenario by the server, the browsers (with Playwright's driver) and the
    training worker: every 0.25 s a thread reads each descendant process's CPU time from /proc and keeps
    its highest value, so processes that end before the scenario does still count."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server_pid: int):
        self.server_pid, self._stop = server_pid, threading.Event()
        self.start, self.seen, self.kind = {}, {}, {}
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _descendants(self) -> dict:
        parents = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(stat.parent.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self.TICK)
        mine, found = {}, True
        while found:
            found = False
            for pid, (ppid, cpu) in parents.items():
                if pid not in mine and (ppid == os.getpid() or ppid in mine):
                    mine[pid], found = cpu, True
        return mine

    def _classify(self, pid: int) -> str:
        if pid == self.server_pid:
            return "server"
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "other"
        return "training" if b"core.runs" in cmd else "browsers"

    def _sample(self) -> None:
        for pid, cpu in self._descendants().items():
            if pid not in self.kind:
                self.kind[pid] = self._classify(pid)
            self.seen[pid] = max(cpu, self.seen.get(pid, 0.0))

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            self._sample()

    def __enter__(self):
        self._sample()
        self.start = dict(self.seen)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(2)

    def restart(self) -> None:
        """Count from now on (called once every session has opened its page)."""
        self._sample()
        self.start = dict(self.seen)

    def seconds(self) -> dict:
        """CPU seconds per kind of process over the scenario."""
        out = {"server": 0.0, "browsers": 0.0, "training": 0.0}
        for pid, cpu in self.seen.items():
            kind = self.kind.get(pid, "other")
            if kind in out:
                out[kind] += cpu - self.start.get(pid, 0.0)
        return {k: round(v, 1) for k, v in out.items()}


async def _stroke(page, points, tally: Tally, timeout_s: float) -> None:
    box = await page.locator("canvas.upper-canvas").first.bounding_box()
    old = await page.evaluate(_SRC_JS, CAPTION)
    await page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    await page.mouse.down()
    await page.mouse.move(box["x"] + points[1][0], box["y"] + points[1][1], steps=6)
    tally.attempted += 1
    t0 = time.perf_counter()
    await page.mouse.up()
    try:
        await page.wait_for_function(_NEW_JS, arg=[CAPTION, old], timeout=timeout_s * 1000)
    except Exception:
        return  # lost: no new reading for this stroke
    tally.updated += 1
    tally.stroke_s.append(time.perf_counter() - t0)


async def _clear(page, tally: Tally, timeout_s: float) -> None:
    t0 = time.perf_counter()
    await page.locator(CLEAR).click()
    try:
        await page.wait_for_function(f"c => ({_SRC_JS})(c) === null", arg=CAPTION, timeout=timeout_s * 1000)
    except Exception:
        tally.errors.append("a clear did not empty the reading")
        return
    tally.clear_s.append(time.perf_counter() - t0)


async def _session(browser, url: str, delay_s: float, seconds: float, timeout_s: float, tally: Tally,
                   loaded) -> None:
    """One person: open the Draw page, then a stroke every ~3 s and a clear after every 3 strokes."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    page.set_default_timeout(120_000)
    page.on("pageerror", lambda exc: tally.errors.append(f"page error: {exc}"))
    try:
        try:
            await page.goto(f"{url}/draw")
            await page.locator("canvas.upper-canvas").first.wait_for()
        finally:
            await loaded()  # every session has its page open (or failed to): drawing and CPU count start
        await page.wait_for_timeout(delay_s * 1000)  # spread the sessions over the drawing period
        end, n = time.perf_counter() + seconds, 0
        while time.perf_counter() < end:
            tick = time.perf_counter()
            await _stroke(page, STROKES[n % 3], tally, timeout_s)
            n += 1
            if n % 3 == 0:
                await _clear(page, tally, timeout_s)
            await asyncio.sleep(max(0.0, PERIOD_S - (time.perf_counter() - tick)))
        crash = page.get_by_test_id("stException").or_(page.get_by_text("Something went wrong inside the lab"))
        if await crash.count():
            tally.errors.append("an error on the page: " + await crash.first.inner_text())
    except Exception as exc:  # a session that could not run is an error, not a crash of the bench
        tally.errors.append(f"session failed: {type(exc).__name__}: {exc}")
    finally:
        await context.close()


async def _scenario(url: str, sessions: int, seconds: float, timeout_s: float, on_loaded=None) -> Tally:
    """`sessions` people drawing; `on_loaded()` is called once all of them have the page open."""
    from playwright.async_api import async_playwright

    tally, barrier = Tally(), asyncio.Barrier(sessions)

    async def loaded() -> None:
        if await barrier.wait() == 0 and on_loaded:
            on_loaded()

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(**launch_args())
        try:
            await asyncio.gather(*(_session(browser, url, PERIOD_S * i / sessions, seconds, timeout_s, tally,
                                            loaded) for i in range(sessions)))
        finally:
            await browser.close()
    return tally


def start_training() -> Path:
    """A background training through the lab's job API: the assignment net on a 10k-image subset."""
    from core.nets.config import preset
    from core.runs.jobs import start_run
    from core.runs.training import make_train_config

    net = dataclasses.replace(preset("assignment"), epochs=50)  # outlasts the scenario; stopped after it
    return start_run(make_train_config(net, train_subset=10_000, test_subset=2_000), label="bench-load")


def stop_training(run_dir: Path) -> str:
    """Stop the training after its batch; kill its worker if it does not stop in 60 s. Returns its state."""
    import signal

    from core.runs import rundir
    from core.runs.jobs import stop_run, wait_for

    stop_run(run_dir)
    status = wait_for(run_dir, timeout_s=60)
    if status.get("state") not in rundir.FINAL_STATES and status.get("pid"):
        os.kill(int(status["pid"]), signal.SIGKILL)
    return str(status.get("state"))


def summary(tally: Tally, rss_mb: float, server_errors: list) -> dict:
    ms = np.asarray(tally.stroke_s) * 1000
    clears = np.asarray(tally.clear_s) * 1000
    errors = tally.errors + server_errors
    return {"strokes_updated": tally.updated, "strokes_attempted": tally.attempted,
            "strokes_lost": tally.attempted - tally.updated,
            "stroke_to_reading_p50_ms": round(float(np.median(ms)), 1) if len(ms) else None,
            "stroke_to_reading_p95_ms": round(float(np.percentile(ms, 95)), 1) if len(ms) else None,
            "clear_median_ms": round(float(np.median(clears)), 1) if len(clears) else None,
            "clears": int(len(clears)), "errors": len(errors), "error_samples": errors[:5],
            "server_peak_rss_mb": rss_mb}


def _new_tracebacks(log: Path, seen: int) -> tuple[list, int]:
    lines = log.read_text(errors="replace").splitlines()
    return [f"server: {line}" for line in lines[seen:] if "Traceback" in line or " ERROR " in line], len(lines)


def run_all(seconds: float, sessions: int, timeout_s: float, root: Path = ROOT) -> dict:
    """The three scenarios on one server of checkout `root`; a result dict per scenario."""
    results = {}
    with tempfile.TemporaryDirectory() as home:
        os.environ["LAB_HOME"] = home  # the training's run folder lives in the same throw-away home
        log = Path(home) / "console.log"  # the server's output (the lab's own server.log sits beside it)
        proc, url = start_server(home, root, log)
        seen = 0
        try:
            for name, n, train in (("1_session", 1, False), (f"{sessions}_sessions", sessions, False),
                                   (f"{sessions}_sessions_and_training", sessions, True)):
                run_dir = start_training() if train else None
                with RssPeak(proc.pid) as rss, CpuUse(proc.pid) as cpu:
                    tally = asyncio.run(_scenario(url, n, seconds, timeout_s, on_loaded=cpu.restart))
                errors, seen = _new_tracebacks(log, seen)
                results[name] = summary(tally, rss.peak_mb, errors)
                used = cpu.seconds()
                results[name]["cpu_seconds"] = used
                results[name]["cpu_ms_per_stroke"] = {k: round(1000 * v / max(1, tally.attempted))
                                                      for k, v in used.items()}
                if run_dir:
                    results[name]["training_state_at_end"] = stop_training(run_dir)
        finally:
            stop_server(proc)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="drawing time per scenario")
    parser.add_argument("--sessions", type=int, default=10, help="browser sessions in the crowd scenarios")
    parser.add_argument("--timeout", type=float, default=15, help="seconds after which a stroke counts as lost")
    parser.add_argument("--root", type=Path, default=ROOT, metavar="CHECKOUT",
                        help="serve another checkout of the lab (e.g. the previous commit) for a before/after")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scenarios = run_all(args.seconds, args.sessions, args.timeout, args.root.resolve())
    print(json.dumps({"benchmark": "load", "cpu_count": os.cpu_count(), "root": str(args.root),
                      "seconds_per_scenario": args.seconds,
                      "scenarios": scenarios, "wall_s": round(time.perf_counter() - started, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
