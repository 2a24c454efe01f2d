"""Running a sweep: set up or resume a study, then train trials through the lab's worker code.

Process model (why): importing TensorFlow costs seconds, so one trial process trains up to
`recycle` trials in a row, clearing the Keras session between them, and is replaced by a fresh
one sooner when its memory grew too much (`core.sweep.trial_process`). The driver (`python -m core sweep run`/`work`) never
imports TensorFlow; it spawns trial processes (`python -m core.sweep.runner`) until the budget is
spent or a STOP file appears. Trial processes die with their driver (PR_SET_PDEATHSIG), and every
trial trains through the lab's one training queue (`core.runs.queue`).

Each trial is a normal run directory `<LAB_HOME>/sweeps/<study>/runs/trial-NNNN/` trained by
`core.runs.worker.execute` (kind `train`), so its model opens anywhere in the lab.

Resuming: see `core.sweep.recovery`; the driver recovers dead trials before each trial process,
so a killed worker's trial is picked up by any other worker of the study. The driver beats a
heartbeat (`driver-heartbeat.json`) so the Experiments page can tell a live driver from a dead one.
A database that goes away is waited for (`storage.retry_while_unreachable`): a trial process that
loses it exits with EXIT_STORAGE, and its trial is recovered once the database is back.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from core.errors import LabError
from core.runs import rundir
from core.runs.liveness import Heartbeat, beat_record
from core.runs.processes import end_process, spawn
from core.sweep import storage
from core.sweep.plan import next_action
from core.sweep.recovery import recover_stale, retire_surplus
from core.sweep.space import space_from_dict
from core.sweep.strategies import PLANNED, default_trials, make_sampler
from core.sweep.trial import TrialWatch, run_trial
from core.sweep.trial_process import DEFAULT_RECYCLE, Growth, warm_up

EXIT_STORAGE = 75  # a trial process lost the database (EX_TEMPFAIL): not a crash, wait for it


def setup_study(name: str, space, strategy: str, n_trials: int | None, url: str | None = None,
                seed: int = 0):
    """Create study `name` (or check and reuse it), recording space, strategy, budget and hypotheses.

    Returns:
        (study, storage URL).

    Raises:
        LabError: the study exists with a different space or strategy.
    """
    optuna = storage.import_optuna()
    url = storage.resolve_url(name, url)
    storage.study_dir(name)
    study = optuna.create_study(study_name=name, storage=storage.open_storage(url),
                                direction="maximize", load_if_exists=True)
    attrs = study.user_attrs
    if "space" in attrs:
        if attrs["space"] != space.to_dict() or attrs.get("strategy") != strategy:
            raise LabError(f"Study {name!r} already exists with a different search space or strategy; "
                           "resume it without --space, or choose another --study name.")
    else:
        study.set_user_attr("space", space.to_dict())
        study.set_user_attr("strategy", strategy)
        study.set_user_attr("seed", seed)
        study.set_user_attr("created", time.time())
    budget = n_trials or attrs.get("n_trials") or default_trials(strategy, space)
    study.set_user_attr("n_trials", int(budget))
    study.set_user_attr("hypotheses", space.hypotheses)
    storage.write_sweep_json(name, {"study": name, "storage": url, "strategy": strategy,
                                    "n_trials": int(budget), "seed": seed, "space": space.to_dict(),
                                    "hypotheses": space.hypotheses})
    return study, url


def study_settings(study) -> tuple:
    """(space, strategy, n_trials, seed) recorded in a study's user attrs."""
    attrs = study.user_attrs
    if "space" not in attrs:
        raise LabError(f"Study {study.study_name!r} was not created by `python -m core sweep run`.")
    return (space_from_dict(attrs["space"]), attrs.get("strategy", "random"),
            int(attrs.get("n_trials") or 20), int(attrs.get("seed") or 0))


@dataclass
class _Worker:
    """One trial process's view of its study."""

    name: str
    study: object
    space: object
    strategy: str
    n_trials: int
    watch: TrialWatch
    stop_file: Path
    rng: random.Random


def work(name: str, url: str | None = None, max_trials: int | None = None) -> dict:
    """Train trials of study `name` in this process until the budget, a STOP file, or `max_trials`."""
    store = storage.open_store(name, url)
    space, strategy, n_trials, seed = study_settings(store.study())
    # Random and TPE get a per-process seed so recycled processes do not replay the same draws;
    # grid and linear trials are enqueued, and the rng only spreads parallel workers over the grid.
    sampler = make_sampler(strategy, space, seed + os.getpid(), n_trials)
    stop_file = storage.study_dir(name) / "STOP"
    worker = _Worker(name, store.study(sampler), space, strategy, n_trials, TrialWatch(stop_file, store),
                     stop_file, random.Random(seed + os.getpid()))
    worker.watch.start()
    counts = {"complete": 0, "failed": 0, "interrupted": 0}
    marker = storage.study_dir(name) / "workers" / f"{os.getpid()}.pid"
    marker.parent.mkdir(exist_ok=True)
    marker.touch()
    try:
        reason = _trial_loop(worker, counts, max_trials)
    finally:
        marker.unlink(missing_ok=True)
    if reason == "done":
        retire_surplus(store, worker.study, n_trials)
    if max_trials is not None and sum(counts.values()) >= max_trials or reason == "memory":
        reason = "recycle"
    return {"reason": reason, **counts}


def _trial_loop(w: _Worker, counts: dict, max_trials: int | None) -> str:
    """Ask and train trials until done; returns why it ended (budget, done, stopped or memory)."""
    growth = None
    while max_trials is None or sum(counts.values()) < max_trials:
        if w.stop_file.exists():
            return "stopped"
        action = next_action(w.study, w.space, w.strategy, w.n_trials, rng=w.rng)
        if action == "done":
            return "done"
        if action == "wait":
            time.sleep(1.0)
            continue
        if growth is None:  # only a process that trains pays for TensorFlow
            warm_up(w.space.dataset)
            growth = Growth()
        result = run_trial(w.study, w.space, w.name, w.watch, planned=w.strategy in PLANNED)
        counts[result] += 1
        _print_trial(w.study, result)
        import keras  # loaded by warm_up already

        keras.backend.clear_session()  # includes a full gc.collect, cheap over warm_up's frozen heap
        if growth.too_much() and max_trials is not None:  # in-process work has no next process
            return "memory"
    return "budget"


def _print_trial(study, result: str) -> None:
    """One console/log line for the trial this process just finished."""
    mine = [t for t in study.get_trials(deepcopy=False) if t.user_attrs.get("pid") == os.getpid()]
    if not mine:
        return
    t, attrs = mine[-1], mine[-1].user_attrs
    if attrs.get("test_accuracy") is not None:
        what = f"test accuracy {attrs['test_accuracy']:.4f} in {attrs.get('seconds', 0):.1f} s"
    else:
        what = attrs.get("error", "")
    print(f"trial {t.number} {result}: {what} {t.params}", flush=True)


def _claim_driver(folder: Path) -> dict:
    """Record this process as the study's driver and drop a STOP file left over from a killed run."""
    previous = rundir.read_json(folder / "driver.json", {}) or {}
    # launch.start_sweep records our pid and start time before we get here; a Stop clicked since then counts
    started = previous["started"] if previous.get("pid") == os.getpid() else time.time()
    info = {"pid": os.getpid(), "host": socket.gethostname(), "state": "running", "started": started}
    rundir.write_json_atomic(folder / "driver.json", info)
    stop = folder / "STOP"
    if stop.exists() and stop.stat().st_mtime < started:
        stop.unlink(missing_ok=True)
    return info


def drive(name: str, url: str | None = None, recycle: int = DEFAULT_RECYCLE, in_process: bool = False,
          log=None) -> dict:
    """Run study `name` to its end: recover stale trials, then trial processes of `recycle` trials each.

    Args:
        name: the study.
        url: storage URL. Defaults to the one in sweep.json, else the local journal.
        recycle: trials per trial process at most (it is replaced sooner when its memory grew too
            much, see `core.sweep.trial_process`). Defaults to DEFAULT_RECYCLE.
        in_process: train in this process instead (tests, benchmarks). Defaults to False.
        log: a writable binary file for the trial processes' output. Defaults to inheriting ours.

    Returns:
        {"reason": done|stopped, "recovered": [...]}.
    """
    store = storage.retry_while_unreachable(lambda: storage.open_store(name, url))
    space = study_settings(store.study())[0]
    folder = storage.study_dir(name)
    info = _claim_driver(folder)
    try:
        with Heartbeat(lambda: rundir.write_json_atomic(folder / storage.DRIVER_BEAT, beat_record())):
            recovered = storage.retry_while_unreachable(lambda: recover_stale(store, store.study(), space))
            reason = work(name, store.url)["reason"] if in_process else _process_loop(store, space, recycle, log)
        info.update(state="stopped" if reason == "stopped" else "finished", finished=time.time())
        return {"reason": reason, "recovered": recovered}
    except BaseException as exc:
        info.update(state="failed", finished=time.time(), error=str(exc)[:300])
        raise
    finally:
        rundir.write_json_atomic(folder / "driver.json", info)
        (folder / "STOP").unlink(missing_ok=True)


def _next_step(store: storage.Store, space, strategy: str, n_trials: int) -> str:
    """'work' (start a trial process), 'wait' (other workers' trials still run) or 'done'."""
    current = store.study()
    recover_stale(store, current, space)  # trials of processes or machines that died meanwhile
    if next_action(current, space, strategy, n_trials, enqueue=False) != "done":
        return "work"
    retire_surplus(store, current, n_trials)
    # Wait for the last trials of other workers: one may die and be re-queued, and the summary
    # printed at the end should be the study's final one.
    running = current.get_trials(deepcopy=False, states=(storage.import_optuna().trial.TrialState.RUNNING,))
    return "wait" if running else "done"


def _process_loop(store: storage.Store, space, recycle: int, log) -> str:
    """Start trial processes one after another until the study is done or stopped; returns why."""
    strategy, n_trials = study_settings(store.study())[1:3]
    stop, failures = storage.study_dir(store.name) / "STOP", 0
    while True:
        if stop.exists():
            return "stopped"
        step = storage.retry_while_unreachable(lambda: _next_step(store, space, strategy, n_trials))
        if step == "done":
            return "done"
        if step == "wait":
            time.sleep(2.0)
            continue
        code = spawn("core.sweep.runner", store.name, "--storage", store.url, "--max-trials", str(recycle),
                     log=log, detach=False).wait()
        if code in (0, EXIT_STORAGE):  # EXIT_STORAGE: the next round waits for the database
            failures = 0
            continue
        failures += 1
        if failures >= 3:
            raise LabError(f"The trial process of study {store.name!r} crashed {failures} times in a row "
                           f"(exit code {code}); see {storage.study_dir(store.name) / 'sweep.log'}.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.sweep.runner",
                                     description="Train up to N trials of a study in this process.")
    parser.add_argument("study")
    parser.add_argument("--storage", default=None)
    parser.add_argument("--max-trials", type=int, default=DEFAULT_RECYCLE)
    args = parser.parse_args(argv)
    try:
        result = work(args.study, args.storage, args.max_trials)
    except Exception as exc:
        if storage.is_unreachable(exc):
            print(f"trial process {os.getpid()}: the study's database is unreachable; "
                  "the driver waits for it", file=sys.stderr, flush=True)
            return EXIT_STORAGE
        if isinstance(exc, LabError):
            print(f"error: {exc}", file=sys.stderr)
            return 2
        raise
    print(f"trial process {os.getpid()}: {result}", flush=True)
    return 0


if __name__ == "__main__":
    end_process(main())
