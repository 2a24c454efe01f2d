"""Recovering dead trials through Optuna's public API, on the journal file and on SQLite."""

import socket
import subprocess
import time

import pytest

from core.runs import rundir
from core.runs.liveness import STALE_S
from core.sweep import plan, recovery, runner, storage
from core.sweep.space import space_from_dict
from core.sweep.strategies import params_key

SPACE = {"name": "rec", "base": "assignment", "epochs": 1,
         "dimensions": {"filters": [4, 8], "dense_units": [16, 32]}}


@pytest.fixture(params=["journal", "sqlite"])
def study(request, tmp_path):
    """A fresh 4-point grid study on the journal file or on an SQLite database."""
    name = f"rec-{request.param}-{time.time_ns()}"
    url = None if request.param == "journal" else f"sqlite:///{tmp_path / 'sweeps.db'}"
    space = space_from_dict(SPACE)
    runner.setup_study(name, space, "grid", None, url)
    store = storage.open_store(name, url)
    return store, store.study(), space


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _asked(study, params: dict, host=None, pid=None, heartbeat=None):
    """A trial as a worker leaves it when it dies after suggesting `params` (all or some)."""
    study.enqueue_trial(params)
    trial = study.ask()
    trial.set_user_attr("host", host or socket.gethostname())
    trial.set_user_attr("pid", pid or _dead_pid())
    trial.set_user_attr("wall_start", heartbeat or time.time())
    if heartbeat:
        trial.set_user_attr("heartbeat", heartbeat)
    for name, values in (("filters", [4, 8]), ("dense_units", [16, 32])):
        if name in params:
            trial.suggest_categorical(name, values)
    return trial


def _by_number(study, number):
    return next(t for t in study.get_trials() if t.number == number)


def test_a_trial_killed_mid_training_is_failed_and_its_configuration_queued_once(study, tmp_path):
    store, s, space = study
    trial = _asked(s, {"filters": 8, "dense_units": 16})
    run_dir = rundir.new_run_dir(tmp_path, "trial")
    rundir.write_status(run_dir, state="running", pid=trial.user_attrs["pid"], host=socket.gethostname())
    trial.set_user_attr("run_dir", str(run_dir))
    assert recovery.recover_stale(store, s, space) == [trial.number]
    dead = _by_number(s, trial.number)
    assert dead.state.name == "FAIL" and dead.user_attrs["status"] == "interrupted"
    waiting = [t for t in s.get_trials() if t.state.name == "WAITING"]
    assert len(waiting) == 1 and waiting[0].user_attrs["retry_of"] == trial.number
    assert rundir.read_json(run_dir / "status.json")["state"] == "failed"  # its run says so too
    assert recovery.recover_stale(store, s, space) == []  # nothing twice


def test_a_trial_whose_training_finished_is_completed_from_its_run_directory(study, tmp_path):
    store, s, space = study
    trial = _asked(s, {"filters": 4, "dense_units": 32})
    run_dir = rundir.new_run_dir(tmp_path, "trial")
    rundir.append_metrics(run_dir, {"epoch": 1, "train_loss": 0.5, "train_accuracy": 0.8, "test_loss": 0.6,
                                    "test_accuracy": 0.75, "seconds": 2.0})
    rundir.write_status(run_dir, state="finished")
    trial.set_user_attr("run_dir", str(run_dir))
    assert recovery.recover_stale(store, s, space) == [trial.number]
    done = _by_number(s, trial.number)
    assert done.state.name == "COMPLETE" and done.value == 0.75
    assert done.user_attrs["test_accuracy"] == 0.75 and done.user_attrs["status"] == "complete"
    assert not [t for t in s.get_trials() if t.state.name == "WAITING"]


def test_a_trial_killed_between_two_suggestions_is_planned_again_not_queued_half(study):
    store, s, space = study
    trial = _asked(s, {"filters": 8})  # killed after its first suggestion: partial parameters
    assert recovery.recover_stale(store, s, space) == [trial.number]
    dead = _by_number(s, trial.number)
    assert dead.state.name == "FAIL" and dead.user_attrs["status"] == "interrupted"
    assert not [t for t in s.get_trials() if t.state.name == "WAITING"]
    assert plan.next_action(s, space, "grid", 4) == "ask"
    (proposal,) = [t for t in s.get_trials() if t.state.name == "WAITING"]
    grid = {params_key({"filters": f, "dense_units": d}) for f in (4, 8) for d in (16, 32)}
    asked = s.ask()
    params = space.suggest(asked)
    assert params_key(params) in grid and len(params) == 2


def test_another_hosts_trial_counts_as_dead_only_once_its_heartbeat_is_stale(study):
    store, s, space = study
    live = _asked(s, {"filters": 4, "dense_units": 16}, host="another-machine", pid=4242,
                  heartbeat=time.time() - 5)
    assert recovery.recover_stale(store, s, space) == []
    store.set_trial_attr(live.number, "heartbeat", time.time() - STALE_S - 5)
    assert recovery.recover_stale(store, s, space) == [live.number]


def test_two_recoverers_racing_settle_a_trial_once(study):
    store, s, space = study
    trial = _asked(s, {"filters": 4, "dense_units": 16})
    (frozen,) = s.get_trials(states=(storage.import_optuna().trial.TrialState.RUNNING,))
    assert recovery.settle(store, s, frozen, space) is True
    assert recovery.settle(store, s, frozen, space) is False  # the second one sees it finished
    assert len([t for t in s.get_trials() if t.state.name == "WAITING"]) == 1
    assert _by_number(s, trial.number).state.name == "FAIL"


def test_of_two_workers_planning_the_same_point_the_earlier_trial_keeps_it(study):
    store, s, space = study
    first = _asked(s, {"filters": 4, "dense_units": 16}, pid=4242)
    second = _asked(s, {"filters": 4, "dense_units": 16}, pid=4243)
    params = {"filters": 4, "dense_units": 16}
    assert plan.duplicate_of(s, second.number, params, 2) == first.number
    assert plan.duplicate_of(s, first.number, params, 2) is None
    assert plan.duplicate_of(s, second.number, {"filters": 8, "dense_units": 16}, 2) is None


def _complete(study, params: dict, value: float = 0.5):
    trial = _asked(study, params)
    study.tell(trial, value)
    return trial


GRID = [{"filters": f, "dense_units": d} for f in (4, 8) for d in (16, 32)]


def _waiting(study) -> list:
    return [t for t in study.get_trials() if t.state.name == "WAITING"]


@pytest.mark.parametrize("in_process", [True, False], ids=["worker", "driver"])
def test_a_configuration_queued_twice_leaves_no_trial_waiting_once_the_budget_is_spent(study, in_process):
    # a recovery re-queued a dead trial's point while another worker planned it too; one copy trained
    store, s, space = study
    for params in GRID:
        _complete(s, params)
    s.enqueue_trial(GRID[-1])
    (surplus,) = _waiting(s)
    assert runner.drive(store.name, in_process=in_process)["reason"] == "done"
    assert not _waiting(s)
    retired = _by_number(s, surplus.number)
    assert retired.state.name == "FAIL" and retired.user_attrs["status"] == "interrupted"
    assert retired.user_attrs["error"] == recovery.SURPLUS
    assert sum(t.state.name == "COMPLETE" for t in s.get_trials()) == 4


def test_a_queued_trial_is_not_retired_while_the_budget_still_needs_it(study):
    store, s, space = study
    for params in GRID[:3]:
        _complete(s, params)
    s.enqueue_trial(GRID[3])  # a dead trial's configuration, queued again by its recovery
    assert recovery.retire_surplus(store, s, 4) == []
    assert len(_waiting(s)) == 1


def test_a_queued_trial_a_worker_has_just_asked_for_stays_that_workers(study):
    store, s, space = study
    s.enqueue_trial(GRID[0])
    (queued,) = _waiting(s)
    asked = s.ask()  # a worker pops it before the retiring process claims it
    assert asked.number == queued.number
    assert store.claim_waiting(queued.number) is False
    assert _by_number(s, queued.number).state.name == "RUNNING"
    s.tell(asked, 0.5)
    assert store.claim_waiting(queued.number) is False  # finished: not claimable either
