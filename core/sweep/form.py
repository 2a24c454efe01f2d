"""A dimension's values as the sweep form shows and reads them: a list (`8, 16, 32`) or a JSON range.

The Experiments page writes each dimension's values into one text cell; `values_text` fills the cell
and `parse_values` turns what the user typed back into the list or range a space file holds
(`core.sweep.space.space_from_dict` then checks it like any space file).
"""

from __future__ import annotations

import json

from core.errors import LabError
from core.sweep.dimensions import DIMENSIONS


def values_text(spec) -> str:
    """The text of one dimension's values: `8, 16, 32` for a list, the JSON of a range."""
    return ", ".join(str(v) for v in spec) if isinstance(spec, list) else json.dumps(spec)


def _number(name: str, kind: type, part: str):
    try:
        return float(part) if kind is float or "." in part or "e" in part.lower() else int(part)
    except ValueError:
        raise LabError(f"{name}: {part!r} is not a number.") from None


def parse_values(name: str, text: str):
    """The values typed for dimension `name`: a list of its type, or a range dict from JSON.

    Args:
        name: a key of `DIMENSIONS` (its type decides how comma-separated parts are read).
        text: `8, 16, 32`, `relu, tanh`, or `{"low": 0.0001, "high": 0.01, "log": true}`.

    Raises:
        LabError: invalid JSON, or a part that is not a number for a numeric dimension.
    """
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except ValueError:
            raise LabError(f"{name}: the range is not valid JSON ({text}).") from None
    kind = DIMENSIONS[name][0]
    parts = [p.strip() for p in text.split(",") if p.strip()]
    return parts if kind is str else [_number(name, kind, p) for p in parts]
