"""The lab's settings read from environment variables: one reader for whole numbers, one for on/off flags."""

from __future__ import annotations

import os

from core.errors import LabError
from core.nets.validate import Rule

_ON, _OFF = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def whole_number(name: str, default: int, low: int, high: int | None = None) -> int:
    """The whole number in `$name`, or `default` when it is unset or empty.

    Raises:
        LabError: a value that is not a whole number from `low` to `high` (no upper bound if None).
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < low or (high is not None and value > high):
        raise LabError(f"{name} must be {Rule('int', low, high).describe()} (it is {text!r}).")
    return value


def flag(name: str, default: bool = False) -> bool:
    """Whether `$name` is on (1, true, yes, on) or off (0, false, no, off); `default` when unset or other."""
    text = os.environ.get(name, "").strip().lower()
    return True if text in _ON else False if text in _OFF else default
