"""Pages with every kind of active model (AppTest): a Greek-letter head, a 5-output upload, a deleted run.

Each page measures or reads with the model's own classes, or says in one line why it cannot and
offers the default model; the choice made by a button sticks across pages.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.paths import DEFAULT_RUN_DIR, default_model_path
from tests.pages.apptest import ENTRY, open_page, open_tab
from tests.pages.test_draw import canvas_state, drawing_of
from tests.unit.model_kinds import save_five_output_model, train_transfer_run


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """A private runs folder holding one finished Greek-letter transfer run."""
    folder = tmp_path_factory.mktemp("kind_pages") / "runs"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAB_RUNS_DIR", str(folder))
        train_transfer_run(folder)
        yield folder


@pytest.fixture(scope="module")
def transfer_model(runs) -> str:
    return str(next(runs.iterdir()) / "model.keras")


def test_evaluate_measures_a_letter_head_on_its_held_out_letters(transfer_model):
    at = open_page("evaluate", transfer_model)
    comparison = json.loads((Path(transfer_model).parent / "transfer_eval.json").read_text())
    assert at.selectbox(key="evaluate_dataset").options == ["its Greek letters (held out)"]
    assert at.metric[0].value == f"{comparison['test_accuracy']:.2%}"
    assert at.metric[2].value.endswith("/ 12")
    table = at.dataframe[0].value
    assert {"alpha", "beta", "gamma", "predicted name", "true name"} <= set(table.columns)
    assert set(table["true name"]) <= {"alpha", "beta", "gamma"}
    assert set(table["correct"]) <= {"yes", "NO"}
    first = [img.captions for img in at.get("image") if img.captions and img.captions[0].startswith("#")][0]
    assert "true alpha" in " ".join(first) or "true beta" in " ".join(first) or "true gamma" in " ".join(first)
    assert open_tab(at, "evaluate_tab", "Confusion matrix").selectbox(key="evaluate_true").options == \
        ["alpha", "beta", "gamma"]
    assert "Greek-letter classifier (3 classes: alpha, beta, gamma)" in at.caption[0].value


def test_evaluate_says_why_a_model_fits_no_test_set_and_offers_the_default(tmp_path):
    from core.nets.catalog import save_upload

    five = save_upload("five_out.keras", save_five_output_model(tmp_path / "five.keras").read_bytes())
    try:
        at = open_page("evaluate", str(five))
        assert len(at.warning) >= 1 and "cannot be measured on MNIST digits (10 classes)" in at.warning[0].value
        assert not at.metric  # nothing measured, no traceback
        assert any("No class names came with this model" in c.value for c in at.sidebar.caption)
        at.button(key="evaluate_use_default").click().run()
        assert not at.exception
        assert at.session_state["active_model_path"] == str(default_model_path())
        assert at.metric[0].value.endswith("%") and at.selectbox(key="evaluate_dataset").value == "mnist"
    finally:
        five.unlink()


def test_draw_reads_letters_with_a_letter_model(transfer_model, runs):
    from core.greek.transfer import load_transfer_data

    config = json.loads((Path(transfer_model).parent / "config.json").read_text())
    _, test = load_transfer_data(config)
    at = open_page("draw", transfer_model)
    assert any("reads Greek letters (alpha, beta, gamma)" in c.value for c in at.caption)
    i = [int(np.flatnonzero(test.labels == c)[0]) for c in range(len(test.class_names))][1]
    letter = (test.images[i] * 255).astype(np.uint8)
    at.session_state["draw_canvas"] = canvas_state(drawing_of(letter))
    at.run()
    assert not at.exception
    readings = [s.value for s in at.success] + [w.value for w in at.warning]
    assert readings and any(f"**{name}**" in readings[0] for name in ("alpha", "beta", "gamma"))
    assert not any("**0**" in r or "**1**" in r or "**2**" in r for r in readings)
    assert any("keeps digits" in c.value for c in at.caption)  # no digit label picker for a letter


def test_the_true_label_follows_the_newest_reading(mnist):
    at = open_page("draw")
    digits = [mnist.x_test[int(np.flatnonzero(mnist.y_test == d)[0])] for d in (2, 7)]
    at.session_state["draw_canvas"] = canvas_state(drawing_of(digits[0]))
    at.run()
    assert at.selectbox(key="draw_canvas_in_label").value == 2
    at.session_state["draw_canvas"] = canvas_state(drawing_of(digits[1]))
    at.run()
    assert not at.exception
    assert at.selectbox(key="draw_canvas_in_label").value == 7
    from core.handwriting import user_set

    before = {item.path for item in user_set.list_digits()}
    at.selectbox(key="draw_canvas_in_label").select(1)  # the user corrects it, then saves: kept
    at.button(key="FormSubmitter:draw_canvas_in_save-Save to my set").click().run()
    assert not at.exception
    (saved,) = [item for item in user_set.list_digits() if item.path not in before]
    assert saved.label == 1
    user_set.remove_digit(saved.path)


def test_the_runs_table_button_makes_a_run_active_on_every_page(transfer_model):
    at = open_page("train")
    run = Path(transfer_model).parent
    at.selectbox(key="train_pick_run").select(str(run))
    at.run()
    at.button(key="train_activate_run").click().run()
    assert not at.exception
    assert at.selectbox(key="sidebar_model_choice").value == transfer_model
    assert at.query_params["model"] in ([f"run/{run.name}"], f"run/{run.name}")
    for page in ("data", "evaluate", "home"):
        at.switch_page(f"../pages/{page}.py").run()
        assert not at.exception
        assert at.session_state["active_model_path"] == transfer_model
        assert at.query_params["model"] in ([f"run/{run.name}"], f"run/{run.name}")
    assert "Greek-letter classifier" in at.sidebar.caption[0].value


def test_a_deleted_model_falls_back_to_the_default_with_a_notice(runs, tmp_path):
    gone = runs / "20260101-000000-deleted"
    shutil.copytree(DEFAULT_RUN_DIR, gone)
    at = open_page("home", str(gone / "model.keras"))
    assert at.query_params["model"] in ([f"run/{gone.name}"], f"run/{gone.name}")
    shutil.rmtree(gone)
    at.run()
    assert not at.exception
    assert any(f"`{gone.name}` is no longer in the lab" in w.value for w in at.sidebar.warning)
    assert at.session_state["active_model_path"] == str(default_model_path())
    assert at.query_params["model"] in (["default"], "default")


def test_a_model_named_in_the_url_is_active_in_a_new_session(transfer_model):
    at = AppTest.from_file(ENTRY, default_timeout=120)
    at.query_params["model"] = f"run/{Path(transfer_model).parent.name}"
    at.run()
    assert not at.exception
    assert at.selectbox(key="sidebar_model_choice").value == transfer_model
