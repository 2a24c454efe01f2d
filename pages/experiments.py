"""Experiments: automated architecture sweeps on Optuna and an explorer for their results."""

from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import streamlit as st

from app.active_model import activate_button
from app.widgets import stop_with_error, tab_sections
from core.errors import LabError
from core.paths import ASSETS_DIR
from core.data.datasets import DATASETS
from core.nets.config import PRESETS
from core.runs.rundir import read_json
from core.sweep import figures, launch, report, storage
from core.sweep.form import parse_values, values_text
from core.sweep.space import DIMENSIONS
from core.sweep.strategies import STRATEGIES

EXAMPLE = ASSETS_DIR / "sweeps" / "assignment_space.json"
POLL_S = 2.0


def _readable(params: dict) -> dict:
    """Parameters as people read them: 0.00038514381964677077 becomes 0.000385 (3 significant digits)."""
    return {k: float(f"{v:.3g}") if isinstance(v, float) else v for k, v in params.items()}


def new_sweep_ui() -> None:
    """The form that defines a search space with hypotheses and starts a sweep process."""
    example = read_json(EXAMPLE, {}) or {}
    st.markdown("Tick the dimensions to vary, give their values (a list like `8, 16, 32` or a range like "
                '`{"low": 0.0001, "high": 0.01, "log": true, "points": 5}`), and **write your hypothesis for '
                "each before running**: it is stored with the sweep and shown beside the measured effect.")
    defaults = {"conv_layers", "filters", "learning_rate"}
    table = pd.DataFrame([{"vary": n in defaults, "dimension": n, "what it changes": DIMENSIONS[n][1],
                           "values": values_text(example.get("dimensions", {}).get(n, [])),
                           "hypothesis": example.get("hypotheses", {}).get(n, "")} for n in DIMENSIONS])
    edited = st.data_editor(table, hide_index=True, width="stretch", key="experiments_space_table",
                            disabled=["dimension", "what it changes"],
                            column_config={"vary": st.column_config.CheckboxColumn(width="small"),
                                           "hypothesis": st.column_config.TextColumn(width="large")})
    c = st.columns(4)
    strategy = c[0].selectbox("Strategy", STRATEGIES, key="experiments_strategy",
                              help="grid: every combination; random/TPE: N trials; linear: one dimension at "
                                   "a time, others held at their best so far, cycling.")
    trials = c[1].number_input("Trials (0: whole grid / two linear cycles)", 0, 1000, 0,
                               key="experiments_trials")
    dataset = c[2].selectbox("Dataset", DATASETS, key="experiments_dataset")
    epochs = c[3].number_input("Epochs per trial", 1, 50, 1, key="experiments_epochs")
    c = st.columns(4)
    train_subset = c[0].number_input("Training images per trial", 100, 60000, 3000, step=500,
                                     key="experiments_train_subset")
    test_subset = c[1].number_input("Test images per trial", 100, 10000, 2000, step=500,
                                    key="experiments_test_subset")
    base = c[2].selectbox("Base network", list(PRESETS), key="experiments_base")
    name = c[3].text_input("Study name", value=f"sweep-{time.strftime('%Y%m%d-%H%M%S')}",
                           key="experiments_study_name")
    if st.button("Start sweep", type="primary", key="experiments_start"):
        try:
            chosen = edited[edited["vary"]]
            if chosen.empty:
                raise LabError("Tick at least one dimension to vary.")
            space = {"name": name, "base": base, "dataset": dataset, "train_subset": int(train_subset),
                     "test_subset": int(test_subset), "epochs": int(epochs),
                     "dimensions": {r.dimension: parse_values(r.dimension, r.values) for r in chosen.itertuples()},
                     "hypotheses": {r.dimension: r.hypothesis for r in chosen.itertuples() if r.hypothesis}}
            launch.start_sweep(space, strategy, int(trials) or None, name)
        except LabError as exc:
            st.error(str(exc))
            return
        st.session_state["experiments_study"] = name
        st.rerun()


def study_picker() -> str | None:
    studies = storage.local_studies()
    if not studies:
        return None
    if st.session_state.get("experiments_study") not in studies:
        st.session_state.pop("experiments_study", None)  # deleted, or never chosen: show the newest
    return st.selectbox("Study", studies, key="experiments_study")


def _load(name: str):
    info = storage.read_sweep_json(name)
    study = storage.load_study(name, info.get("storage"))
    return study, info


def progress_ui(name: str) -> None:
    """Live progress of a running sweep (polled), with Stop; reruns the page once it ends."""
    state = report.driver_state(name)
    running = state["state"] == "running"

    @st.fragment(run_every=POLL_S if running else None)
    def live():
        now = report.driver_state(name)
        try:
            study, info = _load(name)
        except LabError as exc:
            st.info(f"Starting... ({exc})")
            return
        rows = report.trial_rows(study)
        prog = report.progress(rows, int(study.user_attrs.get("n_trials") or info.get("n_trials") or 0),
                               now["state"] == "running")
        if running and now["state"] != "running":
            st.rerun()
        if running and st.session_state.get("experiments_seen_done") != (name, prog["done"]):
            first = st.session_state.get("experiments_seen_done") is None
            st.session_state["experiments_seen_done"] = (name, prog["done"])
            if not first:
                st.rerun()  # a trial finished: refresh the table and charts below
        c = st.columns(5)
        c[0].metric("Trials done", f"{prog['done']} / {prog['n_trials']}")
        c[1].metric("Running", prog["running"])
        c[2].metric("Failed", prog["failed"])
        c[3].metric("Best so far", "-" if prog["best_accuracy"] is None else f"{prog['best_accuracy']:.2%}")
        eta = prog["eta_s"]
        c[4].metric("ETA", "-" if eta is None else f"{eta / 60:.1f} min")
        st.progress(min(prog["done"] / max(prog["n_trials"], 1), 1.0),
                    text=f"sweep {now['state']}" + (" - stopping after this batch" if now["stop_requested"] else ""))

    live()
    if running:
        if st.button("Stop sweep", key="experiments_stop"):
            launch.stop_sweep(name)
            st.rerun()
    elif state["state"] in ("stopped", "killed", "failed"):
        st.caption(f"This sweep is {state['state']}{': ' + state['error'] if state.get('error') else ''}.")
        if st.button("Resume sweep", key="experiments_resume"):
            launch.resume_sweep(name)
            st.rerun()


def results_table_ui(rows: list[dict], dims: list[str]) -> pd.DataFrame:
    """A filterable table (sortable by clicking a column)."""
    frame = pd.DataFrame([{"trial": r["number"], "state": r["state"], **_readable(r["params"]),
                           "test accuracy": r["test_accuracy"], "train accuracy": r["train_accuracy"],
                           "test loss": r["test_loss"], "seconds": r["seconds"], "parameters": r["param_count"],
                           "error": r["error"]} for r in rows])
    c = st.columns([2, 2] + [1] * min(len(dims), 4))
    states = c[0].multiselect("States", sorted(frame["state"].unique()), key="experiments_filter_states",
                              persist_state="page")
    min_acc = c[1].slider("Minimum test accuracy", 0.0, 1.0, 0.0, 0.01, key="experiments_filter_acc",
                          persist_state="page")
    if states:
        frame = frame[frame["state"].isin(states)]
    if min_acc > 0:
        frame = frame[frame["test accuracy"].fillna(0) >= min_acc]
    for i, dim in enumerate(dims[:4]):
        options = sorted(frame[dim].dropna().unique().tolist(), key=str) if dim in frame else []
        picked = c[2 + i].multiselect(dim, options, key=f"experiments_filter_{dim}",
                                    persist_state="page")
        if picked:
            frame = frame[frame[dim].isin(picked)]
    st.dataframe(frame, hide_index=True, width="stretch", key="experiments_table",
                 column_config={"test accuracy": st.column_config.NumberColumn(format="percent"),
                                "train accuracy": st.column_config.NumberColumn(format="percent"),
                                "seconds": st.column_config.NumberColumn(format="%.1f")})
    st.caption(f"{len(frame)} of {len(rows)} trials shown. Click a column header to sort.")
    return frame


def charts_ui(study, rows: list[dict], dims: list[str]) -> None:
    if len(report.complete(rows)) < 2:
        st.info("The charts appear once at least two trials have finished.")
        return
    st.plotly_chart(figures.parallel_coordinates(study), key="experiments_parallel")
    importances, why = report.importance(study)
    if importances:
        st.plotly_chart(figures.importance_bars(importances), key="experiments_importance")
    else:
        st.info(why)
    color = st.selectbox("Colour points by", ["(none)"] + dims, key="experiments_color", persist_state="page")
    st.plotly_chart(figures.accuracy_vs_time(rows, None if color == "(none)" else color), key="experiments_scatter")
    st.plotly_chart(figures.history(study), key="experiments_history")


def dimensions_ui(rows: list[dict], dims: list[str], hypotheses: dict) -> None:
    """Each dimension's measured effect beside the hypothesis written before the sweep."""
    effects = report.dimension_effects(rows, dims)
    st.dataframe(pd.DataFrame(report.hypothesis_table(rows, dims, hypotheses)), hide_index=True,
                 width="stretch", key="experiments_hypotheses")
    for dim in dims:
        st.subheader(dim)
        left, right = st.columns([1, 2])
        left.markdown(f"**Hypothesis:** {hypotheses.get(dim) or '_none written_'}")
        left.markdown(f"**Measured:** {effects[dim]['summary']}")
        if effects[dim]["values"]:
            right.plotly_chart(figures.effect(rows, dim, effects[dim]), key=f"experiments_effect_{dim}")


def best_and_models_ui(rows: list[dict]) -> None:
    """The best configuration, and any trial's model made the active model."""
    best = report.best_row(rows)
    if best:
        size = f", {best['param_count']:,} parameters" if best["param_count"] else ""
        st.markdown(f"**Best trial: {best['number']}**, test accuracy {best['test_accuracy']:.2%} in "
                    f"{best['seconds'] or 0:.1f} s of training{size}")
        config = (read_json(Path(best["run_dir"]) / "config.json", {}) or {}) if best["has_model"] else {}
        st.json({"params": _readable(best["params"]), "network": config.get("net", {})}, expanded=False)
    with_model = [r for r in rows if r["has_model"]]
    if not with_model:
        st.info("No trial has a saved model yet.")
        return
    # The best trial first, so the picker opens on the trial named above it.
    with_model.sort(key=lambda r: (not best or r["number"] != best["number"], -(r["test_accuracy"] or 0)))
    labels = {r["number"]: f"trial {r['number']} - {r['test_accuracy'] or 0:.2%} - "
              + ", ".join(f"{k}={v}" for k, v in _readable(r["params"]).items()) for r in with_model}
    number = st.selectbox("Trial", list(labels), format_func=labels.get, key="experiments_trial",
                          persist_state="page")
    model_path = str(Path(next(r["run_dir"] for r in with_model if r["number"] == number)) / "model.keras")
    activate_button("Make this trial the active model", model_path, "experiments_make_active",
                    toast=f"Trial {number}")


st.title("Experiments")
st.caption("Sweep network variants along the assignment's dimensions with Optuna, then compare them.")
with st.expander("New sweep", expanded=not storage.local_studies()):
    new_sweep_ui()
study_name = study_picker()
if study_name is None:
    st.info("No sweeps yet: start one above, or run `python -m core sweep run --space "
            "assets/sweeps/assignment_space.json --strategy random --trials 20`.")
    st.stop()
progress_ui(study_name)
try:
    study, info = _load(study_name)
except LabError as exc:
    if report.driver_state(study_name)["state"] == "running":
        st.info("The sweep process is starting: trials appear here as they finish.")
        st.stop()
    stop_with_error(str(exc))
rows = report.trial_rows(study)
space = study.user_attrs.get("space") or info.get("space") or {}
dims = list(space.get("dimensions", {}))
hypotheses = study.user_attrs.get("hypotheses") or info.get("hypotheses") or {}
st.caption(f"Strategy **{study.user_attrs.get('strategy')}**, {space.get('dataset')} "
           f"({space.get('train_subset') or 'all'} training / {space.get('test_subset') or 'all'} test images, "
           f"{space.get('epochs')} epoch(s) per trial), storage `{info.get('storage', '')}`")
if not rows:
    st.info("No trials yet.")
    st.stop()
tab_sections({"Results": lambda: results_table_ui(rows, dims),
              "Charts": lambda: charts_ui(study, rows, dims),
              "Dimensions & hypotheses": lambda: dimensions_ui(rows, dims, hypotheses),
              "Best & models": lambda: best_and_models_ui(rows)}, key="experiments_tab")
