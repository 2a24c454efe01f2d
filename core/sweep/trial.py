"""One sweep trial: ask Optuna, train through the lab's worker code, record the results, tell Optuna.

Also the trial's heartbeat and the forwarding of a study's STOP file to the running trial.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

from core.runs import rundir
from core.sweep import storage

HEARTBEAT_S = 30  # a running trial's `heartbeat` user attr is refreshed this often


def _optuna():
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def _set_attr(study, trial_id: int, key: str, value) -> None:
    study._storage.set_trial_user_attr(trial_id, key, value)

def _record_metrics(study, trial_id: int, rows: list, wall_start=None) -> None:
    last = rows[-1]
    for key in ("test_accuracy", "train_accuracy", "test_loss", "train_loss"):
        _set_attr(study, trial_id, key, float(last[key]))
    _set_attr(study, trial_id, "seconds", float(sum(r.get("fit_seconds", r["seconds"]) for r in rows)))
    _set_attr(study, trial_id, "epochs_done", len(rows))
    if wall_start:
        _set_attr(study, trial_id, "wall_seconds", time.time() - wall_start)
    _set_attr(study, trial_id, "status", "complete")


_PARAM_COUNT_SHAPES: dict = {}


def count_params(net, dataset: str) -> int:
    """Trainable + fixed parameter count of the trial's network (built, not trained)."""
    from core.data.datasets import load_dataset
    from core.nets.network import build_model

    if dataset not in _PARAM_COUNT_SHAPES:
        data = load_dataset(dataset)
        shape = data.image_shape if len(data.image_shape) == 3 else data.image_shape + (1,)
        _PARAM_COUNT_SHAPES[dataset] = (shape, data.num_classes)
    shape, classes = _PARAM_COUNT_SHAPES[dataset]
    return int(build_model(net.with_overrides(input_shape=shape, num_classes=classes),
                           compile=False).count_params())


class _StopWatch(threading.Thread):
    """Forwards the study's STOP file to the running trial's run directory (stops within a batch),
    and beats the running trial's heartbeat so other machines can tell a live trial from a dead one."""

    def __init__(self, stop_file: Path, study=None):
        super().__init__(daemon=True)
        self.stop_file, self.run_dir, self.study, self.trial_id = stop_file, None, study, None

    def run(self):
        last_beat = 0.0
        while True:
            if self.stop_file.exists() and self.run_dir is not None:
                rundir.request_stop(self.run_dir)
            trial_id = self.trial_id
            if self.study is not None and trial_id is not None and time.time() - last_beat > HEARTBEAT_S:
                try:
                    _set_attr(self.study, trial_id, "heartbeat", time.time())
                    last_beat = time.time()
                except Exception:  # a finished trial refuses writes; the next trial gets beats
                    pass
            time.sleep(0.3)


def run_trial(study, space, study_name: str, watch: _StopWatch | None = None) -> str:
    """Ask for one trial, train it, tell Optuna; returns complete|failed|interrupted."""
    optuna = _optuna()
    from core.runs.training import make_train_config
    from core.runs.worker import execute

    trial = study.ask()
    wall_start = time.time()
    trial.set_user_attr("host", socket.gethostname())
    trial.set_user_attr("pid", os.getpid())
    trial.set_user_attr("wall_start", wall_start)
    name = f"trial-{trial.number:04d}"
    try:
        params = space.suggest(trial)
        net = space.network(params, name=f"{study_name}-{name}")
        run_dir = storage.study_dir(study_name) / "runs" / name
        run_dir.mkdir(parents=True, exist_ok=False)
        trial.set_user_attr("run_dir", str(run_dir))
        trial.set_user_attr("param_count", count_params(net, space.dataset))
        rundir.write_config(run_dir, make_train_config(
            net, dataset=space.dataset, train_subset=space.train_subset, test_subset=space.test_subset,
            sweep={"study": study_name, "trial": trial.number, "params": params}))
    except Exception as exc:  # an invalid combination (e.g. the image shrinks below 1x1) fails this trial only
        from core.runs.worker import describe_error

        trial.set_user_attr("status", "failed")
        trial.set_user_attr("error", describe_error(exc))
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        return "failed"
    reported = []

    def reporter(epoch, epochs, batch, batches):
        if batch == 0:  # a new epoch began: report the finished ones to Optuna
            for row in rundir.read_metrics(run_dir)[len(reported):]:
                trial.report(row["test_accuracy"], row["epoch"])
                reported.append(row)

    if watch is not None:
        watch.run_dir, watch.trial_id = run_dir, trial._trial_id
    try:
        status = execute(run_dir, reporter=reporter)
    finally:
        if watch is not None:
            watch.run_dir = watch.trial_id = None
    rows = rundir.read_metrics(run_dir)
    for row in rows[len(reported):]:
        trial.report(row["test_accuracy"], row["epoch"])
    if status.get("state") == "finished" and rows:
        _record_metrics(study, trial._trial_id, rows, wall_start)
        study.tell(trial, rows[-1]["test_accuracy"])
        return "complete"
    if status.get("state") == "stopped":
        trial.set_user_attr("status", "interrupted")
        trial.set_user_attr("error", "Stopped by the user; the configuration was queued again.")
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        study.enqueue_trial(params, user_attrs={"retry_of": trial.number})
        return "interrupted"
    trial.set_user_attr("status", "failed")
    trial.set_user_attr("error", status.get("error") or "The training failed.")
    study.tell(trial, state=optuna.trial.TrialState.FAIL)
    return "failed"
