"""Train: configure a network, start training in the background, watch it live, manage runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import preload, run_attach, train_form
from app.active_model import activate_button
from app.jobs import watch_run
from app.train_runs import runs_section, upload_section
from core.runs import jobs, rundir
from core.nets.config import ACTIVATIONS, PRESETS, NetConfig, describe, preset
from core.data.datasets import DATASETS, TITLES, available_datasets, input_shape, offline, unavailable_message
from core.errors import LabError
from core.nets.summary import apply_edits, diagram_figure
from core.runs.training import make_train_config
from core.runs.plots import metrics_figure, progress_view

RUN_KEY = "train_run_dir"


def attach(run_dir: Path) -> None:
    """Watch `run_dir` on this page; the URL keeps it so a reload re-attaches."""
    run_attach.attach(run_dir, RUN_KEY)


def attached_run() -> Path | None:
    """The run this page shows: this session's, the one in the URL, or the newest active one."""
    return run_attach.attached_run(RUN_KEY)


@st.cache_data(max_entries=64, show_spinner="Building the model summary...")
def model_summary(config_json: str) -> dict:
    """Layer table of a config (built once per distinct config)."""
    from core.nets.summary import summarize_config

    return summarize_config(NetConfig.from_json(config_json))


# ---- the watched run -------------------------------------------------------------------------

def run_view(run_dir: Path, status: dict) -> None:
    """Progress bar with ETA, live accuracy/loss charts, Stop, and what to do when it is over."""
    state = status.get("state", "unknown")
    config = rundir.read_json(run_dir / "config.json", {}) or {}
    metrics = rundir.read_metrics(run_dir)
    st.markdown(f"**Run `{run_dir.name}`** - state: **{state}**")
    view = progress_view(status, rundir.read_progress(run_dir), metrics)
    st.progress(view["fraction"], text=view["text"])
    if state == "failed":
        st.error(f"The run failed: {status.get('error') or 'no reason recorded'}")
    epochs = config.get("epochs")
    figure = metrics_figure(metrics, epochs)
    figure.update_layout(margin={"t": 64})  # room above the subplot titles for the chart's toolbar
    st.plotly_chart(figure, key="train_live_chart")
    if metrics:
        last = metrics[-1]
        st.caption(f"Epoch {last['epoch']}/{epochs}: train accuracy {last['train_accuracy']:.2%}, "
                   f"test accuracy {last['test_accuracy']:.2%}, {last['seconds']:.1f} s.")
    if state in rundir.ACTIVE_STATES:
        if rundir.stop_requested(run_dir):
            st.info("Stopping after the current batch...")
        elif st.button("Stop", key="train_stop", icon=":material/stop:"):
            jobs.stop_run(run_dir)
            st.info("Stopping after the current batch...")
    elif (run_dir / "model.keras").is_file():
        activate_button("Make this run the active model", run_dir / "model.keras", "train_make_active_current",
                        toast=f"Run {run_dir.name}")


# ---- the form ---------------------------------------------------------------------------------

def architecture_editor(base: NetConfig, k: str) -> tuple[list[dict], list[dict], dict]:
    """Widgets for conv blocks, dense layers, activation and L2; returns the editor's values."""
    activation = st.selectbox("Activation", ACTIVATIONS,
                              index=ACTIVATIONS.index(base.conv[0].activation if base.conv else "relu"),
                              key=k + "act")
    n_conv = st.number_input("Conv blocks", 0, 4, len(base.conv), key=k + "nconv")
    conv = []
    for i in range(int(n_conv)):
        b = base.conv[i] if i < len(base.conv) else base.conv[-1] if base.conv else None
        cols = st.columns(4)
        conv.append({
            "filters": int(cols[0].number_input(f"Filters {i + 1}", 1, 256, b.filters if b else 32, key=f"{k}f{i}")),
            "kernel_size": int(cols[1].selectbox(f"Kernel {i + 1}", (1, 3, 5, 7), index=(1, 3, 5, 7).index(
                b.kernel_size) if b and b.kernel_size in (1, 3, 5, 7) else 1, key=f"{k}k{i}")),
            "pool_size": int(cols[2].selectbox(f"Pool {i + 1}", (0, 2, 3), index=(0, 2, 3).index(
                b.pool_size) if b and b.pool_size in (0, 2, 3) else 0, key=f"{k}p{i}",
                help="Max-pooling size after this conv (0: none)")),
            "dropout": float(cols[3].number_input(f"Dropout {i + 1}", 0.0, 0.9, float(b.dropout) if b else 0.0,
                                                  0.05, key=f"{k}d{i}")),
            "activation": activation,
        })
    n_dense = st.number_input("Hidden dense layers", 0, 3, len(base.dense), key=k + "ndense")
    dense = []
    for j in range(int(n_dense)):
        d = base.dense[j] if j < len(base.dense) else None
        cols = st.columns(2)
        dense.append({
            "units": int(cols[0].number_input(f"Dense units {j + 1}", 1, 2048, d.units if d else 128,
                                              key=f"{k}u{j}")),
            "dropout": float(cols[1].number_input(f"Dense dropout {j + 1}", 0.0, 0.9, float(d.dropout) if d else 0.0,
                                                  0.05, key=f"{k}dd{j}")),
            "activation": activation,
        })
    l2 = st.number_input("L2 weight penalty", 0.0, 0.1, float(base.l2), 0.0001, format="%.4f", key=k + "l2")
    return conv, dense, {"l2": float(l2)}


def new_run_form() -> None:
    """The form of a new run, with a live model summary and diagram, and the Start button."""
    left, right = st.columns([1, 1], gap="large")
    with left:
        name = st.selectbox("Preset", list(PRESETS), key="train_preset",
                            help="Start from a known network; every field below can be changed.")
        st.caption(describe(name))
        base = preset(name)
        k = f"train_{name}_"
        on_disk = available_datasets()
        dataset = st.selectbox("Dataset", DATASETS, format_func=lambda d: TITLES[d] + (
            "" if on_disk.get(d) else " (not downloaded)"), key="train_dataset")
        c1, c2, c3 = st.columns(3)
        epochs = c1.number_input("Epochs", 1, 200, base.epochs, key=k + "epochs")
        batch = c2.number_input("Batch size", 8, 2048, base.batch_size, key=k + "batch")
        lr = c3.number_input("Learning rate", 0.00001, 1.0, base.learning_rate, format="%.5f", key=k + "lr")
        c1, c2, c3 = st.columns(3)
        seed = c1.number_input("Seed", 0, 2**31 - 1, base.seed, key=k + "seed")
        train_subset = c2.number_input("Training images (0 = all)", 0, 60000, 0, 1000, key="train_subset")
        test_subset = c3.number_input("Test images (0 = all)", 0, 10000, 0, 500, key="train_test_subset")
        with st.expander("Architecture", expanded=True):
            conv, dense, extra = architecture_editor(base, k)
    try:
        net = apply_edits(base, conv, dense, epochs=int(epochs), batch_size=int(batch),
                          learning_rate=float(lr), seed=int(seed),
                          input_shape=input_shape(dataset), **extra)
    except LabError as exc:
        net = None
        right.error(f"This architecture does not work: {exc}")
    with right:
        if net is not None:
            summary = model_summary(net.to_json())
            st.markdown(f"**Model summary** - {summary['total_params']:,} parameters")
            st.dataframe([{"layer": r["name"], "type": r["type"], "output shape": r["output_shape"],
                           "params": r["params"]} for r in summary["layers"]],
                         hide_index=True, width="stretch", key="train_summary")
            st.plotly_chart(diagram_figure(summary["layers"]), key="train_diagram",
                            config={"displayModeBar": False})
    if st.button("Start training", type="primary", disabled=net is None, key="train_start",
                 icon=":material/play_arrow:"):
        start(net, dataset, int(train_subset) or None, int(test_subset) or None, on_disk)


def start(net: NetConfig, dataset: str, train_subset, test_subset, on_disk: dict) -> None:
    """Launch the worker (queued behind any other run) and attach this page to it."""
    if not on_disk.get(dataset) and offline():
        st.error(unavailable_message(dataset))
        return
    config = make_train_config(net, dataset=dataset, train_subset=train_subset, test_subset=test_subset)
    try:
        run_dir = jobs.start_run(config, queue=True)
    except (LabError, OSError) as exc:
        st.error(f"Could not start the run: {exc}")
        return
    attach(run_dir)
    st.rerun()


st.title("Train")
st.caption("Training runs in its own background process: leave the page, reload or open another tab, "
           "and come back - the run goes on and this page re-attaches to it.")
current = attached_run()
if current is not None:
    with st.container(border=True):
        watch_run(current, run_view, key="train_watch")
st.subheader("New run")
train_form.restore()  # the user's last settings, also after a reload
new_run_form()
train_form.remember()
# A warm worker waits for Start, so the first batch comes within seconds; its import waits for the server's.
preload.when_done(jobs.keep_spare_ready)
st.subheader("Runs")
runs_section(open_run=lambda run_dir: (attach(run_dir), st.rerun()))
if st.session_state.pop("train_deleted", None):
    st.toast("Run deleted.")
st.subheader("Upload a model")
upload_section()
