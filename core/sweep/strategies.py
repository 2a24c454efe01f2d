"""Search strategies: which configurations a sweep tries, as Optuna samplers or an enqueueing proposer.

- grid:   every combination of the dimensions' values, each once; `core.sweep.plan` enqueues the
          untaken points one by one (complete, so a killed trial is simply planned again).
- random: N independent draws (`RandomSampler`); ranges are sampled continuously.
- tpe:    N trials of Optuna's Tree-structured Parzen Estimator (`TPESampler`).
- linear: the assignment's round-robin search. Start from the base network; vary one dimension
          over all its values with the others held at their best so far, keep the best value,
          move to the next dimension, and cycle until a whole cycle changes nothing (or the budget
          ends). `LinearSearch.plan` derives the next configuration from the study's history alone,
          so a resumed or shared study continues where it was; `core.sweep.plan` enqueues each proposal.
"""

from __future__ import annotations

import json

from core.errors import LabError

STRATEGIES = ("grid", "random", "linear", "tpe")
PLANNED = ("grid", "linear")  # strategies whose every trial is enqueued with all its parameters
MAX_CYCLES = 50


def make_sampler(strategy: str, space, seed: int = 0, n_trials: int = 20):
    """The Optuna sampler of a strategy (grid and linear trials are all enqueued: it is never asked)."""
    import optuna

    if strategy == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=max(3, min(10, n_trials // 4)))
    if strategy in STRATEGIES:
        return optuna.samplers.RandomSampler(seed=seed)
    raise LabError(f"Unknown strategy {strategy!r}. Available strategies: {', '.join(STRATEGIES)}.")


def default_trials(strategy: str, space) -> int:
    """Budget when none is given: the whole grid, two linear cycles, or 20 random/TPE trials."""
    if strategy == "grid":
        return space.grid_size()
    if strategy == "linear":
        return 1 + 2 * sum(len(v) - 1 for v in space.grid().values())
    return 20


def params_key(params: dict) -> str:
    """A canonical string for a configuration (floats rounded, so 1e-3 == 0.001)."""
    norm = {k: (float(f"{v:.6g}") if isinstance(v, float) else v) for k, v in params.items()}
    return json.dumps(norm, sort_keys=True)


class LinearSearch:
    """The round-robin, one-dimension-at-a-time search, replayed from history on every call."""

    def __init__(self, space):
        self.dims = list(space.dimensions)
        self.values = space.grid()
        self.start = {d: space.start_point()[d] for d in self.dims}

    def plan(self, results: dict, pending: set) -> tuple[str, dict | None]:
        """The next step given finished results and pending proposals.

        Args:
            results: {params_key: accuracy, or None for a failed configuration}.
            pending: params_keys of trials running or queued right now.

        Returns:
            ("propose", params), ("wait", None) when the next decision needs a pending result,
            or ("done", None) when a whole cycle changed nothing.
        """
        center = dict(self.start)
        first = params_key(center)
        if first not in results:  # the base network is the first trial
            return ("wait", None) if first in pending else ("propose", dict(center))
        for _ in range(MAX_CYCLES):
            changed = False
            for dim in self.dims:
                waiting = False
                for value in self.values[dim]:
                    key = params_key({**center, dim: value})
                    if key in results:
                        continue
                    if key in pending:
                        waiting = True
                        continue
                    return "propose", {**center, dim: value}
                if waiting:
                    return "wait", None
                best = self._best_value(center, dim, results)
                if best != center[dim]:
                    center[dim], changed = best, True
            if not changed:
                return "done", None
        return "done", None

    def _best_value(self, center: dict, dim: str, results: dict):
        """The dimension's value with the highest accuracy (ties keep the current value)."""
        def score(value):
            acc = results.get(params_key({**center, dim: value}))
            return float("-inf") if acc is None else acc

        best = center[dim]
        for value in self.values[dim]:
            if score(value) > score(best):
                best = value
        return best
