"""The Greek page (AppTest): default set, 128 numbers, SSD tables, heatmap, KNN, own letters, transfer."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

from streamlit.testing.v1 import AppTest

from core.paths import workspace_dir
from tests.pages.apptest import open_tab

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")
HANGYIN = "handwriting/greek/hangyin2020-cs5330_p5/greek_train_own"


def _greek_page():
    at = AppTest.from_file(ENTRY, default_timeout=90)
    at.run()
    at.switch_page("../pages/greek.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _tab(at: AppTest, label: str) -> AppTest:
    return open_tab(at, "greek_tab", label)


def _text(at) -> str:
    return " ".join(m.value for m in at.markdown)


def _frames(at) -> list:
    return [d.value for d in at.dataframe]


def _ssd_tables(at) -> dict:
    """{class of the chosen example: its SSD table} (dataframes carry no key in AppTest)."""
    return {t["class"].iloc[0]: t for t in _frames(at) if "SSD" in t.columns}


def test_first_start_shows_the_default_set_ssd_tables_heatmap_and_knn():
    at = _greek_page()
    assert "36 images, 3 classes" in _text(at)
    assert "gives **128 numbers**" in _text(at)
    assert _frames(at)[0].shape == (1, 128)
    assert not _ssd_tables(at) and not at.metric  # the other tabs wait until opened
    tables = _ssd_tables(_tab(at, "SSD tables"))
    assert sorted(tables) == ["alpha", "beta", "gamma"]
    for letter, table in tables.items():
        assert len(table) == 36 and table["SSD"].iloc[0] == 0.0
        assert table["file"].iloc[0] == f"{letter}_001.png"  # default: the first of each class
        assert list(table["SSD"]) == sorted(table["SSD"])
        assert table["image"].iloc[0].startswith("data:image/png")
    assert any("greek_heatmap" in c.proto.id for c in at.get("plotly_chart"))
    _tab(at, "KNN")
    assert at.metric[0].label == "Leave-one-out accuracy" and at.metric[0].value == "100.0%"
    confusion = next(f for f in _frames(at) if "accuracy" in f.columns)
    assert confusion.loc["true beta", "predicted beta"] == 12
    at.slider(key="greek_k").set_value(5).run()
    assert at.metric[0].value == "100.0%" and not at.exception
    _tab(at, "SSD tables").selectbox(key="greek_ssd_pick_alpha").select(3).run()  # another example of alpha
    assert _ssd_tables(at)["alpha"]["file"].iloc[0] == "alpha_004.png"


def test_projection_as_hover_pictures_or_plotly_with_pca_and_tsne():
    at = _tab(_greek_page(), "2-D map")
    charts = at.get("vega_lite_chart")
    assert charts and "data:image/png;base64" in str(charts[0].proto)  # the hover pictures
    at.radio(key="greek_projection").set_value("t-SNE").run()
    at.radio(key="greek_chart").set_value("Plotly (click points)").run()
    assert not at.exception
    scatter = [c for c in at.get("plotly_chart") if "greek_scatter" in c.proto.id]
    assert scatter and '"name":"alpha"' in scatter[0].proto.spec.replace(" ", "")


def test_bad_folders_give_clear_messages(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_ALLOW_SERVER_FOLDERS", "1")  # AppTest binds nowhere: allow the server's disk
    at = _greek_page()
    at.radio(key="greek_source").set_value("A folder on this computer").run()
    (tmp_path / "empty").mkdir()
    at.text_input(key="greek_folder").input(str(tmp_path / "empty")).run()
    assert "contains no images" in at.error[0].value and not at.exception
    at.radio(key="greek_source").set_value("Upload a zip").run()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("alpha_001.png", (Path(ENTRY).parents[1] / "assets/greek/alpha_001.png").read_bytes())
        z.writestr("alpha_002.png", (Path(ENTRY).parents[1] / "assets/greek/alpha_002.png").read_bytes())
    at.file_uploader(key="greek_zip").upload("one.zip", buf.getvalue(), "application/zip").run()
    assert "only 1 class" in at.error[0].value and not at.exception


def test_an_uploaded_photo_finds_its_neighbours_and_can_be_saved(shared_data):
    at = _greek_page()
    photo = shared_data / HANGYIN / "beta" / "untitled_28.png"
    at.file_uploader(key="greek_photos").upload(photo.name, photo.read_bytes(), "image/png").run()
    assert not at.exception
    assert "KNN vote (k=1): **beta**" in _text(at)
    at.text_input(key="greek_label_0").input("beta").run()
    at.button(key="greek_save_0").click().run()
    assert any("in my letters" in s.value for s in at.success)
    assert list((workspace_dir("my_letters") / "beta").glob("*.png"))


def test_transfer_learning_runs_in_the_background_and_is_compared_with_knn(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_RUNS_DIR", str(tmp_path / "runs"))
    at = _tab(_greek_page(), "Transfer learning")
    at.slider(key="greek_epochs").set_value(5).run()
    at.button(key="greek_train").click().run()
    assert not at.exception and "Transfer run" in _text(at)
    deadline = time.time() + 240
    while time.time() < deadline and not any(m.label.startswith("Transfer head") for m in at.metric):
        time.sleep(1.0)
        at.run()  # AppTest does not fire the polling fragment's timer
    labels = [m.label for m in at.metric]
    assert "Transfer head on held-out letters" in labels and "1-NN on the same letters" in labels
    assert "**finished**, epoch 5/5" in _text(at)
    rows = next(f for f in _frames(at) if "transfer" in f.columns)
    assert len(rows) == 12 and set(rows.columns) >= {"label", "transfer", "knn"}


def test_an_active_transfer_run_is_re_attached_after_a_reload(tmp_path, monkeypatch):
    import os
    import socket

    from core.greek.transfer import make_transfer_config
    from core.runs import rundir

    monkeypatch.setenv("LAB_RUNS_DIR", str(tmp_path / "runs"))
    run = rundir.new_run_dir(tmp_path / "runs", "symbols-greek-transfer")
    rundir.write_config(run, make_transfer_config("base.keras", "assets/greek", epochs=7))
    # a live worker on this host (this process), as a transfer run started before the reload
    rundir.write_status(run, state="running", pid=os.getpid(), host=socket.gethostname(), started=time.time())
    at = _greek_page()  # a new session: nothing in session state, as after pressing F5
    assert at.session_state["greek_tab"] == "Transfer learning"  # it opens on the run, not on Embedding
    assert f"Transfer run `{run.name}`: **running**, epoch 0/7" in _text(at)
    assert at.query_params["transfer"] == run.name  # the URL keeps it for the next reload
    assert at.button(key="greek_stop")


def test_knn_notes_are_measured_for_the_active_model_and_the_reference_is_labelled():
    at = _tab(_greek_page(), "KNN")
    assert not [f for f in _frames(at) if "distances" in f.columns]  # computed only once opened
    at.session_state["greek_knn_notes"] = True  # the reader opens "Why not just the raw 128 numbers?"
    at.run()
    modes = next(f for f in _frames(at) if "distances" in f.columns)
    assert len(modes) == 3 and list(modes["correct"]) == ["36/36"] * 3  # the default set, every mode
    assert "On this set, with the active model, leave-one-out 1-NN" in _text(at)
    assert "with the **shipped default model** (not the active one)" in _text(at)
    at.slider(key="greek_k").set_value(3).run()
    assert "leave-one-out 3-NN" in _text(at) and not at.exception


def test_all_images_are_drawn_only_once_their_box_is_opened():
    def galleries(at):  # one st.image call per class, a caption per letter
        return [len(i.proto.imgs) for i in at.get("image") if len(i.proto.imgs) > 1]

    at = _greek_page()
    assert galleries(at) == []
    at.session_state["greek_all_images"] = True
    at.run()
    assert galleries(at) == [12, 12, 12]  # the default set: 12 alphas, 12 betas, 12 gammas
