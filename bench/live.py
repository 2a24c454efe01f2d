"""Live camera benchmark: how many camera frames a second the Live tab reads.

1. Server side: one frame as the Live component sends it (200 px wide JPEG of a shared digit photo, or
   blank paper) -> `read_frame` (decode, preprocessing, model call, box); median and p95.
2. In the browser: Chromium's fake camera plays a clip of the photos; the Live tab is switched on and the
   frames read per second are counted from its "Frame N" caption over `--seconds`, with the CPU time
   the server and the browser spend per frame (little affected by other jobs on a shared machine).

    python -m bench.live [--seconds 20] [--repeats 20] [--skip-browser]

Prints one JSON object, with the load average before and after (the machine is shared: a loaded
machine reads fewer frames). Needs ../shared/data (or LAB_TEST_DATA), the shipped default model, and
for part 2 Playwright with Chromium (/usr/bin/chromium or LAB_CHROMIUM).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.handwriting import ROOT, start_server, stats, stop_server

SHARED = Path(os.environ.get("LAB_TEST_DATA") or ROOT.parent / "shared" / "data")


def server_side(repeats: int) -> dict:
    """Latency of one browser frame -> live reading."""
    from core.handwriting.live import read_frame
    from core.nets.modelio import load_model
    from tests.unit.live_frames import DIGIT_PHOTOS, blank_paper, browser_jpeg, digit_frame

    model = load_model()
    frames = [browser_jpeg(digit_frame(SHARED, d)) for d in sorted(DIGIT_PHOTOS)] + [browser_jpeg(blank_paper())]
    read_frame(model, frames[0])  # warm-up: the first call traces the graph
    times, verdicts = [], []
    for _ in range(repeats):
        for jpeg in frames:
            t0 = time.perf_counter()
            verdicts.append(read_frame(model, jpeg).verdict)
            times.append(time.perf_counter() - t0)
    return {"frame_to_reading": stats(times), "verdicts": verdicts[:len(frames)]}


def _clip(folder: str) -> str:
    from tests.unit.live_frames import DIGIT_PHOTOS, digit_frame, write_y4m

    path = os.path.join(folder, "digits.y4m")
    write_y4m(path, [digit_frame(SHARED, d) for d in sorted(DIGIT_PHOTOS) for _ in range(20)], rate=10)
    return path


def _tree_cpu_seconds(root: int, exclude: int = -1) -> float:
    """CPU seconds (user + system) used so far by `root` and its descendants, leaving out `exclude`'s."""
    parent, cpu = {}, {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parent[int(entry)] = int(fields[1])
        cpu[int(entry)] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def under(pid: int, top: int) -> bool:
        while pid > 1 and pid != top:
            pid = parent.get(pid, 0)
        return pid == top

    return sum(c for pid, c in cpu.items() if under(pid, root) and not under(pid, exclude))


def browser(seconds: float) -> dict:
    """Frames read per second on the Live tab with Chromium's fake camera."""
    from playwright.sync_api import sync_playwright

    def frame_no(page) -> int:
        text = page.get_by_text(re.compile(r"^Frame \d+")).inner_text(timeout=60_000)
        return int(re.search(r"Frame (\d+)", text).group(1))

    chromium = os.environ.get("LAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory() as home:
        launch = {"args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                           "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                           f"--use-file-for-fake-video-capture={_clip(home)}"]}
        if chromium != "playwright":
            launch["executable_path"] = chromium
        proc, url = start_server(home)
        try:
            with sync_playwright() as pw:
                b = pw.chromium.launch(**launch)
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(f"{url}/draw")
                page.get_by_role("tab", name="Live").click(timeout=90_000)
                page.get_by_text("Read the camera live").click()
                first = frame_no(page)
                page.wait_for_timeout(2000)  # let the first frames settle
                n0, t0 = frame_no(page), time.perf_counter()
                cpu0 = _tree_cpu_seconds(proc.pid), _tree_cpu_seconds(os.getpid(), proc.pid)
                page.wait_for_timeout(seconds * 1000)
                n1, t1 = frame_no(page), time.perf_counter()
                cpu1 = _tree_cpu_seconds(proc.pid), _tree_cpu_seconds(os.getpid(), proc.pid)
                b.close()
        finally:
            stop_server(proc)
    frames = max(n1 - n0, 1)
    server_s, browser_s = (b - a for a, b in zip(cpu0, cpu1))
    # CPU time hardly depends on how busy the machine is; the browser's includes playing the video,
    # which goes on between frames, so the CPU-bound rate below is an underestimate
    return {"frames_per_second": round((n1 - n0) / (t1 - t0), 2), "frames": n1 - n0, "first_frame": first,
            "ms_per_frame": round(1000 * (t1 - t0) / frames, 1),
            "cpu_ms_per_frame": {"server": round(1000 * server_s / frames, 1),
                                 "browser": round(1000 * browser_s / frames, 1)},
            "cores_used": {"server": round(server_s / (t1 - t0), 2), "browser": round(browser_s / (t1 - t0), 2)},
            "cpu_bound_fps": round(frames / (server_s + browser_s), 2)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long the browser part counts frames")
    parser.add_argument("--repeats", type=int, default=20, help="passes over the frames, server side")
    parser.add_argument("--skip-browser", action="store_true", help="server-side part only")
    args = parser.parse_args(argv)
    result = {"benchmark": "live", "cpu_count": os.cpu_count(), "load_before": os.getloadavg()[0],
              "server": server_side(args.repeats)}
    if not args.skip_browser:
        try:
            result["browser"] = browser(args.seconds)
        except Exception as exc:  # no Chromium/Playwright here: report it instead of failing the run
            result["browser"] = {"error": f"{type(exc).__name__}: {exc}"}
    result["load_after"] = os.getloadavg()[0]
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
