"""What a sweep worker does next, read from the study's history alone (so any process can decide).

- `classify`: trials split into counted (finished for the budget), running, waiting, interrupted.
- `next_action`: 'ask', 'wait' or 'done'. Grid and linear search are planned here: the next
  configuration is enqueued with all its parameters (`study.enqueue_trial`), so a trial's
  parameters never depend on a sampler's private state and a killed trial can be re-planned.
- `duplicate_of`: two workers that planned the same configuration at once keep the earlier trial.
- `surplus`: queued trials nobody will ask for because the budget is spent (see `core.sweep.recovery`).
"""

from __future__ import annotations

import itertools
import random
import time

from core.sweep.storage import import_optuna
from core.sweep.strategies import PLANNED, LinearSearch, params_key

SETTLE_WAIT_S = 20.0  # how long a new trial waits for an earlier one to finish suggesting its parameters


def is_interrupted(trial) -> bool:
    """Whether a FAIL trial was cut short (killed, stopped, a duplicate) rather than failing on its own."""
    return trial.user_attrs.get("status") == "interrupted"


def classify(trials) -> dict:
    """Trials split into counted (finished for the budget), running, waiting and interrupted."""
    S = import_optuna().trial.TrialState
    out = {"counted": [], "running": [], "waiting": [], "interrupted": []}
    for t in trials:
        if t.state == S.RUNNING:
            out["running"].append(t)
        elif t.state == S.WAITING:
            out["waiting"].append(t)
        elif t.state == S.FAIL and is_interrupted(t):
            out["interrupted"].append(t)
        else:
            out["counted"].append(t)
    return out


def _grid_proposal(space, taken: set, rng: random.Random) -> dict | None:
    """A grid point no trial has taken, chosen at random so that parallel workers rarely collide."""
    grid = space.grid()
    free = [dict(zip(grid, combo)) for combo in itertools.product(*grid.values())
            if params_key(dict(zip(grid, combo))) not in taken]
    return rng.choice(free) if free else None


def next_action(study, space, strategy: str, n_trials: int, enqueue: bool = True,
                rng: random.Random | None = None) -> str:
    """What a worker does next: 'ask', 'wait' (for a pending linear result) or 'done'.

    For grid and linear search the next configuration is enqueued (when `enqueue`), complete, so
    the following `ask` trains exactly it.
    """
    groups = classify(study.get_trials(deepcopy=False))
    counted, running, waiting = groups["counted"], groups["running"], groups["waiting"]
    if len(counted) >= n_trials:
        return "done"
    if waiting:
        return "ask"
    if len(counted) + len(running) >= n_trials:
        return "done"
    if strategy not in PLANNED:
        return "ask"
    if strategy == "grid":
        params = _grid_proposal(space, {params_key(t.params) for t in counted + running}, rng or random)
        step = "propose" if params else "done"
    else:
        step, params = LinearSearch(space).plan({params_key(t.params): t.value for t in counted},
                                                {params_key(t.params) for t in running})
    if step == "propose":
        if enqueue:
            study.enqueue_trial(params)
        return "ask"
    return step


def surplus(study, n_trials: int) -> list:
    """The WAITING trials left once the budget is spent: no worker asks for them any more.

    A configuration can be queued twice when a recovery re-queues a dead trial while another worker
    plans the same point; one copy trains, and the other would wait in the study forever.
    """
    groups = classify(study.get_trials(deepcopy=False))
    return groups["waiting"] if len(groups["counted"]) >= n_trials else []


def duplicate_of(study, number: int, params: dict, n_dims: int) -> int | None:
    """The earlier live or finished trial with these parameters, if another worker planned them too.

    The earlier trial always wins, so of two colliding workers exactly one trains. An earlier
    trial still suggesting its parameters is waited for (up to SETTLE_WAIT_S; a dead one is left
    to recovery).
    """
    key, deadline = params_key(params), time.time() + SETTLE_WAIT_S
    while True:
        groups = classify(study.get_trials(deepcopy=False))
        earlier = [t for t in groups["counted"] + groups["running"] if t.number < number]
        for t in earlier:
            if len(t.params) == n_dims and params_key(t.params) == key:
                return t.number
        unsettled = [t for t in groups["running"] if t.number < number and len(t.params) < n_dims]
        if not unsettled or time.time() > deadline:
            return None
        time.sleep(0.5)
