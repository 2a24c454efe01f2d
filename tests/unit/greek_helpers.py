"""Helpers for the Greek-letter tests: small folders of real letters copied from ../shared/data."""

from __future__ import annotations

import shutil
from pathlib import Path


def copy_letters(shared_data: Path, dest: Path, letters=("alpha", "beta", "gamma"), per_class: int = 5,
                 flat: bool = True) -> Path:
    """Copy `per_class` Omniglot images of each letter into `dest` (flat `alpha_001.png` or `alpha/x.png`)."""
    dest.mkdir(parents=True, exist_ok=True)
    for letter in letters:
        files = sorted((shared_data / "omniglot_greek" / letter).glob("*.png"))[:per_class]
        for i, f in enumerate(files, start=1):
            target = dest / f"{letter}_{i:03d}.png" if flat else dest / letter / f.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, target)
    return dest
