"""Handwriting benchmark: how fast a drawing becomes a prediction.

1. Server side: canvas PNG (280x280 RGBA, as the canvas component sends it) -> decode ->
   preprocessing -> prediction (`core.handwriting.reading.read`); median and p95 over MNIST test
   digits drawn at canvas size, with the parts (preprocess, model call) and `model.predict` for
   comparison.
2. In the browser: stroke-to-screen on the Draw page's canvas and on the Greek page's letter
   canvas, from releasing the mouse after a stroke to the new 28x28 input image shown, with its
   parts (mouse-up to script start, including the canvas component's 200 ms send delay; the
   script run) and the strokes that never produced a reading. `--baseline CHECKOUT` times another
   checkout in the same run (e.g. `git worktree add /tmp/before HEAD~3`) and reports the ratios.

    python -m bench.handwriting [--images 200] [--strokes 10] [--skip-browser] [--baseline DIR]

Prints one JSON object. Needs MNIST (LAB_DATA_DIR or ../shared/data), the shipped default model,
and for part 2 Playwright with Chromium (/usr/bin/chromium or LAB_CHROMIUM).
"""

from __future__ import annotations

import argparse
import io
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("LAB_DATA_DIR") and (ROOT.parent / "shared" / "data" / "mnist.npz").is_file():
    os.environ["LAB_DATA_DIR"] = str(ROOT.parent / "shared" / "data")
sys.path.insert(0, str(ROOT))


def stats(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1000
    return {"median_ms": round(float(np.median(ms)), 2), "p95_ms": round(float(np.percentile(ms, 95)), 2),
            "n": int(len(ms))}


def ratios(now: dict, before: dict) -> dict:
    """Median and p95 stroke-to-screen of `now` divided by `before`, per page (None where missing)."""
    out = {}
    for page in ("draw_page", "greek_page"):
        try:
            a, b = now[page]["stroke_to_screen"], before[page]["stroke_to_screen"]
            out[page] = {k: round(a[k] / b[k], 3) for k in ("median_ms", "p95_ms")}
        except (KeyError, TypeError, ZeroDivisionError):
            out[page] = None
    return out


def canvas_pngs(n: int) -> tuple[list[bytes], np.ndarray]:
    """MNIST test digits as the canvas sends them: 280x280 RGBA PNGs, white ink on black."""
    from PIL import Image

    from core.data.datasets import load_dataset

    data = load_dataset("mnist")
    out = []
    for digit in data.x_test[:n]:
        big = np.asarray(Image.fromarray(digit).resize((280, 280), Image.BILINEAR))
        rgba = np.dstack([big, big, big, np.full_like(big, 255)])
        buf = io.BytesIO()
        Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
        out.append(buf.getvalue())
    return out, data.y_test[:n].astype(int)


def server_side(n: int) -> dict:
    """Latency of canvas PNG -> prediction, and of its parts."""
    from core.handwriting.imageio import decode_image
    from core.nets.modelio import load_model
    from core.handwriting.preprocess import preprocess
    from core.handwriting.reading import read

    model = load_model()
    pngs, labels = canvas_pngs(n)
    read(model, preprocess(decode_image(pngs[0])).image)  # warm-up: first call traces the graph
    model.predict(np.zeros((1, 28, 28, 1), np.float32), verbose=0)
    total, pre, call, predict, right = [], [], [], [], 0
    for png, label in zip(pngs, labels):
        t0 = time.perf_counter()
        image = preprocess(decode_image(png)).image
        t1 = time.perf_counter()
        reading = read(model, image)[0]
        t2 = time.perf_counter()
        total.append(t2 - t0)
        pre.append(t1 - t0)
        call.append(t2 - t1)
        right += reading.label == label
        t3 = time.perf_counter()
        model.predict(image[None, ..., None], verbose=0)
        predict.append(time.perf_counter() - t3)
    return {"canvas_to_prediction": stats(total), "page_work_per_stroke": page_work(pngs),
            "decode_and_preprocess": stats(pre),
            "model_call": stats(call), "model_predict_for_comparison": stats(predict),
            "accuracy_on_canvas_digits": round(right / len(labels), 4)}


def page_work(pngs: list[bytes]) -> dict:
    """The Draw page's whole per-stroke work (decode, preprocess, model, PNGs of every step), uncached."""
    from app.resources import mtime
    from app.shown_input import _shown
    from core.paths import default_model_path

    path = str(default_model_path())
    compute = getattr(_shown, "__wrapped__", _shown)
    compute(pngs[0], "canvas", path, mtime(path))
    times = []
    for png in pngs:
        t0 = time.perf_counter()
        compute(png, "canvas", path, mtime(path))
        times.append(time.perf_counter() - t0)
    return stats(times)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: str, root: Path = ROOT, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """The lab of checkout `root` on a free port with workspace `home`; returns (process, base URL).

    Its output goes to `log` when given (and is discarded otherwise).
    """
    port = _free_port()
    env = dict(os.environ, LAB_HOME=home, PYTHONUNBUFFERED="1")
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(root / "app" / "main.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT)
    if log:
        out.close()  # the child holds its own copy
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.1)  # fine-grained: bench.pages times server start with it
    proc.kill()
    raise RuntimeError("the Streamlit server did not start")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def launch_args() -> dict:
    """Playwright launch options: Debian's Chromium unless LAB_CHROMIUM says otherwise."""
    chromium = os.environ.get("LAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    launch = {"args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]}
    if chromium != "playwright":
        launch["executable_path"] = chromium
    return launch


# The JS that finds the image above a caption: its src (None when absent), or whether a new one shows.
_SRC_JS = """caption => { const c = [...document.querySelectorAll('[data-testid=stImageCaption]')]
  .find(e => e.textContent.trim() === caption); const img = c && c.closest('[data-testid=stImageContainer]')
  ?.querySelector('img'); return img ? img.src : null; }"""
_NEW_JS = """([caption, old]) => { const c = [...document.querySelectorAll('[data-testid=stImageCaption]')]
  .find(e => e.textContent.trim() === caption); const img = c && c.closest('[data-testid=stImageContainer]')
  ?.querySelector('img'); return !!img && img.src !== old && img.complete && img.naturalWidth > 0; }"""


class RunLog:
    """When the server started and finished script runs, read off Streamlit's websocket."""

    def __init__(self):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._msg = ForwardMsg
        self.started: list[float] = []
        self.finished: list[float] = []

    def attach(self, page) -> None:
        page.on("websocket", lambda ws: ws.on("framereceived", self._on_frame))

    def _on_frame(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        msg = self._msg()
        try:
            msg.ParseFromString(bytes(payload))
        except Exception:
            return
        kind = msg.WhichOneof("type")
        if kind == "session_status_changed" and msg.session_status_changed.script_is_running:
            self.started.append(time.perf_counter())
        if kind == "script_finished" and msg.script_finished != self._msg.FINISHED_EARLY_FOR_RERUN:
            self.finished.append(time.perf_counter())

    def split(self, t0: float) -> tuple[float, float] | None:
        """(mouse-up to script start, script run) for the first run that started after `t0`."""
        start = next((t for t in self.started if t >= t0), None)
        end = next((t for t in self.finished if start is not None and t >= start), None)
        return None if end is None else (start - t0, end - start)


def _stroke(page, box, points) -> None:
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=4)


def time_strokes(page, log: RunLog, shapes: list, caption: str, clear_css: str, strokes: int,
                 timeout_s: float = 20) -> dict:
    """Draw `shapes` (one stroke each, canvas pixels) then clear, until `strokes` strokes are timed.

    A stroke's time runs from mouse-up until a new image shows above `caption` (the input the
    network reads), loaded: what a person sees. A stroke with no new image within `timeout_s`
    is counted as lost, not timed.
    """
    times, lost, to_start, in_script = [], 0, [], []
    canvas = page.locator("canvas.upper-canvas").first
    while len(times) < strokes and lost < strokes:
        page.wait_for_timeout(500)  # the old clear mounted a new canvas: give it time to take input
        canvas.wait_for(timeout=120_000)
        box = canvas.bounding_box()
        if box is None:  # replaced while we looked (a remounting canvas): look again
            continue
        for points in shapes:
            old = page.evaluate(_SRC_JS, caption)
            _stroke(page, box, points)
            t0 = time.perf_counter()
            page.mouse.up()
            try:
                page.wait_for_function(_NEW_JS, arg=[caption, old], timeout=timeout_s * 1000)
            except Exception:  # the stroke never changed the reading
                lost += 1
                continue
            times.append(time.perf_counter() - t0)
            split = log.split(t0)
            if split:
                to_start.append(split[0])
                in_script.append(split[1])
        page.locator(clear_css).click()
        page.wait_for_function(f"c => ({_SRC_JS})(c) === null", arg=caption, timeout=timeout_s * 1000)
    if not times:
        raise RuntimeError("no stroke produced a new reading")
    return {"stroke_to_screen": stats(times[:strokes]), "strokes_lost": lost,
            "mouse_up_to_script_start": stats(to_start) if to_start else None,
            "script_run": stats(in_script) if in_script else None}


# a 7 in two strokes on the Draw page (canvas pixels)
SEVEN = [[(70, 60), (210, 60)], [(210, 60), (120, 235)]]


def alpha() -> list:
    """An alpha as the lab's letter generator draws it, then a short tail: two strokes."""
    from core.greek.generator import LETTERS, catmull_rom

    path = [(56 + 168 * x, 56 + 168 * y) for x, y in catmull_rom(np.array(LETTERS["alpha"]), per_segment=8)]
    return [path, [path[-1], (path[-1][0] + 30, path[-1][1] + 25)]]


class PageTimeout(Exception):
    pass


def wait_finished(page, log: RunLog, before: int, timeout_s: float = 300) -> None:
    """Wait for one more finished script run than `before`, then for the app to be idle."""
    deadline = time.time() + timeout_s
    while len(log.finished) <= before:
        if time.time() > deadline:
            raise PageTimeout(f"no finished script run within {timeout_s:.0f} s")
        page.wait_for_timeout(10)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=timeout_s * 1000)


def open_letter_canvas(page, log: RunLog, url: str) -> None:
    """Open the Greek page and its letter canvas: the canvas sits in the "Your own letters" tab, or
    at the end of the page in checkouts from before the page had tabs (`--baseline`)."""
    before = len(log.finished)
    page.goto(url)
    wait_finished(page, log, before)
    tab = page.get_by_role("tab", name="Your own letters", exact=True)
    if tab.count():
        before = len(log.finished)
        tab.click()
        wait_finished(page, log, before)
    page.get_by_role("tab", name="Draw", exact=True).click()


def browser(strokes: int, root: Path = ROOT) -> dict:
    """Stroke-to-screen time on the Draw page's and the Greek page's canvas, in Chromium."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as home:
        proc, url = start_server(home, root)
        try:
            with sync_playwright() as pw:
                b = pw.chromium.launch(**launch_args())
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                log = RunLog()
                log.attach(page)
                page.goto(f"{url}/draw")
                draw = time_strokes(page, log, SEVEN, "What the network sees (28x28)",
                                    ".st-key-draw_canvas_clear button", strokes)
                open_letter_canvas(page, log, f"{url}/greek")
                page.locator("canvas.upper-canvas").first.scroll_into_view_if_needed()
                greek = time_strokes(page, log, alpha(), "drawing (28x28)", ".st-key-greek_canvas_clear button",
                                     strokes)
                b.close()
        finally:
            stop_server(proc)
    return {"draw_page": draw, "greek_page": greek}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=200, help="canvas images for the server-side part")
    parser.add_argument("--strokes", type=int, default=10, help="strokes drawn in the browser")
    parser.add_argument("--skip-browser", action="store_true", help="server-side part only")
    parser.add_argument("--baseline", type=Path, metavar="CHECKOUT",
                        help="also time the browser part on another checkout (e.g. the previous commit), "
                             "in the same run, and report the ratios")
    args = parser.parse_args(argv)
    result = {"benchmark": "handwriting", "cpu_count": os.cpu_count(), "server": server_side(args.images)}
    if not args.skip_browser:
        runs = {"browser": ROOT} if not args.baseline else {"baseline": args.baseline.resolve(), "browser": ROOT}
        for name, root in runs.items():
            try:
                result[name] = browser(args.strokes, root)
            except Exception as exc:  # no Chromium/Playwright here: report it instead of failing the run
                result[name] = {"error": f"{type(exc).__name__}: {exc}"}
        if args.baseline:
            result["ratio_to_baseline"] = ratios(result["browser"], result["baseline"])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
