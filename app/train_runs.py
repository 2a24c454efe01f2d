"""The Train page's runs table (open, make active, download, delete) and the model upload box."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app.active_model import activate_button, set_active
from core.runs import rundir
from core.nets.catalog import save_upload
from core.errors import LabError
from core.paths import runs_dir
from core.runs.table import run_label, table_rows

CONFIRM_KEY = "train_confirm_delete"


POLL_S = 2.0


def _any_active(summaries: list[dict]) -> bool:
    return any(s["state"] in rundir.ACTIVE_STATES for s in summaries)


def runs_section(open_run) -> None:
    """All runs as a table, then actions on the one picked below it.

    While any run is queued or running - also one this page does not watch, started in another tab
    or on the Greek page - the section polls itself, so no state is left saying "(running)" after
    the run ended; the rerun after the last one ends turns polling off.

    Args:
        open_run: callable(run_dir) that shows a run's charts at the top of the page.
    """
    active = _any_active(rundir.list_runs(runs_dir()))

    @st.fragment(run_every=POLL_S if active else None)
    def _live():
        summaries = rundir.list_runs(runs_dir())
        if active and not _any_active(summaries):
            st.rerun()  # the whole page: the sidebar lists the new model, polling stops
        _runs_body(summaries, open_run)

    _live()


def _runs_body(summaries: list[dict], open_run) -> None:
    if not summaries:
        st.info("No runs yet: configure a network above and press **Start training**.")
        return
    rows = table_rows(summaries)
    for row in rows:  # shown as a percentage column
        row["best test acc"] = None if row["best test acc"] is None else 100 * row["best test acc"]
    st.dataframe(rows, hide_index=True, width="stretch", key="train_runs_table", column_config={
        "best test acc": st.column_config.NumberColumn("best test acc", format="%.2f %%")})
    by_path = {s["path"]: s for s in summaries}
    path = st.selectbox("Run", list(by_path), format_func=lambda p: run_label(by_path[p]), key="train_pick_run")
    summary = by_path[path]
    run_dir = Path(path)
    model = run_dir / "model.keras"
    cols = st.columns(4)
    if cols[0].button("Open charts", key="train_open_run", icon=":material/show_chart:"):
        open_run(run_dir)
    with cols[1]:
        activate_button("Make active model", model, "train_activate_run", toast=f"Run {run_dir.name}",
                        disabled=not model.is_file())
    if model.is_file():
        cols[2].download_button("Download .keras", model.read_bytes(), file_name=f"{run_dir.name}.keras",
                                mime="application/zip", key="train_download_run", icon=":material/download:")
    active = summary["state"] in rundir.ACTIVE_STATES
    if cols[3].button("Delete...", key="train_delete_run", disabled=active, icon=":material/delete:",
                      help="Stop the run first" if active else None):
        st.session_state[CONFIRM_KEY] = path
    if st.session_state.get(CONFIRM_KEY) == path:
        _confirm_delete(run_dir)


def _confirm_delete(run_dir: Path) -> None:
    st.warning(f"Delete run `{run_dir.name}` and its model for good?")
    yes, no = st.columns(2)
    if yes.button("Yes, delete it", type="primary", key="train_delete_yes"):
        st.session_state.pop(CONFIRM_KEY, None)
        try:
            rundir.delete_run(run_dir)
        except (LabError, OSError) as exc:
            st.error(str(exc))
            return
        if st.session_state.get("train_run_dir") == str(run_dir):
            st.session_state.pop("train_run_dir", None)
            st.query_params.pop("run", None)
        st.session_state["train_deleted"] = run_dir.name
        st.rerun()
    if no.button("Cancel", key="train_delete_no"):
        st.session_state.pop(CONFIRM_KEY, None)
        st.rerun()


def upload_message(name: str, stored: Path) -> str:
    """What the page says after an upload, naming the stored file when the name was taken."""
    if stored.name == Path(name).name:
        return f"{name} was added and is now the active model."
    return (f"{name} was added as {stored.name} (uploads never replace an earlier file of the same "
            "name) and is now the active model.")


def upload_section() -> None:
    """Upload a `.keras` model: checked (safe mode, 28x28x1 input, softmax output), then made active."""
    uploaded = st.file_uploader("Upload a .keras model", type=None, key="train_upload",
                                help="A Keras 3 model saved with model.save('name.keras'): 28x28x1 input, "
                                     "softmax output, standard layers only (no Lambda code).")
    names = st.text_input("Class names (optional)", key="train_upload_names",
                          placeholder="e.g. alpha, beta, gamma - one per output, in order",
                          help="Without names a 10-output model is read as digits 0-9, others as class 0..n-1.")
    if uploaded is None:
        return
    done = st.session_state.setdefault("train_uploads_done", {})
    if uploaded.file_id not in done:
        try:
            path = save_upload(uploaded.name, uploaded.getvalue(), names.split(",") if names.strip() else None)
        except LabError as exc:
            done[uploaded.file_id] = ("error", f"{uploaded.name} was not added: {exc}")
        else:
            set_active(path)
            done[uploaded.file_id] = ("ok", upload_message(uploaded.name, path))
            st.rerun()  # the sidebar, drawn before this, shows the new model
    kind, message = done[uploaded.file_id]
    (st.success if kind == "ok" else st.error)(message)
