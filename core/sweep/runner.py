"""Running a sweep: set up or resume a study, then train trials through the lab's worker code.

Process model (why): importing TensorFlow costs seconds, so one trial process trains up to
`recycle` trials in a row, clearing the Keras session between them, and is then replaced by a
fresh one to bound Keras' slow memory growth. The driver (`python -m core sweep run`/`work`) never
imports TensorFlow; it spawns trial processes (`python -m core.sweep.runner`) until the budget is
spent or a STOP file appears. Trial processes die with their driver (PR_SET_PDEATHSIG).

Each trial is a normal run directory `<LAB_HOME>/sweeps/<study>/runs/trial-NNNN/` trained by
`core.runs.worker.execute` (kind `train`), so its model opens anywhere in the lab.

Resuming: a trial left RUNNING by a dead process (same host and its pid gone, or on any machine no
heartbeat for STALE_S seconds) is finished from its run directory when that training had already
finished; otherwise it is marked FAIL with user attr `status=interrupted` and its parameters are
enqueued again, so it runs exactly once more and interrupted trials do not count against the
budget. (Optuna's own RDB heartbeat only runs inside `study.optimize`, not in ask/tell loops, so
trials carry their own `heartbeat` user attr.)
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import os
import signal
import socket
import subprocess
import sys
import time

from core.runs import rundir
from core.errors import LabError
from core.paths import ROOT
from core.sweep import storage
from core.sweep.recovery import classify, recover_stale
from core.sweep.space import space_from_dict
from core.sweep.strategies import LinearSearch, default_trials, make_sampler, params_key
from core.sweep.trial import _StopWatch, run_trial

DEFAULT_RECYCLE = 10


def _optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def setup_study(name: str, space, strategy: str, n_trials: int | None, url: str | None = None,
                seed: int = 0):
    """Create study `name` (or check and reuse it), recording space, strategy, budget and hypotheses.

    Returns:
        (study, storage URL).

    Raises:
        LabError: the study exists with a different space or strategy.
    """
    optuna = _optuna()
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


def next_action(study, space, strategy: str, n_trials: int, linear: LinearSearch | None,
                enqueue: bool = True) -> str:
    """What a worker does next: 'ask', 'wait' (for a pending result) or 'done'.

    For linear search a proposal is enqueued (when `enqueue`) so the next `ask` trains it.
    """
    groups = classify(study.get_trials(deepcopy=False))
    counted, running, waiting = groups["counted"], groups["running"], groups["waiting"]
    if len(counted) >= n_trials:
        return "done"
    if waiting:
        return "ask"
    if len(counted) + len(running) >= n_trials:
        return "done"
    if strategy == "grid":
        seen = {params_key(t.params) for t in counted + running}
        grid = space.grid()
        import itertools

        keys = {params_key(dict(zip(grid, combo))) for combo in itertools.product(*grid.values())}
        return "ask" if keys - seen else "done"
    if strategy == "linear":
        results = {params_key(t.params): t.value for t in counted}
        pending = {params_key(t.params) for t in running}
        step, params = linear.plan(results, pending)
        if step == "propose":
            if enqueue:
                study.enqueue_trial(params)
            return "ask"
        return step
    return "ask"


def work(name: str, url: str | None = None, max_trials: int | None = None) -> dict:
    """Train trials of study `name` in this process until the budget, a STOP file, or `max_trials`."""
    optuna = _optuna()
    study = storage.load_study(name, url)
    space, strategy, n_trials, seed = study_settings(study)
    # Grid ids index a seeded shuffle of the grid, so every process must use the study's seed;
    # random and TPE get a per-process seed so recycled processes do not replay the same draws.
    sampler_seed = seed if strategy == "grid" else seed + os.getpid()
    study = optuna.load_study(study_name=name, storage=study._storage,
                              sampler=make_sampler(strategy, space, sampler_seed, n_trials))
    stop_file = storage.study_dir(name) / "STOP"
    watch = _StopWatch(stop_file, study)
    watch.start()
    counts = {"complete": 0, "failed": 0, "interrupted": 0}
    marker = storage.study_dir(name) / "workers" / f"{os.getpid()}.pid"
    marker.parent.mkdir(exist_ok=True)
    marker.touch()
    try:
        _trial_loop(study, space, strategy, n_trials, name, watch, counts, max_trials, stop_file)
    finally:
        marker.unlink(missing_ok=True)
    reason = counts.pop("reason")
    return {"reason": reason if max_trials is None or sum(counts.values()) < max_trials else "recycle",
            **counts}


def _trial_loop(study, space, strategy, n_trials, name, watch, counts, max_trials, stop_file) -> None:
    linear = LinearSearch(space) if strategy == "linear" else None
    reason = "budget"
    while max_trials is None or sum(counts.values()) < max_trials:
        if stop_file.exists():
            reason = "stopped"
            break
        action = next_action(study, space, strategy, n_trials, linear)
        if action == "done":
            reason = "done"
            break
        if action == "wait":
            time.sleep(1.0)
            continue
        result = run_trial(study, space, name, watch)
        counts[result] += 1
        _print_trial(study, result)
        import keras  # already loaded by the trial; imported here so a stopped sweep never pays for it

        keras.backend.clear_session()
        gc.collect()
    counts["reason"] = reason


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


def _die_with_parent():
    """Make this child get SIGKILL when the driver dies, so a killed sweep leaves no orphan trainer."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def drive(name: str, url: str | None = None, recycle: int = DEFAULT_RECYCLE, in_process: bool = False,
          log=None) -> dict:
    """Run study `name` to its end: recover stale trials, then trial processes of `recycle` trials each.

    Args:
        name: the study.
        url: storage URL. Defaults to the one in sweep.json, else the local journal.
        recycle: trials per trial process before it is replaced. Defaults to 10.
        in_process: train in this process instead (tests, benchmarks). Defaults to False.
        log: a writable binary file for the trial processes' output. Defaults to inheriting ours.

    Returns:
        {"reason": done|stopped, "recovered": [...]}.
    """
    url = storage.resolve_url(name, url)
    study = storage.load_study(name, url)
    space = study_settings(study)[0]
    folder = storage.study_dir(name)
    previous = rundir.read_json(folder / "driver.json", {}) or {}
    # launch.start_sweep records our pid and start time before we get here; a Stop clicked since then counts
    started = previous["started"] if previous.get("pid") == os.getpid() else time.time()
    info = {"pid": os.getpid(), "host": socket.gethostname(), "state": "running", "started": started}
    rundir.write_json_atomic(folder / "driver.json", info)
    stop = folder / "STOP"
    if stop.exists() and stop.stat().st_mtime < started:
        stop.unlink(missing_ok=True)  # left over from an earlier, killed run
    reason, failures = "done", 0
    try:
        recovered = recover_stale(study, space)
        if in_process:
            reason = work(name, url)["reason"]
        else:
            env = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
            env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
            strategy, n_trials = study_settings(study)[1:3]
            while True:
                if (folder / "STOP").exists():
                    reason = "stopped"
                    break
                current = storage.load_study(name, url)
                recover_stale(current, space)  # trials of processes or machines that died meanwhile
                if next_action(current, space, strategy, n_trials, LinearSearch(space), enqueue=False) == "done":
                    break
                proc = subprocess.Popen([sys.executable, "-m", "core.sweep.runner", name, "--storage", url,
                                         "--max-trials", str(recycle)], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT if log else None, preexec_fn=_die_with_parent)
                code = proc.wait()
                if code == 0:
                    failures = 0
                    continue
                failures += 1
                if failures >= 3:
                    raise LabError(f"The trial process of study {name!r} crashed {failures} times in a row "
                                   f"(exit code {code}); see {folder / 'sweep.log'}.")
        info.update(state="stopped" if reason == "stopped" else "finished", finished=time.time())
        return {"reason": reason, "recovered": recovered}
    except BaseException as exc:
        info.update(state="failed", finished=time.time(), error=str(exc)[:300])
        raise
    finally:
        rundir.write_json_atomic(folder / "driver.json", info)
        (folder / "STOP").unlink(missing_ok=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.sweep.runner",
                                     description="Train up to N trials of a study in this process.")
    parser.add_argument("study")
    parser.add_argument("--storage", default=None)
    parser.add_argument("--max-trials", type=int, default=DEFAULT_RECYCLE)
    args = parser.parse_args(argv)
    try:
        result = work(args.study, args.storage, args.max_trials)
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"trial process {os.getpid()}: {result}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
