"""The Greek page's transfer-learning block: start a new head in the background, watch it, compare with KNN.

A transfer run is an ordinary run directory (kind "transfer"); like the Train page, the block
re-attaches to it after a reload.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from app.jobs import watch_run
from app.run_attach import attach, attached_run
from core.errors import LabError
from core.paths import workspace_dir
from core.runs import rundir
from core.runs.plots import TEST_COLOR, TRAIN_COLOR, progress_view

RUN_KEY = "greek_run"
URL_KEY = "transfer"
HELD_OUT = ("A third of this set", "My letters", "Another folder")


def run_chart(run_dir: Path, status: dict) -> None:
    """State, progress with ETA, Stop, and the accuracy of the training and held-out letters per epoch."""
    from core.runs.jobs import stop_run

    metrics = rundir.read_metrics(run_dir)
    state = status.get("state")
    progress = rundir.read_progress(run_dir)
    epochs = progress.get("epochs") or (rundir.read_json(Path(run_dir) / "config.json", {}) or {}).get("epochs")
    st.markdown(f"Transfer run `{Path(run_dir).name}`: **{state}**, epoch {len(metrics)}/{epochs or '?'}")
    if state in rundir.ACTIVE_STATES:
        view = progress_view(status, progress, metrics)
        st.progress(view["fraction"], text=view["text"])
        if st.button("Stop after this batch", key="greek_stop"):
            stop_run(run_dir)
    if metrics:
        frame = pd.DataFrame(metrics).set_index("epoch")[["train_accuracy", "test_accuracy"]]
        frame.columns = ["training letters", "held-out letters"]
        st.line_chart(frame, height=240, x_label="epoch", y_label="accuracy",
                      color=[TRAIN_COLOR, TEST_COLOR])  # the Train page's colours, not two blues
    if state == "failed":
        st.error(status.get("error") or "The run failed.")
    if state not in rundir.ACTIVE_STATES:  # the comparison is written just before the final state
        comparison_ui(run_dir)


def comparison_ui(run_dir: Path) -> None:
    """The new head beside KNN on the same held-out letters (once the run has written it)."""
    from core.greek.transfer import read_comparison

    compare = read_comparison(run_dir)
    if compare:
        c1, c2 = st.columns(2)
        c1.metric("Transfer head on held-out letters", f"{compare['test_accuracy']:.1%}")
        c2.metric(f"{compare['k']}-NN on the same letters", f"{compare['knn_accuracy']:.1%}")
        st.dataframe(pd.DataFrame(compare["rows"]), hide_index=True, key="greek_compare")


def _held_out_folder(held: str, column) -> Path | None:
    if held == HELD_OUT[1]:
        return workspace_dir("my_letters")
    if held == HELD_OUT[2]:
        text = column.text_input("Folder of held-out letters", key="greek_test_folder",
                                 persist_state="page")
        return Path(text.strip()).expanduser() if text.strip() else None
    return None


def _start(folder: Path, test_dir: Path | None, held: str, model_path: str, epochs: int) -> None:
    from core.greek.transfer import load_transfer_data, make_transfer_config
    from core.runs.jobs import start_run

    try:
        if held != HELD_OUT[0] and test_dir is None:
            raise LabError("Enter the folder of held-out letters.")
        config = make_transfer_config(model_path, folder.resolve(), test_dir, epochs=epochs)
        load_transfer_data(config)  # bad folders are reported now, not in the worker
        attach(start_run(config, label="greek-transfer"), RUN_KEY, URL_KEY)
    except LabError as exc:
        st.error(str(exc))


def transfer_run() -> Path | None:
    """The transfer run this session shows: its own, the URL's, or one queued or running now."""
    return attached_run(RUN_KEY, URL_KEY, kinds=("transfer",))


def transfer_ui(folder: Path, symbols, model_path: str, run: Path | None) -> None:
    """The block: held-out choice, epochs, the Train button, then the watched run (`run`, from
    `transfer_run`, or the one the button starts) and its comparison."""
    st.subheader("Transfer learning: a new head on the frozen network")
    st.markdown(f"The network is frozen up to its embedding layer and a new {len(symbols.class_names)}-output "
                "softmax head is trained on these letters in the background.")
    c1, c2 = st.columns(2)
    held = c1.radio("Held-out letters", HELD_OUT, key="greek_heldout", persist_state="page")
    epochs = c2.slider("Epochs", 5, 100, 30, key="greek_epochs", persist_state="page")
    test_dir = _held_out_folder(held, c1)
    if st.button("Train the new head", type="primary", key="greek_train"):
        _start(folder, test_dir, held, model_path, epochs)
        run = transfer_run()
    if run is not None:
        watch_run(run, run_chart, key="greek_transfer")
