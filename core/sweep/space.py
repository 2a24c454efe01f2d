"""The search space of a sweep as plain data (JSON): dimensions, a base network, data per trial.

A space file looks like::

    {"name": "assignment", "base": "assignment",            # a preset name or a NetConfig dict
     "dataset": "mnist", "train_subset": 5000, "test_subset": 2000, "epochs": 1,
     "dimensions": {"filters": [8, 16, 32, 64],              # a list of values ...
                    "learning_rate": {"low": 1e-4, "high": 1e-2, "log": true, "points": 5}},
     "hypotheses": {"filters": "More filters help until about 32."}}

A range (`low`/`high`, optional `step`, `log`, `points`) is sampled continuously by random and
TPE search and cut into `points` values (or `step`s) for grid and linear search.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from core.data.datasets import DATASETS
from core.errors import LabError
from core.nets.config import ConvBlock, DenseLayer, NetConfig, preset
from core.sweep.dimensions import DIMENSIONS, POOL_PLACEMENTS, Dimension, parse_dimension  # noqa: F401

@dataclass
class SearchSpace:
    """What a sweep varies, what stays as in `base`, and what data each trial trains on."""

    name: str = "sweep"
    base: NetConfig = field(default_factory=lambda: preset("assignment"))
    base_ref: str | dict = "assignment"
    dataset: str = "mnist"
    train_subset: int | None = 5000
    test_subset: int | None = 2000
    epochs: int = 1
    dimensions: dict = field(default_factory=dict)  # name -> Dimension
    hypotheses: dict = field(default_factory=dict)  # name -> text

    def to_dict(self) -> dict:
        return {
            "name": self.name, "base": self.base_ref, "dataset": self.dataset,
            "train_subset": self.train_subset, "test_subset": self.test_subset, "epochs": self.epochs,
            "dimensions": {n: d.to_json() for n, d in self.dimensions.items()},
            "hypotheses": {n: t for n, t in self.hypotheses.items() if t},
        }

    def grid(self) -> dict:
        """{dimension: discrete values} for `optuna.samplers.GridSampler`."""
        return {n: d.discrete() for n, d in self.dimensions.items()}

    def grid_size(self) -> int:
        return math.prod(len(v) for v in self.grid().values())

    def suggest(self, trial) -> dict:
        """The trial's value for every dimension."""
        return {n: d.suggest(trial) for n, d in self.dimensions.items()}

    def start_point(self) -> dict:
        """Where linear search starts: the base network's value if it is a candidate, else the middle one."""
        current = base_values(self.base)
        start = {}
        for n, d in self.dimensions.items():
            vals = d.discrete()
            start[n] = current.get(n) if current.get(n) in vals else vals[len(vals) // 2]
        if "epochs" in start and "epochs" not in self.dimensions:
            start.pop("epochs")
        return start

    def network(self, params: dict, name: str | None = None) -> NetConfig:
        """The base network with a trial's values applied (validated; raises `LabError`)."""
        net = apply_params(self.base, params)
        if "epochs" not in params:
            net.epochs = int(self.epochs)
        net.name = name or net.name
        net.validate()
        return net


def base_values(net: NetConfig) -> dict:
    """The base network's value along every dimension (what a dimension means, read backwards)."""
    pools = [b.pool_size > 1 for b in net.conv]
    placement = ("none" if not any(pools) else "each" if all(pools) else
                 "first" if pools[0] and not any(pools[1:]) else "last")
    out = {
        "conv_layers": len(net.conv), "epochs": net.epochs, "batch_size": net.batch_size,
        "learning_rate": net.learning_rate, "l2": net.l2, "optimizer": net.optimizer,
        "pool_placement": placement,
    }
    if net.conv:
        out.update(filter_size=net.conv[0].kernel_size, filters=net.conv[-1].filters,
                   activation=net.conv[0].activation, dropout_conv=net.conv[-1].dropout,
                   pool_size=max([b.pool_size for b in net.conv] + [0]) or 2)
    if net.dense:
        out.update(dense_units=net.dense[0].units, dropout_dense=net.dense[0].dropout)
    return out


def apply_params(base: NetConfig, params: dict) -> NetConfig:
    """A copy of `base` changed along the given dimensions.

    Convolutions are rebuilt from the base blocks (extra layers copy the last one); pooling goes
    where `pool_placement` says (default: where the base has it) and conv dropout after the last block.
    """
    net = copy.deepcopy(base)
    current = base_values(base)
    unknown = sorted(set(params) - set(DIMENSIONS))
    if unknown:
        raise LabError(f"Unknown dimension(s) {', '.join(unknown)}. Known: {', '.join(DIMENSIONS)}.")
    p = {**current, **params}
    if net.conv or params.get("conv_layers"):
        n = int(p["conv_layers"])
        template = net.conv[-1] if net.conv else ConvBlock()
        blocks = []
        for i in range(n):
            b = copy.deepcopy(net.conv[i] if i < len(net.conv) else template)
            if "filter_size" in params:
                b.kernel_size = int(params["filter_size"])
            if "filters" in params:
                b.filters = int(params["filters"])
            if "activation" in params:
                b.activation = params["activation"]
            placement = p.get("pool_placement", "last")
            pooled = (placement == "each" or (placement == "last" and i == n - 1)
                      or (placement == "first" and i == 0))
            b.pool_size = int(p.get("pool_size", 2)) if pooled else 0
            b.dropout = float(p.get("dropout_conv", 0.0)) if i == n - 1 else 0.0
            blocks.append(b)
        net.conv = blocks
    for d in net.dense:
        if "dense_units" in params:
            d.units = int(params["dense_units"])
        if "dropout_dense" in params:
            d.dropout = float(params["dropout_dense"])
        if "activation" in params:
            d.activation = params["activation"]
    if "dense_units" in params and not net.dense:
        net.dense = [DenseLayer(int(params["dense_units"]), p.get("activation", "relu"),
                                float(params.get("dropout_dense", 0.0)))]
    for key in ("epochs", "batch_size"):
        if key in params:
            setattr(net, key, int(params[key]))
    for key in ("learning_rate", "l2"):
        if key in params:
            setattr(net, key, float(params[key]))
    if "optimizer" in params:
        net.optimizer = params["optimizer"]
    return net


def space_from_dict(data: dict) -> SearchSpace:
    """Build and check a `SearchSpace` from parsed JSON.

    Raises:
        LabError: naming the first problem (unknown key, dimension or value).
    """
    if not isinstance(data, dict):
        raise LabError("A search space must be a JSON object.")
    known = {"name", "base", "dataset", "train_subset", "test_subset", "epochs", "dimensions",
             "hypotheses", "description"}
    extra = sorted(set(data) - known)
    if extra:
        raise LabError(f"Unknown search-space field(s): {', '.join(extra)}. Known: {', '.join(sorted(known))}.")
    base_ref = data.get("base", "assignment")
    base = preset(base_ref) if isinstance(base_ref, str) else NetConfig.from_dict(base_ref)
    dims = data.get("dimensions") or {}
    if not isinstance(dims, dict) or not dims:
        raise LabError("The search space needs at least one dimension under 'dimensions'.")
    dataset = data.get("dataset", "mnist")
    if dataset not in DATASETS:
        raise LabError(f"Unknown dataset {dataset!r}. Available: {', '.join(DATASETS)}.")
    hypotheses = data.get("hypotheses") or {}
    if not isinstance(hypotheses, dict):
        raise LabError("'hypotheses' must map a dimension name to a sentence.")
    stray = sorted(set(hypotheses) - set(dims))
    if stray:
        raise LabError(f"Hypotheses for dimensions the space does not vary: {', '.join(stray)}.")
    space = SearchSpace(
        name=str(data.get("name") or "sweep"), base=base, base_ref=base_ref, dataset=dataset,
        train_subset=_opt_int(data, "train_subset", 5000), test_subset=_opt_int(data, "test_subset", 2000),
        epochs=_opt_int(data, "epochs", 1) or 1,
        dimensions={n: parse_dimension(n, s) for n, s in dims.items()},
        hypotheses={n: str(t) for n, t in hypotheses.items()},
    )
    _check_values(space)
    space.network(space.start_point())  # the base itself must be a valid network
    return space


def _check_values(space: SearchSpace) -> None:
    """Every value of every dimension (a range's ends first) must be a valid setting of the fields it sets.

    Only each field's type and range are checked here: whether the layers still fit the image
    depends on the other dimensions too, so an impossible combination fails just its trial.
    """
    from core.nets.validate import check_config

    for n, d in space.dimensions.items():
        ends = [] if d.values is not None else [d.kind(d.low), d.kind(d.high)]
        for v in ends + d.discrete():
            net = apply_params(space.base, {n: v})
            if n != "epochs":
                net.epochs = int(space.epochs)
            try:
                check_config(net)
            except LabError as exc:
                raise LabError(f"{n}: the value {v!r} gives an invalid network: {exc}") from None


def _opt_int(data: dict, key: str, default):
    value = data.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise LabError(f"{key} must be a positive whole number or null.")
    return value


def load_space(path) -> SearchSpace:
    """Read a search-space JSON file (raises `LabError` with a clear message)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LabError(f"Cannot read the search space {path}: {exc.strerror}.") from None
    try:
        return space_from_dict(json.loads(text))
    except json.JSONDecodeError as exc:
        raise LabError(f"The search space {path} is not valid JSON: {exc}") from None
