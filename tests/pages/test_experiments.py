"""The Experiments page (AppTest) on a real finished sweep: table, charts, hypotheses, make a trial active."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from core.runs import rundir
from core.sweep import report, runner, storage
from core.sweep.space import space_from_dict
from tests.pages.apptest import open_tab

TINY = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3},
                                 {"filters": 4, "kernel_size": 3, "pool_size": 2, "dropout": 0.25}],
        "dense": [{"units": 16, "dropout": 0.25}], "batch_size": 64, "epochs": 1}
ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
HYPOTHESIS = "Eight filters beat two by a wide margin."


@pytest.fixture(scope="module")
def finished_study(lab_home):
    space = space_from_dict({"name": "page", "base": TINY, "train_subset": 600, "test_subset": 300,
                             "dimensions": {"filters": [2, 8], "dense_units": [8, 32]},
                             "hypotheses": {"filters": HYPOTHESIS}})
    runner.setup_study("page-study", space, "grid", None)
    runner.drive("page-study", in_process=True)
    return "page-study"


def _page(study: str) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    at.switch_page("../pages/experiments.py")
    at.session_state["experiments_study"] = study
    at.run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str):
    """The first table on the page that has `column`."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_explorer_shows_the_finished_study(finished_study):
    at = _page(finished_study)
    assert at.selectbox(key="experiments_study").value == finished_study
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Trials done"] == "4 / 4" and metrics["Failed"] == "0"
    best = report.best_row(report.trial_rows(storage.load_study(finished_study)))
    assert metrics["Best so far"] == f"{best['test_accuracy']:.2%}"
    table = _frame(at, "test accuracy")
    assert len(table) == 4 and set(table["filters"]) == {2, 8} and set(table["state"]) == {"COMPLETE"}
    assert not at.get("plotly_chart")  # the other tabs wait until opened
    hyp = _frame(open_tab(at, "experiments_tab", "Dimensions & hypotheses"), "measured")
    assert list(hyp["dimension"]) == ["filters", "dense_units"]
    assert hyp["hypothesis"].iloc[0] == HYPOTHESIS
    assert "Best mean accuracy" in hyp["measured"].iloc[0]
    assert any(HYPOTHESIS in m.value for m in at.markdown)
    # parallel coordinates, importance, accuracy-vs-time and history; one effect plot per dimension
    effects = len(at.get("plotly_chart"))
    charts = len(open_tab(at, "experiments_tab", "Charts").get("plotly_chart"))
    assert charts >= 4 and effects >= 2
    assert not at.error


def test_filters_narrow_the_table(finished_study):
    at = _page(finished_study)
    at.multiselect(key="experiments_filter_filters").set_value([8]).run()
    table = _frame(at, "test accuracy")
    assert len(table) == 2 and set(table["filters"]) == {8}


def test_a_trial_becomes_the_active_model(finished_study):
    at = open_tab(_page(finished_study), "experiments_tab", "Best & models")
    number = at.selectbox(key="experiments_trial").value
    at.button(key="experiments_make_active").click().run()
    assert not at.exception
    path = at.session_state["active_model_path"]
    assert path.endswith(f"sweeps/{finished_study}/runs/trial-{number:04d}/model.keras")
    assert any(f"Trial {number} is the active model" in s.value for s in at.success)
    assert at.selectbox(key="sidebar_model_choice").value == path  # the sidebar follows
    key = f"sweep/{finished_study}/trial-{number:04d}"
    assert at.query_params["model"] in ([key], key)  # the URL carries the catalog key
    assert f"{finished_study} / trial-{number:04d}" in at.sidebar.caption[0].value  # not "sweep sweep-..."
    at.switch_page("../pages/data.py").run()
    assert at.session_state["active_model_path"] == path and at.query_params["model"] in ([key], key)


def test_the_trial_picker_opens_on_the_best_trial_with_readable_rates(finished_study):
    at = open_tab(_page(finished_study), "experiments_tab", "Best & models")
    best = report.best_row(report.trial_rows(storage.load_study(finished_study)))
    assert at.selectbox(key="experiments_trial").value == best["number"]
    assert any(f"**Best trial: {best['number']}**" in m.value for m in at.markdown)


def test_a_bad_study_name_is_refused_without_starting_anything(finished_study):
    at = _page(finished_study)
    at.text_input(key="experiments_study_name").set_value("bad name!")
    at.button(key="experiments_start").click().run()
    assert any("not allowed" in e.value for e in at.error)
    assert "bad name!" not in storage.local_studies()


def test_start_and_stop_a_sweep_from_the_page(finished_study, lab_home):
    at = _page(finished_study)
    at.text_input(key="experiments_study_name").set_value("ui-started")
    at.number_input(key="experiments_train_subset").set_value(100)
    at.number_input(key="experiments_test_subset").set_value(100)
    at.number_input(key="experiments_trials").set_value(2)
    at.button(key="experiments_start").click().run()
    assert not at.error, [e.value for e in at.error]
    assert at.session_state["experiments_study"] == "ui-started"
    assert report.driver_state("ui-started")["state"] == "running"
    assert at.button(key="experiments_stop")
    saved = json.loads((lab_home / "sweeps" / "ui-started" / "space.json").read_text())
    assert set(saved["dimensions"]) == {"conv_layers", "filters", "learning_rate"}
    assert saved["hypotheses"]["filters"]  # the example's hypotheses came along
    at.button(key="experiments_stop").click().run()
    assert (lab_home / "sweeps" / "ui-started" / "STOP").exists() or \
        report.driver_state("ui-started")["state"] != "running"
    deadline = time.time() + 180
    while report.driver_state("ui-started")["state"] == "running" and time.time() < deadline:
        time.sleep(0.5)
    state = report.driver_state("ui-started")
    assert state["state"] == "stopped", state
    at.run()
    assert at.button(key="experiments_resume")
    # the driver records "stopped", prints its summary, then exits: give it those moments, no more
    deadline = time.time() + 30
    while rundir.pid_alive(state["pid"]) and time.time() < deadline:
        time.sleep(0.2)
    assert not rundir.pid_alive(state["pid"])
