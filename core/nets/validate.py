"""Type and range checks of a network config's fields, with messages that name the field and its valid values.

Every field has one rule: a kind (whole number, number, text, yes/no, one of some choices) and a range.
`normalize` turns JSON values into the field's type (32.0 -> 32, 1 -> 1.0) or raises `LabError`;
`check_block` and `check_top` run the same rules over a built config, so a config made in code or a
form is held to what a JSON file is.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, fields

from core.errors import LabError


@dataclass(frozen=True)
class Rule:
    """What a field accepts: `kind` int/float/str/bool/choice, bounds, and whether the upper one is open."""

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    choices: tuple = ()

    def describe(self) -> str:
        """The valid values in words, e.g. "a whole number from 1 to 1024"."""
        if self.kind == "choice":
            return "one of " + ", ".join(self.choices)
        if self.kind == "bool":
            return "true or false"
        if self.kind == "str":
            return "a text"
        noun = "a whole number" if self.kind == "int" else "a number"
        if self.low is not None and self.high is not None:
            if self.low_open or self.high_open:
                lo, hi = "(" if self.low_open else "[", ")" if self.high_open else "]"
                return f"{noun} in {lo}{_num(self.low)}, {_num(self.high)}{hi}"
            return f"{noun} from {_num(self.low)} to {_num(self.high)}"
        if self.low is not None:
            return f"{noun} {'above' if self.low_open else 'of at least'} {_num(self.low)}"
        return noun


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _shown(value) -> str:
    text = repr(value) if isinstance(value, str) else str(value).lower() if isinstance(value, bool) \
        else repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


def normalize(where: str, value, rule: Rule):
    """`value` as the field's type, checked against `rule`.

    Raises:
        LabError: "<where> must be <valid values>, not <value>."
    """
    out = _convert(value, rule)
    if out is None or not _in_range(out, rule):
        raise LabError(f"{where} must be {rule.describe()}, not {_shown(value)}.")
    return out


def _convert(value, rule: Rule):
    if rule.kind == "bool":
        return value if isinstance(value, bool) else None
    if rule.kind in ("str", "choice"):
        return value if isinstance(value, str) else None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        return None
    if rule.kind == "int":
        return int(value) if float(value).is_integer() else None
    return float(value)


def _in_range(value, rule: Rule) -> bool:
    if rule.kind == "choice":
        return value in rule.choices
    if rule.kind not in ("int", "float"):
        return True
    if rule.low is not None and (value <= rule.low if rule.low_open else value < rule.low):
        return False
    if rule.high is not None and (value >= rule.high if rule.high_open else value > rule.high):
        return False
    return True


def rules() -> dict[str, dict[str, Rule]]:
    """{"conv": ..., "dense": ..., "net": ...}: the rule of every field of each config dataclass."""
    from core.nets.config import ACTIVATIONS, OPTIMIZERS, PADDINGS, POOL_TYPES

    dropout = Rule("float", 0.0, 1.0, high_open=True)
    flag = Rule("bool")
    return {
        "conv": {"filters": Rule("int", 1, 1024), "kernel_size": Rule("int", 1, 15),
                 "stride": Rule("int", 1, 4), "padding": Rule("choice", choices=PADDINGS),
                 "activation": Rule("choice", choices=ACTIVATIONS), "pool_size": Rule("int", 0, 4),
                 "pool_type": Rule("choice", choices=POOL_TYPES), "dropout": dropout,
                 "dropout_before_pool": flag, "activation_after_pool": flag, "batch_norm": flag},
        "dense": {"units": Rule("int", 1, 8192), "activation": Rule("choice", choices=ACTIVATIONS),
                  "dropout": dropout},
        "net": {"name": Rule("str"), "num_classes": Rule("int", 1, 1000), "l2": Rule("float", 0.0),
                "optimizer": Rule("choice", choices=OPTIMIZERS),
                "learning_rate": Rule("float", 0.0, 1.0, low_open=True), "batch_size": Rule("int", 1, 8192),
                "epochs": Rule("int", 1, 500), "seed": Rule("int", 0, 2**32 - 1)},
    }


def normalize_fields(data: dict, table: dict[str, Rule], where: str = "") -> dict:
    """A copy of `data` with every field that has a rule normalized (others are passed through)."""
    prefix = f"{where}." if where else ""
    return {k: normalize(prefix + k, v, table[k]) if k in table else v for k, v in data.items()}


def normalize_shape(value) -> tuple:
    """The input shape as a tuple of three whole numbers from 1 to 1024 (height, width, channels)."""
    ok = isinstance(value, (list, tuple)) and len(value) == 3
    try:
        return tuple(normalize("input_shape", v, Rule("int", 1, 1024)) for v in value) if ok else _no_shape(value)
    except LabError:
        return _no_shape(value)


def _no_shape(value):
    raise LabError(f"input_shape must be three whole numbers from 1 to 1024 [height, width, channels], "
                   f"not {_shown(value)}.")


def check_config(config) -> None:
    """Check the type and range of every field of a built `NetConfig` (raises `LabError`)."""
    table = rules()
    for f in fields(config):
        if f.name in table["net"]:
            normalize(f.name, getattr(config, f.name), table["net"][f.name])
    normalize_shape(config.input_shape)
    for kind, blocks in (("conv", config.conv), ("dense", config.dense)):
        for i, block in enumerate(blocks):
            for f in fields(block):
                normalize(f"{kind}[{i}].{f.name}", getattr(block, f.name), table[kind][f.name])
