"""The run directory: the contract between a training worker and everything that watches it.

Layout of one run directory::

    config.json      what to train (kind, network config, dataset, subset); written once
    status.json      state (queued/running/finished/stopped/failed), pid, times, error; atomic
    metrics.jsonl    one JSON line per finished epoch (train/test loss and accuracy, seconds)
    progress.json    batch progress within the current epoch, for progress bars; atomic
    model.keras      the model after the last finished epoch; replaced atomically
    filters/         first-layer kernel and bias after each epoch (epoch_000 = initial weights)
    histograms/      every weight tensor's histogram after each epoch (see core.examine.histograms)
    worker.log       the worker's own output
    STOP             created by anyone who wants the worker to stop after its current batch

Nothing here imports TensorFlow, so pages can poll runs cheaply.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from core import files
from core.errors import LabError

ACTIVE_STATES = ("queued", "running")
FINAL_STATES = ("finished", "stopped", "failed")


def write_json_atomic(path: Path, data) -> None:
    """Write JSON to `path` through a temporary file and a rename, so readers never see half a file."""
    files.write_json_atomic(path, data)


def read_json(path: Path, default=None):
    """Read a JSON file, or `default` when it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return default


def new_run_dir(root: Path, label: str) -> Path:
    """Create a fresh, uniquely named run directory under `root`."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in label)[:40] or "run"
    for n in range(1000):
        path = root / (f"{stamp}-{safe}" + (f"-{n}" if n else ""))
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise files.write_failed(exc, path) from None
    raise LabError(f"Could not create a run directory in {root}.")


def write_config(run_dir: Path, config: dict) -> None:
    write_json_atomic(Path(run_dir) / "config.json", config)


def read_config(run_dir: Path) -> dict:
    """The run's config; raises `LabError` when it is missing or corrupt."""
    data = read_json(Path(run_dir) / "config.json")
    if not isinstance(data, dict):
        raise LabError(f"{run_dir} is not a run directory (no readable config.json).")
    return data


def write_status(run_dir: Path, **fields) -> dict:
    """Merge `fields` into status.json (atomically) and return the new status."""
    path = Path(run_dir) / "status.json"
    status = read_json(path, {}) or {}
    status.update(fields)
    status["updated"] = time.time()
    write_json_atomic(path, status)
    return status


def pid_alive(pid) -> bool:
    """Whether a process with this pid exists and is not a zombie."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def read_status(run_dir: Path) -> dict:
    """The run's status; a queued/running run whose worker has died is reported (and recorded) as failed."""
    run_dir = Path(run_dir)
    status = read_json(run_dir / "status.json", None)
    if not isinstance(status, dict):
        return {"state": "failed", "error": "status.json is missing or unreadable"}
    if (status.get("state") in ACTIVE_STATES and status.get("host") == socket.gethostname()
            and not pid_alive(status.get("pid"))):
        # Re-read first: the worker may have finished between our read and the liveness check.
        status = read_json(run_dir / "status.json", status)
        if status.get("state") in ACTIVE_STATES:
            status = write_status(
                run_dir, state="failed", finished=time.time(),
                error="The worker process ended unexpectedly (killed or crashed). "
                      "Epochs finished before that are kept.",
            )
    return status


def append_metrics(run_dir: Path, row: dict, group: files.AtomicGroup | None = None) -> None:
    """Add one epoch's metrics line; the file is rewritten atomically, so a full disk tears no line.

    Args:
        run_dir: the run directory.
        row: the epoch's metrics.
        group: stage the new file in this group (renamed with the epoch's other saves). Defaults to
            None: written at once.
    """
    path = Path(run_dir) / "metrics.jsonl"
    lines = "".join(json.dumps(r) + "\n" for r in read_metrics(run_dir) + [row])
    if group is None:
        files.write_text_atomic(path, lines)
    else:
        group.stage(path).write_text(lines, encoding="utf-8")


def read_metrics(run_dir: Path) -> list[dict]:
    """All complete metric lines; a torn last line (from a kill mid-write) is ignored."""
    rows = []
    try:
        with open(Path(run_dir) / "metrics.jsonl", encoding="utf-8") as fh:
            for line in fh:
                try:
                    rows.append(json.loads(line))
                except ValueError:
                    continue
    except OSError:
        pass
    return rows


def write_progress(run_dir: Path, **fields) -> None:
    write_json_atomic(Path(run_dir) / "progress.json", fields)


def read_progress(run_dir: Path) -> dict:
    return read_json(Path(run_dir) / "progress.json", {}) or {}


def request_stop(run_dir: Path) -> None:
    """Ask the worker to stop after its current batch."""
    (Path(run_dir) / "STOP").touch()


def stop_requested(run_dir: Path) -> bool:
    return (Path(run_dir) / "STOP").exists()


def save_epoch_filters(run_dir: Path, epoch: int, kernel: np.ndarray, bias: np.ndarray,
                       group: files.AtomicGroup | None = None) -> None:
    """Store first-layer kernel (kh, kw, in, out) and bias after `epoch` (0 = before training).

    With `group`, the file is staged there and appears together with the epoch's other saves.
    """
    path = Path(run_dir) / "filters" / f"epoch_{epoch:03d}.npz"
    if group is None:
        files.atomic_write(path, lambda tmp: np.savez(tmp, kernel=kernel, bias=bias))
    else:
        np.savez(group.stage(path), kernel=kernel, bias=bias)


def load_epoch_filters(run_dir: Path) -> dict[int, dict]:
    """{epoch: {"kernel": ..., "bias": ...}} for every epoch whose first-layer weights were saved."""
    out = {}
    for path in sorted((Path(run_dir) / "filters").glob("epoch_*.npz")):
        try:
            with np.load(path, allow_pickle=False) as data:
                out[int(path.stem.split("_")[1])] = {"kernel": data["kernel"], "bias": data["bias"]}
        except (OSError, ValueError, KeyError):
            continue
    return out


def summarize(run_dir: Path) -> dict:
    """One row for a runs table: name, state, dataset, preset, epochs, best test accuracy, times."""
    run_dir = Path(run_dir)
    config = read_json(run_dir / "config.json", {}) or {}
    status = read_status(run_dir)
    metrics = read_metrics(run_dir)
    net = config.get("net", {}) or {}
    best = max((m.get("test_accuracy", 0.0) for m in metrics), default=None)
    started, finished = status.get("started"), status.get("finished")
    end = finished or (time.time() if status.get("state") in ACTIVE_STATES else None)
    return {
        "run": run_dir.name,
        "path": str(run_dir),
        "kind": config.get("kind", "train"),
        "state": status.get("state", "unknown"),
        "dataset": config.get("dataset", ""),
        "preset": net.get("name", ""),
        "epochs_done": len(metrics),
        "epochs": config.get("epochs") or net.get("epochs"),
        "best_test_accuracy": best,
        "last_test_accuracy": metrics[-1].get("test_accuracy") if metrics else None,
        "duration_s": (end - started) if started and end else None,
        "started": started or status.get("created"),
        "has_model": (run_dir / "model.keras").is_file(),
        "error": status.get("error"),
    }


def list_runs(root: Path) -> list[dict]:
    """Summaries of every run directory under `root`, newest first."""
    root = Path(root)
    if not root.is_dir():
        return []
    rows = [summarize(p) for p in root.iterdir() if (p / "config.json").is_file()]
    return sorted(rows, key=lambda r: r.get("started") or 0, reverse=True)


def delete_run(run_dir: Path) -> None:
    """Delete a run directory; refuses while its worker is alive."""
    run_dir = Path(run_dir)
    if read_status(run_dir).get("state") in ACTIVE_STATES:
        raise LabError("This run is still active: stop it before deleting it.")
    if not (run_dir / "config.json").is_file():
        raise LabError(f"{run_dir} is not a run directory.")
    shutil.rmtree(run_dir)
