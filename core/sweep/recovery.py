"""Recovering trials that a killed process or a dead machine left RUNNING (see `core.sweep.runner`)."""

from __future__ import annotations

import socket
import time
from pathlib import Path

from core.runs import rundir
from core.sweep import storage
from core.sweep.strategies import make_sampler
from core.sweep.trial import _optuna, _record_metrics, _set_attr

STALE_S = 180  # a RUNNING trial whose heartbeat is older than this is taken as dead, on any machine


def is_interrupted(trial, retried: set) -> bool:
    """Whether a FAIL trial was cut short (killed or stopped) rather than failing on its own."""
    return trial.user_attrs.get("status") == "interrupted" or trial.number in retried


def classify(trials) -> dict:
    """Trials split into counted (finished for the budget), running, waiting and interrupted."""
    optuna = _optuna()
    S = optuna.trial.TrialState
    retried = {t.system_attrs.get("failed_trial") for t in trials if "failed_trial" in t.system_attrs}
    out = {"counted": [], "running": [], "waiting": [], "interrupted": []}
    for t in trials:
        if t.state == S.RUNNING:
            out["running"].append(t)
        elif t.state == S.WAITING:
            out["waiting"].append(t)
        elif t.state == S.FAIL and is_interrupted(t, retried):
            out["interrupted"].append(t)
        else:
            out["counted"].append(t)
    return out



def recover_stale(study, space=None) -> list[int]:
    """Finish or re-queue trials left RUNNING by dead processes on this host; returns their numbers."""
    optuna = _optuna()
    host, recovered = socket.gethostname(), []
    local_only = isinstance(study._storage, optuna.storages.JournalStorage)
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        pid = t.user_attrs.get("pid")
        beat = t.user_attrs.get("heartbeat") or t.user_attrs.get("wall_start")
        if beat and time.time() - beat > STALE_S:
            pass  # no sign of life for minutes: its machine or process is gone
        elif pid is None:
            # Asked but not yet labelled: stale only if no trial process of this study is alive here
            # (a database study may have it on another machine: its heartbeat covers that case).
            if not local_only or live_workers(study.study_name):
                continue
        elif t.user_attrs.get("host") != host or rundir.pid_alive(pid):
            continue
        run_dir = t.user_attrs.get("run_dir")
        rows = rundir.read_metrics(run_dir) if run_dir else []
        status = rundir.read_json(Path(run_dir) / "status.json", {}) if run_dir else {}
        if rows and status.get("state") == "finished":
            _record_metrics(study, t._trial_id, rows, t.user_attrs.get("wall_start"))
            study.tell(t.number, rows[-1]["test_accuracy"])
        else:
            _set_attr(study, t._trial_id, "status", "interrupted")
            _set_attr(study, t._trial_id, "error", "The sweep process ended while this trial ran; "
                      "its configuration was queued again.")
            study.tell(t.number, state=optuna.trial.TrialState.FAIL)
            params = _full_params(t, space, study.user_attrs.get("seed") or 0)
            if params:
                study.enqueue_trial(params, user_attrs={"retry_of": t.number})
        recovered.append(t.number)
    return recovered


def live_workers(name: str) -> list[int]:
    """Pids of this host's trial processes of study `name` that are still alive."""
    folder = storage.study_dir(name) / "workers"
    pids = []
    for path in folder.glob("*.pid") if folder.is_dir() else []:
        try:
            pid = int(path.stem)
        except ValueError:
            continue
        if rundir.pid_alive(pid):
            pids.append(pid)
        else:
            path.unlink(missing_ok=True)
    return pids


def _full_params(trial, space, seed: int = 0) -> dict | None:
    """The trial's parameters, rebuilt from its grid id when it was killed before suggesting them all."""
    if space is None or len(trial.params) == len(space.dimensions):
        return dict(trial.params) or None
    gid = trial.system_attrs.get("grid_id")
    if gid is None:
        return None
    sampler = make_sampler("grid", space, seed)
    return dict(zip(sampler._param_names, sampler._all_grids[gid]))
