"""The Train page's time-left estimate, replayed on what a page polling a real run read.

`data/progress_quick_10k.json` was recorded by `python -m bench.eta --train-subset 10000 --save ...`:
a 3-epoch quick-preset run started with `start_run`, its status, progress and metrics files read every
0.5 s, and the moment the run ended.
"""

import json
from pathlib import Path

import pytest

from core.runs.plots import progress_view

RECORDING = json.loads((Path(__file__).parent / "data" / "progress_quick_10k.json").read_text())


def _shown(sample):
    return progress_view(sample["status"], sample["progress"], sample["metrics"], now=sample["now"])


def _after_5_percent(samples):
    for s in samples:
        p = s["progress"]
        if s["status"].get("state") != "running" or not p or not p.get("batches"):
            continue
        if p["epoch"] > 1 or p["batch"] / p["batches"] >= 0.05:
            yield s


def test_the_recording_covers_a_whole_two_epoch_run():
    assert RECORDING["state"] == "finished"
    epochs_seen = {s["progress"].get("epoch") for s in RECORDING["samples"] if s["progress"]}
    assert epochs_seen >= {1, 2}
    assert len(list(_after_5_percent(RECORDING["samples"]))) >= 10


def test_after_5_percent_of_an_epoch_the_time_left_is_within_a_factor_1_5_of_the_truth():
    for sample in _after_5_percent(RECORDING["samples"]):
        truth = RECORDING["ended"] - sample["now"]
        eta = _shown(sample)["eta_s"]
        assert eta is not None, sample["progress"]
        if truth < 2.0:  # the last seconds: an absolute error matters, not a ratio
            assert eta == pytest.approx(truth, abs=2.0)
            continue
        assert truth / 1.5 <= eta <= truth * 1.5, (eta, truth, sample["progress"])


def test_the_text_shows_the_estimate():
    sample = next(_after_5_percent(RECORDING["samples"]))
    text = _shown(sample)["text"]
    epochs = sample["progress"]["epochs"]
    assert text.startswith(f"Epoch 1/{epochs}, batch ") and text.endswith(" left") and "?" not in text
