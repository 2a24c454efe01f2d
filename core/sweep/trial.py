"""One sweep trial: ask Optuna, train through the lab's worker code, record the results, tell Optuna.

Also `TrialWatch`: the running trial's heartbeat and the forwarding of a study's STOP file to it.
Only public Optuna calls: `study.ask`/`tell`/`enqueue_trial`, `Trial.suggest_*`/`set_user_attr`/
`report`, and for the heartbeat (another thread) `Store.set_trial_attr` on our own storage object.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

from core.runs import rundir
from core.runs.liveness import HEARTBEAT_S
from core.sweep import storage
from core.sweep.plan import duplicate_of

METRIC_KEYS = ("test_accuracy", "train_accuracy", "test_loss", "train_loss")
_PARAM_COUNT_SHAPES: dict = {}


def record_metrics(set_attr, rows: list, wall_start=None) -> None:
    """Store a finished training's results as trial user attrs through `set_attr(key, value)`."""
    last = rows[-1]
    for key in METRIC_KEYS:
        set_attr(key, float(last[key]))
    set_attr("seconds", float(sum(r.get("fit_seconds", r["seconds"]) for r in rows)))
    set_attr("epochs_done", len(rows))
    if wall_start:
        set_attr("wall_seconds", time.time() - wall_start)
    set_attr("status", "complete")


def count_params(net, dataset: str) -> int:
    """Trainable + fixed parameter count of the trial's network, worked out from its config.

    `core.nets.summary.summarize_config` counts what `build_model` would make (checked against Keras
    in the tests) without building a second Keras model per trial (0.15-0.3 s each on 2 cores).

    Raises:
        LabError: the network is invalid for the dataset (e.g. its image shrinks below 1x1).
    """
    from core.data.datasets import load_dataset
    from core.nets.summary import summarize_config

    if dataset not in _PARAM_COUNT_SHAPES:
        data = load_dataset(dataset)  # read once per process; the trial's training reuses it
        shape = data.image_shape if len(data.image_shape) == 3 else data.image_shape + (1,)
        _PARAM_COUNT_SHAPES[dataset] = (shape, data.num_classes)
    shape, classes = _PARAM_COUNT_SHAPES[dataset]
    return int(summarize_config(net.with_overrides(input_shape=shape, num_classes=classes))["total_params"])


class TrialWatch(threading.Thread):
    """Forwards the study's STOP file to the running trial's run directory (stops within a batch),
    and beats the running trial's `heartbeat` user attr so any machine can tell a live trial from a
    dead one. (Optuna's own RDB heartbeat only runs inside `study.optimize`, not in ask/tell loops.)"""

    def __init__(self, stop_file: Path, store: storage.Store):
        super().__init__(daemon=True)
        self.stop_file, self.store = stop_file, store
        self.run_dir: Path | None = None
        self.number: int | None = None

    def run(self):
        last_beat = 0.0
        while True:
            if self.stop_file.exists() and self.run_dir is not None:
                rundir.request_stop(self.run_dir)
            number = self.number
            if number is not None and time.time() - last_beat > HEARTBEAT_S:
                try:
                    self.store.set_trial_attr(number, "heartbeat", time.time())
                    last_beat = time.time()
                except Exception:  # finished meanwhile, or the database is restarting: beat again soon
                    pass
            time.sleep(0.3)

    def follow(self, number: int | None, run_dir: Path | None = None) -> None:
        """Beat for trial `number` (None: no trial) and forward STOP to `run_dir`."""
        self.number, self.run_dir = number, run_dir


def _fail(study, trial, status: str, error: str) -> str:
    trial.set_user_attr("status", status)
    trial.set_user_attr("error", error)
    study.tell(trial, state=storage.import_optuna().trial.TrialState.FAIL)
    return "interrupted" if status == "interrupted" else "failed"


def _prepare(study, trial, space, study_name: str, planned: bool):
    """Suggest every parameter, then (only then) label the trial with its run directory and config.

    Returns:
        (params, run_dir), or (params, None) when an earlier trial already has these parameters.
    """
    from core.runs.training import make_train_config

    params = space.suggest(trial)
    if planned and duplicate_of(study, trial.number, params, len(space.dimensions)) is not None:
        return params, None
    name = f"trial-{trial.number:04d}"
    net = space.network(params, name=f"{study_name}-{name}")
    run_dir = storage.study_dir(study_name) / "runs" / name
    run_dir.mkdir(parents=True, exist_ok=False)
    trial.set_user_attr("param_count", count_params(net, space.dataset))
    rundir.write_config(run_dir, make_train_config(
        net, dataset=space.dataset, train_subset=space.train_subset, test_subset=space.test_subset,
        sweep={"study": study_name, "trial": trial.number, "params": params}))
    trial.set_user_attr("run_dir", str(run_dir))  # the mark that this trial's training has begun
    return params, run_dir


def _train(trial, run_dir: Path, watch: TrialWatch | None) -> dict:
    """Train the trial's run directory in this process (through the training queue), reporting epochs."""
    from core.runs.worker import execute

    reported = []

    def report_new():
        for row in rundir.read_metrics(run_dir)[len(reported):]:
            trial.report(row["test_accuracy"], row["epoch"])
            reported.append(row)

    def reporter(epoch, epochs, batch, batches):
        if batch == 0:  # a new epoch began: report the finished ones to Optuna
            report_new()

    if watch is not None:
        watch.follow(trial.number, run_dir)
    try:
        status = execute(run_dir, reporter=reporter, queue=True)
    finally:
        if watch is not None:
            watch.follow(trial.number)
    report_new()
    return status


def run_trial(study, space, study_name: str, watch: TrialWatch | None = None, planned: bool = False) -> str:
    """Ask for one trial, train it, tell Optuna; returns complete|failed|interrupted.

    Args:
        planned: the strategy enqueues every configuration (grid, linear), so two workers may have
            planned the same one: the later trial then steps aside as interrupted.
    """
    from core.runs.worker import describe_error

    trial = study.ask()
    wall_start = time.time()
    if watch is not None:
        watch.follow(trial.number)
    try:
        for key, value in (("host", socket.gethostname()), ("pid", os.getpid()), ("wall_start", wall_start)):
            trial.set_user_attr(key, value)
        try:
            params, run_dir = _prepare(study, trial, space, study_name, planned)
        except Exception as exc:  # an invalid combination (e.g. the image shrinks below 1x1) fails this trial only
            return _fail(study, trial, "failed", describe_error(exc))
        if run_dir is None:
            return _fail(study, trial, "interrupted", "Another worker took this configuration first.")
        status = _train(trial, run_dir, watch)
    finally:
        if watch is not None:
            watch.follow(None)
    return _conclude(study, trial, params, run_dir, status, wall_start)


def _conclude(study, trial, params: dict, run_dir: Path, status: dict, wall_start: float) -> str:
    rows = rundir.read_metrics(run_dir)
    if status.get("state") == "finished" and rows:
        record_metrics(trial.set_user_attr, rows, wall_start)
        study.tell(trial, rows[-1]["test_accuracy"])
        return "complete"
    if status.get("state") == "stopped":
        result = _fail(study, trial, "interrupted", "Stopped by the user; the configuration was queued again.")
        study.enqueue_trial(params, user_attrs={"retry_of": trial.number})
        return result
    return _fail(study, trial, "failed", status.get("error") or "The training failed.")
