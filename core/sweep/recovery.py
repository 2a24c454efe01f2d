"""Recovering trials that a killed process or a dead machine left RUNNING (see `core.sweep.runner`).

A RUNNING trial is dead when it ran on this host and its pid is gone, or, on any host, when its
`heartbeat` user attr (refreshed by `core.sweep.trial.TrialWatch`) is older than `STALE_S`. A dead
trial whose training had finished is completed from its run directory; any other is marked FAIL
with `status=interrupted` (not counted against the budget) and, when it had all its parameters,
enqueued again so that configuration still runs exactly once. A trial killed before it had all its
parameters never trained: grid and linear search plan its configuration again, random and TPE draw
a new one.

A queued (WAITING) trial left once the budget is spent is retired the same way, as interrupted
(`retire_surplus`), so a finished study holds no trial that waits forever.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from core.runs import rundir
from core.runs.liveness import is_alive
from core.sweep import storage
from core.sweep.plan import surplus
from core.sweep.trial import record_metrics

INTERRUPTED = "The sweep process ended while this trial ran; its configuration was queued again."
INTERRUPTED_EARLY = "The sweep process ended before this trial started training."
SURPLUS = "Not run: its configuration had been queued twice, and the sweep's budget was spent first."


def is_dead(trial, name: str, local_only: bool) -> bool:
    """Whether a RUNNING trial's process is gone (see the module docstring)."""
    attrs = trial.user_attrs
    if "pid" not in attrs and local_only:
        # Asked but not yet labelled: on a journal file every worker runs on this host
        return not live_workers(name)
    started = trial.datetime_start.timestamp() if trial.datetime_start else None
    beat = attrs.get("heartbeat") or attrs.get("wall_start") or started
    return not is_alive(attrs.get("host"), attrs.get("pid"), beat)


def recover_stale(store: storage.Store, study, space) -> list[int]:
    """Finish or re-queue the study's RUNNING trials whose process is dead; returns their numbers."""
    optuna = storage.import_optuna()
    local_only = not storage.is_database(store.url)
    recovered = []
    # Study.get_trials (public): FrozenTrial user_attrs, params and datetime_start are all we read
    for t in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        if is_dead(t, store.name, local_only) and settle(store, study, t, space):
            recovered.append(t.number)
    return recovered


def settle(store: storage.Store, study, trial, space) -> bool:
    """Complete or fail one dead trial; False when another process settled it first."""
    optuna = storage.import_optuna()
    set_attr = partial(store.set_trial_attr, trial.number)  # public BaseStorage.set_trial_user_attr
    run_dir = trial.user_attrs.get("run_dir")
    rows = rundir.read_metrics(run_dir) if run_dir else []
    status = rundir.read_json(Path(run_dir) / "status.json", {}) if run_dir else {}
    complete = len(trial.params) == len(space.dimensions)
    try:
        if rows and (status or {}).get("state") == "finished":
            record_metrics(set_attr, rows, trial.user_attrs.get("wall_start"))
            study.tell(trial.number, rows[-1]["test_accuracy"])  # Study.tell accepts a trial number
            return True
        set_attr("status", "interrupted")
        set_attr("error", INTERRUPTED if complete else INTERRUPTED_EARLY)
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
        if run_dir:
            rundir.reconcile(run_dir)  # its run directory says failed too, not running forever
    except (RuntimeError, ValueError):
        # UpdateFinishedTrialError (a RuntimeError) from the storage or ValueError from tell: the
        # trial finished meanwhile, e.g. another worker's recovery got there first; it re-queued it.
        return False
    if complete:
        # Study.enqueue_trial: the next ask anywhere gets exactly these parameters
        study.enqueue_trial(dict(trial.params), user_attrs={"retry_of": trial.number})
    return True


def retire_surplus(store: storage.Store, study, n_trials: int) -> list[int]:
    """Fail as interrupted the queued trials no worker will ask for (see `plan.surplus`); their numbers."""
    optuna = storage.import_optuna()
    retired = []
    for t in surplus(study, n_trials):
        if not store.claim_waiting(t.number):  # a worker asked for it just now: it is that worker's
            continue
        try:
            store.set_trial_attr(t.number, "status", "interrupted")
            store.set_trial_attr(t.number, "error", SURPLUS)
            study.tell(t.number, state=optuna.trial.TrialState.FAIL)
        except (RuntimeError, ValueError):  # another process's recovery settled it first
            continue
        retired.append(t.number)
    return retired


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
