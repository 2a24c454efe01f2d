"""The Train page: form with live summary, start/watch/stop a run, runs table actions, model uploads."""

import json
import os
import shutil
import socket
import time
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.runs import jobs, rundir

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


@pytest.fixture()
def runs(tmp_path, monkeypatch):
    """A private runs folder, so runs made here are invisible to other tests."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("LAB_RUNS_DIR", str(folder))
    return folder


def _train_page(preset="assignment"):
    """The Train page in a new session, its form switched to `preset` (the quick preset comes first)."""
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/train.py")
    at.run()
    assert not at.exception
    if preset and at.selectbox(key="train_preset").value != preset:
        at.selectbox(key="train_preset").select(preset).run()
    return at


def test_the_quick_preset_is_the_first_choice_and_says_what_it_is(runs):
    at = _train_page(preset=None)
    assert at.selectbox(key="train_preset").value == "quick"
    assert at.number_input(key="train_quick_epochs").value == 3
    assert "99% MNIST test accuracy in three epochs" in " ".join(c.value for c in at.caption)


def _chart(at, key="train_live_chart") -> dict:
    charts = [c for c in at.get("plotly_chart") if key in c.proto.id]
    assert charts, "the live chart is missing"
    return json.loads(charts[0].proto.spec)


def _texts(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_form_shows_the_assignment_net_and_the_summary_follows_edits(runs):
    at = _train_page()
    assert at.selectbox(key="train_preset").value == "assignment"
    assert at.number_input(key="train_assignment_epochs").value == 12
    summary = at.dataframe[0].value
    assert list(summary["layer"]) == ["image", "conv1", "conv2", "pool1", "dropout1", "flatten", "dense1",
                                      "dropout2", "output"]
    assert "600,810 parameters" in _texts(at)
    at.number_input(key="train_assignment_f0").set_value(8).run()
    # conv1 8*9+8, conv2 9*8*32+32, dense1 4608*128+128, output 1290
    assert f"{80 + 2336 + 589952 + 1290:,} parameters" in _texts(at)
    at.number_input(key="train_assignment_nconv").set_value(4).run()
    at.selectbox(key="train_assignment_k3").select(7).run()
    at.selectbox(key="train_assignment_p3").select(3).run()
    assert "does not work" in at.error[0].value and "below 1x1" in at.error[0].value
    assert at.button(key="train_start").disabled
    assert "No runs yet" in at.info[0].value


def _run_dirs(runs) -> list:
    """The run directories in `runs` (not the spare worker's `.spares/`)."""
    return [p for p in runs.iterdir() if not p.name.startswith(".")]


def test_start_runs_in_the_background_and_the_page_shows_its_result(runs):
    at = _train_page()
    at.number_input(key="train_assignment_epochs").set_value(1)
    at.number_input(key="train_subset").set_value(1000)
    at.number_input(key="train_test_subset").set_value(500)
    at.button(key="train_start").click().run()
    assert not at.exception
    (run_dir,) = _run_dirs(runs)
    config = rundir.read_config(run_dir)
    assert (config["epochs"], config["train_subset"], config["test_subset"]) == (1, 1000, 500)
    assert config["net"]["name"] == "assignment"

    # A second tab starts another run meanwhile: it waits its turn, and Stop ends it while queued.
    for _ in range(600):
        if rundir.read_status(run_dir).get("state") != "queued":
            break
        time.sleep(0.1)
    other = _train_page()
    assert "state: **running**" in _texts(other)  # the second tab re-attached to the first run
    other.number_input(key="train_assignment_epochs").set_value(1)
    other.button(key="train_start").click().run()
    second = max(_run_dirs(runs))
    assert second != run_dir and "state: **queued**" in _texts(other)
    assert other.get("progress")[0].proto.text.startswith("Queued")
    other.button(key="train_stop").click().run()
    assert jobs.wait_for(second, timeout_s=60)["state"] == "stopped"
    other.run()
    assert "state: **stopped**" in _texts(other)

    assert jobs.wait_for(run_dir, timeout_s=240)["state"] == "finished"
    at.run()
    assert "state: **finished**" in _texts(at)
    spec = _chart(at)
    assert [t["name"] for t in spec["data"]][:2] == ["train accuracy", "test accuracy"]
    assert spec["data"][1]["x"] == [1]
    assert list(at.dataframe[-1].value["status"]) == ["stopped", "finished"]  # the runs table, newest first


def test_the_page_keeps_a_spare_worker_warming_for_the_next_start(runs, monkeypatch):
    from core.runs import spare
    from core.runs.liveness import pid_alive

    monkeypatch.delenv(spare.ENV_VAR, raising=False)  # the suite turns spares off; the lab has them on
    _train_page(preset=None)
    folder = spare.spares_dir(runs)
    pids = []
    for _ in range(1800):  # it starts once the server's background import is over, then imports Keras
        pids = [int(p.stem) for p in folder.glob("*.ready") if p.stem.isdigit()]
        if pids:
            break
        time.sleep(0.1)
    assert len(pids) == 1 and pid_alive(pids[0]), "no spare worker got ready for the Train page"
    shutil.rmtree(runs / spare.FOLDER)  # a spare whose folder goes away exits
    for _ in range(300):
        if not pid_alive(pids[0]):
            break
        time.sleep(0.1)
    assert not pid_alive(pids[0])


def _fake_run(runs: Path, state: str, epochs_done: int, model: Path | None = None) -> Path:
    """A run directory as a worker leaves it; 'running' points at this (alive) test process."""
    run_dir = runs / "20260101-120000-mnist-assignment"
    run_dir.mkdir(parents=True)
    rundir.write_config(run_dir, {"kind": "train", "dataset": "mnist", "epochs": 3,
                                  "net": {"name": "assignment"}})
    rundir.write_status(run_dir, state=state, pid=os.getpid(), host=socket.gethostname(),
                        started=time.time() - 60)
    for e in range(1, epochs_done + 1):
        rundir.append_metrics(run_dir, {"epoch": e, "train_accuracy": 0.9 + e / 100, "test_accuracy": 0.91 + e / 100,
                                        "train_loss": 0.3 / e, "test_loss": 0.25 / e, "seconds": 20.0})
    rundir.write_progress(run_dir, epoch=epochs_done + 1, epochs=3, batch=10, batches=469,
                          epoch_elapsed_s=1.0, epoch_eta_s=45.9)
    if model:
        shutil.copy(model, run_dir / "model.keras")
    return run_dir


def test_a_fresh_page_reattaches_to_the_running_run_and_stop_stops_it(runs):
    run_dir = _fake_run(runs, "running", epochs_done=2)
    at = _train_page()  # a new session, as after a reload or in a second tab
    assert "state: **running**" in _texts(at)
    assert _chart(at)["data"][1]["x"] == [1, 2]
    assert "Epoch 3/3, batch 10/469" in at.get("progress")[0].proto.text
    at.button(key="train_stop").click().run()
    assert rundir.stop_requested(run_dir)
    assert "Stopping after the current batch" in at.info[0].value
    rundir.write_status(run_dir, state="stopped", finished=time.time())  # what the worker does next
    at.run()
    assert "state: **stopped**" in _texts(at)
    assert at.get("progress")[0].proto.text.startswith("Stopped after 2 epoch")


def test_runs_table_make_active_download_and_delete_with_confirmation(runs, model_files):
    run_dir = _fake_run(runs, "finished", epochs_done=3, model=model_files["good"])
    at = _train_page()
    table = at.dataframe[-1].value
    assert list(table["status"]) == ["finished"] and list(table["epochs"]) == ["3/3"]
    assert round(float(table["best test acc"][0]), 2) == 94.0
    assert "state: **finished**" not in _texts(at)  # a finished run is not attached by itself
    at.button(key="train_open_run").click().run()
    assert f"**Run `{run_dir.name}`** - state: **finished**" in _texts(at)
    assert _chart(at)["data"][1]["x"] == [1, 2, 3]
    at.button(key="train_activate_run").click().run()
    assert at.session_state["active_model_path"] == str(run_dir / "model.keras")
    assert at.get("download_button")
    at.button(key="train_delete_run").click().run()
    assert "Delete run" in at.warning[0].value and run_dir.exists()
    at.button(key="train_delete_no").click().run()
    assert not at.warning and run_dir.exists()
    at.button(key="train_delete_run").click().run()
    at.button(key="train_delete_yes").click().run()
    assert not at.exception and not run_dir.exists()
    assert "No runs yet" in at.info[0].value


@pytest.fixture(scope="module")
def model_files(tmp_path_factory):
    """Model files a user might upload: one good, four bad in different ways."""
    import keras
    from keras import layers

    folder = tmp_path_factory.mktemp("uploads")

    def save(name, inputs, outputs):
        path = folder / name
        keras.Model(inputs, outputs).save(path)
        return path

    inp = keras.Input((28, 28, 1))
    files = {
        "good": save("good.keras", inp, layers.Dense(10, activation="softmax")(layers.Flatten()(inp))),
        "lambda": save("lambda.keras", inp, layers.Dense(10, activation="softmax")(
            layers.Flatten()(layers.Lambda(lambda t: t * 2.0)(inp)))),
        "no_softmax": save("logits.keras", inp, layers.Dense(10)(layers.Flatten()(inp))),
    }
    rgb = keras.Input((32, 32, 3))
    files["rgb"] = save("cifar.keras", rgb, layers.Dense(10, activation="softmax")(layers.Flatten()(rgb)))
    files["random"] = folder / "random.keras"
    files["random"].write_bytes(np.random.default_rng(0).bytes(5000))
    return files


@pytest.mark.parametrize("which, message", [
    ("random", "is not a Keras 3 `.keras` model file"),
    ("lambda", "contains Python code (e.g. a Lambda layer) and was refused"),
    ("rgb", "the lab needs a 28x28x1 greyscale input"),
    ("no_softmax", "has no softmax activation"),
])
def test_a_bad_model_upload_shows_why_and_changes_nothing(runs, model_files, which, message):
    from core.paths import default_model_path, workspace_dir

    at = _train_page()
    before = sorted(workspace_dir("uploads").iterdir())
    path = model_files[which]
    at.file_uploader(key="train_upload").upload(path.name, path.read_bytes(), "application/octet-stream").run()
    assert not at.exception
    assert len(at.error) == 1 and message in at.error[0].value
    assert at.error[0].value.startswith(f"{path.name} was not added")
    assert ".incoming" not in at.error[0].value  # the user's file name, not a temporary one
    assert at.session_state["active_model_path"] == str(default_model_path())  # still the default
    assert sorted(workspace_dir("uploads").iterdir()) == before


def test_a_good_model_upload_becomes_the_active_model(runs, model_files):
    at = _train_page()
    path = model_files["good"]
    at.file_uploader(key="train_upload").upload(path.name, path.read_bytes(), "application/octet-stream").run()
    assert not at.exception and not at.error
    assert "is now the active model" in at.success[0].value
    assert at.session_state["active_model_path"].endswith("uploads/good.keras")


def test_the_url_brings_back_a_finished_run_after_a_reload(runs):
    run_dir = _fake_run(runs, "finished", epochs_done=3)
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/train.py")
    at.query_params["run"] = run_dir.name
    at.run()
    assert not at.exception
    assert f"**Run `{run_dir.name}`** - state: **finished**" in _texts(at)
    fresh = AppTest.from_file(ENTRY, default_timeout=90)
    fresh.run()
    fresh.switch_page("../pages/train.py")
    fresh.query_params["run"] = "../" + run_dir.name + "/../../.."
    fresh.run()
    assert not fresh.exception and "**Run `" not in _texts(fresh)


def test_polling_runs_only_while_a_run_is_queued_or_running():
    from app.jobs import poll_interval

    assert poll_interval("queued") == poll_interval("running") == 1.0
    assert poll_interval("running", 2.5) == 2.5
    assert [poll_interval(s) for s in ("finished", "stopped", "failed", None)] == [None] * 4
