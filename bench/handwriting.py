"""Handwriting benchmark: how fast a drawing becomes a prediction.

1. Server side: canvas PNG (280x280 RGBA, as the canvas component sends it) -> decode ->
   preprocessing -> prediction (`core.handwriting.reading.read`); median and p95 over MNIST test
   digits drawn at canvas size, with the parts (preprocess, model call) and `model.predict` for
   comparison.
2. In the browser: stroke-to-screen, from releasing the mouse after a stroke on the Draw page's
   canvas to the finished page update (Streamlit's `script_finished` message and an idle page).

    python -m bench.handwriting [--images 200] [--strokes 10] [--skip-browser]

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
    return {"canvas_to_prediction": stats(total), "decode_and_preprocess": stats(pre),
            "model_call": stats(call), "model_predict_for_comparison": stats(predict),
            "accuracy_on_canvas_digits": round(right / len(labels), 4)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(home: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, LAB_HOME=home)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("the Streamlit server did not start")


def browser(strokes: int) -> dict:
    """Stroke-to-screen time on the Draw page, in Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished = [0]
    started: list[float] = []      # when the server reported that a script run began
    finished_at: list[float] = []  # when the server reported that it finished

    def on_frame(payload):
        if isinstance(payload, (bytes, bytearray)):
            msg = ForwardMsg()
            try:
                msg.ParseFromString(bytes(payload))
            except Exception:
                return
            kind = msg.WhichOneof("type")
            if kind == "new_session" or (kind == "session_status_changed"
                                         and msg.session_status_changed.script_is_running):
                started.append(time.perf_counter())
            if kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                finished[0] += 1
                finished_at.append(time.perf_counter())

    def wait_run(before: int, page, timeout_s: float = 60) -> bool:
        deadline = time.time() + timeout_s
        while finished[0] <= before:
            if time.time() > deadline:
                return False
            page.wait_for_timeout(5)
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=60_000)
        return True

    chromium = os.environ.get("LAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    launch = {"args": ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]}
    if chromium != "playwright":
        launch["executable_path"] = chromium
    # a 7 in two strokes, then cleared; stroke coordinates in canvas pixels
    shapes = [[(70, 60), (210, 60)], [(210, 60), (120, 235)]]
    with tempfile.TemporaryDirectory() as home:
        proc, url = _start_server(home)
        try:
            with sync_playwright() as pw:
                b = pw.chromium.launch(**launch)
                page = b.new_page(viewport={"width": 1400, "height": 1000})
                page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
                before = finished[0]
                page.goto(f"{url}/draw")
                wait_run(before, page)
                times, missed, to_start, in_script = [], 0, [], []
                while len(times) < strokes and missed < strokes:
                    canvas = page.locator("canvas.upper-canvas").first
                    canvas.wait_for()
                    page.wait_for_timeout(500)  # let the freshly mounted canvas attach its handlers
                    box = canvas.bounding_box()
                    for (x0, y0), (x1, y1) in shapes:
                        page.mouse.move(box["x"] + x0, box["y"] + y0)
                        page.mouse.down()
                        page.mouse.move(box["x"] + x1, box["y"] + y1, steps=10)
                        before = finished[0]
                        t0 = time.perf_counter()
                        page.mouse.up()
                        if wait_run(before, page, timeout_s=30):
                            times.append(time.perf_counter() - t0)
                            run_start = [t for t in started if t >= t0]
                            if run_start:
                                to_start.append(run_start[0] - t0)
                                in_script.append(finished_at[-1] - run_start[0])
                        else:  # the stroke never reached the server: count it, do not time it
                            missed += 1
                    before = finished[0]
                    page.locator(".st-key-draw_canvas_clear button").click()
                    wait_run(before, page)
                b.close()
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    if not times:
        raise RuntimeError("no stroke produced a page update")
    return {"stroke_to_screen": stats(times[:strokes]), "strokes_without_update": missed,
            "mouse_up_to_script_start": stats(to_start) if to_start else None,
            "script_run": stats(in_script) if in_script else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--images", type=int, default=200, help="canvas images for the server-side part")
    parser.add_argument("--strokes", type=int, default=10, help="strokes drawn in the browser")
    parser.add_argument("--skip-browser", action="store_true", help="server-side part only")
    args = parser.parse_args(argv)
    result = {"benchmark": "handwriting", "cpu_count": os.cpu_count(), "server": server_side(args.images)}
    if not args.skip_browser:
        try:
            result["browser"] = browser(args.strokes)
        except Exception as exc:  # no Chromium/Playwright here: report it instead of failing the run
            result["browser"] = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
