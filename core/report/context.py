"""What one report is about: the model, its data, the user's own digits and letters, the study."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.paths import ASSETS_DIR

DEFAULT_LETTER_SET = ASSETS_DIR / "greek"


@dataclass
class Context:
    """Everything the task modules read; loaded once by `core.report.build`.

    Attributes:
        model: the Keras model the report is about.
        model_path: its .keras file.
        run_dir: the run directory that trained it (None for an uploaded file).
        data: the `Dataset` it was trained on (MNIST or Fashion-MNIST).
        mine: folder of the user's own digits, or None for "My handwriting set".
        letters: folder of the user's own letters, or None for the Greek page's "My letters".
        study: the sweep study's name, or None for no Task 4.
        letter_set: the letter set the SSD tables and KNN use (the default set).
    """

    model: object
    model_path: Path
    run_dir: Path | None
    data: object
    mine: Path | None = None
    letters: Path | None = None
    study: str | None = None
    letter_set: Path = DEFAULT_LETTER_SET

    def class_name(self, index: int) -> str:
        names = self.data.class_names
        return names[index] if index < len(names) else str(index)
