"""The dimensions a sweep can vary, one `Dimension` (a list of values or a range), and its checks.

A dimension is a list of values (`[8, 16, 32]`, `["relu", "tanh"]`) or a range object
`{"low": .., "high": .., "step": .., "log": .., "points": ..}`. `parse_dimension` checks the type and
range of every key and names the dimension, the key and the valid values when one is wrong.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from core.errors import LabError
from core.nets.config import ACTIVATIONS, OPTIMIZERS

POOL_PLACEMENTS = ("none", "last", "each", "first")

# dimension -> (value type, what it changes, allowed choices or None)
DIMENSIONS = {
    "conv_layers": (int, "number of convolution layers", None),
    "filter_size": (int, "kernel size of every convolution", None),
    "filters": (int, "number of filters in every convolution", None),
    "dense_units": (int, "units of the hidden dense layer(s)", None),
    "dropout_conv": (float, "dropout after the convolution stack", None),
    "dropout_dense": (float, "dropout after the hidden dense layer(s)", None),
    "pool_size": (int, "max-pooling window", None),
    "pool_placement": (str, "where pooling goes: none, after the last, each or first conv", POOL_PLACEMENTS),
    "activation": (str, "activation of every hidden layer", ACTIVATIONS),
    "optimizer": (str, "optimizer", OPTIMIZERS),
    "epochs": (int, "training epochs", None),
    "batch_size": (int, "training batch size", None),
    "learning_rate": (float, "learning rate", None),
    "l2": (float, "L2 weight penalty on every layer", None),
}
DEFAULT_POINTS = 5
MAX_POINTS = 50
RANGE_KEYS = ("low", "high", "step", "log", "points")


@dataclass
class Dimension:
    """One varied dimension: either explicit `values` or a `low`..`high` range."""

    name: str
    values: list | None = None
    low: float | None = None
    high: float | None = None
    step: float | None = None
    log: bool = False
    points: int = DEFAULT_POINTS

    @property
    def kind(self) -> type:
        return DIMENSIONS[self.name][0]

    def discrete(self) -> list:
        """The values grid and linear search try, in order."""
        if self.values is not None:
            return list(self.values)
        if self.step:
            n = int(math.floor((self.high - self.low) / self.step + 1e-9)) + 1
            vals = [self.low + i * self.step for i in range(n)]
        elif self.log:
            ratio = (self.high / self.low) ** (1 / max(self.points - 1, 1))
            vals = [self.low * ratio ** i for i in range(self.points)]
        else:
            vals = [self.low + (self.high - self.low) * i / max(self.points - 1, 1) for i in range(self.points)]
        if self.kind is int:
            return sorted({int(round(v)) for v in vals})
        return [float(f"{v:.6g}") for v in vals]

    def suggest(self, trial):
        """Ask an Optuna trial for this dimension's value (categorical for lists, int/float for ranges)."""
        if self.values is not None:
            return trial.suggest_categorical(self.name, list(self.values))
        if self.kind is int:
            return trial.suggest_int(self.name, int(self.low), int(self.high), step=int(self.step or 1),
                                     log=self.log)
        return trial.suggest_float(self.name, float(self.low), float(self.high),
                                   step=self.step if self.step and not self.log else None, log=self.log)

    def to_json(self):
        if self.values is not None:
            return list(self.values)
        out = {"low": self.low, "high": self.high, "log": self.log}
        out.update({"step": self.step} if self.step else {"points": self.points})
        return out



def parse_dimension(name: str, spec) -> Dimension:
    """A checked `Dimension` from its JSON form (a list of values or a range object).

    Raises:
        LabError: naming the dimension, the wrong key or value, and what is valid.
    """
    if name not in DIMENSIONS:
        raise LabError(f"Unknown dimension {name!r}. Known dimensions: {', '.join(DIMENSIONS)}.")
    if isinstance(spec, list):
        return Dimension(name, values=_values(name, spec))
    if isinstance(spec, dict):
        return _range(name, spec)
    raise LabError(f"Dimension {name!r} must be a list of values or a range object "
                   f"{{\"low\": .., \"high\": ..}}, not {_shown(spec)}.")


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def _values(name: str, spec: list) -> list:
    kind, _, choices = DIMENSIONS[name]
    if not spec:
        raise LabError(f"Dimension {name!r} needs at least one value.")
    values = []
    for v in spec:
        if kind is str:
            if v not in choices:
                raise LabError(f"{name}: {_shown(v)} is not one of {', '.join(choices)}.")
            values.append(v)
        elif isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise LabError(f"{name}: {_shown(v)} is not a number.")
        elif kind is int and not float(v).is_integer():
            raise LabError(f"{name}: {v!r} is not a whole number.")
        else:
            values.append(kind(v))
    if len(set(values)) != len(values):
        raise LabError(f"{name}: values repeat ({values}).")
    return values


def _number(name: str, key: str, value, whole: bool) -> float:
    """`value` as a float when it is a (whole, if `whole`) finite number, else a `LabError`."""
    ok = not isinstance(value, bool) and isinstance(value, numbers.Real) and math.isfinite(value)
    if not ok or (whole and not float(value).is_integer()):
        what = "a whole number" if whole else "a number"
        raise LabError(f"{name}: '{key}' must be {what}, not {_shown(value)}.")
    return float(value)


def _range(name: str, spec: dict) -> Dimension:
    kind = DIMENSIONS[name][0]
    if kind is str:
        raise LabError(f"{name} takes a list of choices, not a range.")
    extra = sorted(set(spec) - set(RANGE_KEYS))
    if extra or "low" not in spec or "high" not in spec:
        raise LabError(f"{name}: a range needs 'low' and 'high' (optional 'step', 'log', 'points')"
                       + (f"; unknown key(s): {', '.join(extra)}." if extra else "."))
    whole = kind is int
    low, high = _number(name, "low", spec["low"], whole), _number(name, "high", spec["high"], whole)
    if not low < high:
        raise LabError(f"{name}: low must be smaller than high (got low {low:g}, high {high:g}).")
    log = spec.get("log", False)
    if not isinstance(log, bool):
        raise LabError(f"{name}: 'log' must be true or false, not {_shown(log)}.")
    if log and low <= 0:
        raise LabError(f"{name}: a log range needs low > 0.")
    step = spec.get("step")
    if step is not None:
        step = _number(name, "step", step, whole)
        if step <= 0:
            raise LabError(f"{name}: 'step' must be greater than 0 (it is the distance between values), "
                           f"not {step:g}.")
        if log:
            raise LabError(f"{name}: a log range takes 'points', not 'step'.")
        if "points" in spec:
            raise LabError(f"{name}: give either 'step' or 'points', not both.")
    points = spec.get("points", DEFAULT_POINTS)
    if isinstance(points, bool) or not isinstance(points, numbers.Real) or not float(points).is_integer() \
            or not 2 <= points <= MAX_POINTS:
        raise LabError(f"{name}: 'points' must be a whole number from 2 to {MAX_POINTS}, not {_shown(points)}.")
    if step is not None and (high - low) / step + 1 > MAX_POINTS:
        raise LabError(f"{name}: a step of {step:g} gives more than {MAX_POINTS} values; use a larger step.")
    return Dimension(name, low=low, high=high, step=int(step) if whole and step else step, log=log,
                     points=int(points))
