"""The Examine page with the default model: filters, filter2D beside conv1, galleries, epochs, Grad-CAM."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.pages.apptest import open_tab

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def _examine(drawn: dict | None = None, model_path: str | None = None) -> AppTest:
    at = AppTest.from_file(ENTRY, default_timeout=90)
    if drawn is not None:
        at.session_state["drawn_digit"] = drawn
    if model_path is not None:
        at.session_state["active_model_path"] = model_path
    at.run()
    at.switch_page("../pages/examine.py")
    at.run()
    assert not at.exception, at.exception
    return at


def _tab(at: AppTest, label: str) -> AppTest:
    return open_tab(at, "examine_tab", label)


def _pngs(at) -> int:
    return len([b for b in at.get("download_button") if b.proto.label == "Download PNG"])


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def _image_captions(at) -> list[str]:
    return [img.caption for element in at.get("image") for img in element.proto.imgs]


def _max_diffs(at) -> list[float]:
    return [float(m.value) for m in at.metric if m.label.startswith("Max |filter2D - network|")]


def test_default_model_filters_values_filter2d_and_galleries():
    at = _examine()
    # (1) 32 first-layer filters: a values table each (3 decimals) and the 8x4 grid picture
    assert any(c.startswith("conv1: 32 filters of 3x3") for c in _captions(at))
    tables = at.table
    assert len(tables) == 32
    assert tables[0].value.shape == (3, 3)
    assert all(re.fullmatch(r"-?\d\.\d{3}", v) for v in tables[0].value.to_numpy().ravel())
    stats = [df.value for df in at.dataframe if "norm" in df.value.columns]
    assert len(stats) == 1 and len(stats[0]) == 32
    assert not _max_diffs(at) and not at.multiselect  # the other tabs wait until opened
    pngs = _pngs(at)
    # (2) filter2D beside the network, max abs difference <= 1e-4, with what was accounted for
    _tab(at, "filter2D vs network")
    diffs = _max_diffs(at)
    assert len(diffs) == 2 and max(diffs) <= 1e-4
    assert "agree" in at.success[0].value
    accounted = " ".join(m.value for m in at.markdown)
    assert "bias" in accounted and "activation: relu" in accounted and "28x28 -> 26x26" in accounted
    pngs += _pngs(at) - 1  # the input picture above the tabs is on every run
    # (3) galleries for conv1, conv2, pool1 of the first training example (default)
    _tab(at, "Activations")
    assert at.radio(key="examine_source").value == "train"
    assert at.multiselect(key="examine_layers").value == ["conv1", "conv2", "pool1"]
    caps = _captions(at)
    for shape in ("26x26x32", "24x24x32", "12x12x32"):
        assert any(c.startswith(f"shape {shape}") for c in caps), shape
    assert "train example 0 (label 5)" in _image_captions(at)
    pngs += _pngs(at) - 1
    _tab(at, "Why this answer")
    pngs += _pngs(at) - 1
    # (6) every figure has its own PNG download
    assert pngs >= 9
    # no drawn digit yet: a hint pointing to the Draw page
    assert any("No drawn digit yet" in c for c in caps)


def test_drawn_digit_is_an_input_for_every_section(mnist):
    drawn = {"image": mnist.x_test[3].astype(np.float32) / 255.0, "source": "canvas"}
    at = _examine(drawn=drawn)
    assert not any("No drawn digit yet" in c for c in _captions(at))
    at.radio(key="examine_source").set_value("drawn").run()
    assert not at.exception
    assert "your drawing (canvas)" in _image_captions(at)
    assert max(_max_diffs(_tab(at, "filter2D vs network"))) <= 1e-4
    assert any("your drawing" in c for c in _image_captions(_tab(at, "Why this answer")) if c.startswith("Why"))
    assert any("Outputs of each layer for your drawing" in c for c in _captions(_tab(at, "Activations")))
    # the drawing can join the pooling comparison
    at.checkbox(key="examine_cmp_drawn").check().run()
    assert not at.exception and not at.error
    assert "your drawing (canvas)" in [c for c in _image_captions(at) if "pool1 outputs" in c][0]


def test_drawn_source_without_a_drawing_falls_back_with_a_warning():
    at = _examine()
    at.radio(key="examine_source").set_value("drawn").run()
    assert not at.exception
    assert "no drawn digit" in at.warning[0].value.lower()
    assert "train example 0 (label 5)" in _image_captions(at)


def test_test_example_by_index_and_bad_comparison_input(mnist):
    at = _examine()
    at.radio(key="examine_source").set_value("test").run()
    at.number_input(key="examine_test_index").set_value(3).run()
    assert not at.exception
    assert f"test example 3 (label {mnist.y_test[3]})" in _image_captions(at)
    _tab(at, "Activations")
    at.text_input(key="examine_cmp_indices").input("0, 99999").run()
    assert not at.exception
    assert any("There is no test example 99999" in e.value for e in at.error)
    at.text_input(key="examine_cmp_indices").input("4").run()
    assert any("Compare 2 or 3 test examples" in e.value for e in at.error)


def test_deeper_layer_is_browsed_per_input_channel_and_matches_filter2d():
    at = _examine()
    at.selectbox(key="examine_filter_layer").set_value("conv2").run()
    at.slider(key="examine_filter_channel").set_value(5).run()
    assert not at.exception
    assert any("conv2: 32 filters of 3x3 over 32 input channels" in c for c in _captions(at))
    assert len(at.table) == 32
    _tab(at, "filter2D vs network").selectbox(key="examine_f2d_layer").set_value("conv2").run()
    assert max(_max_diffs(at)) <= 1e-4
    _tab(at, "Filters")  # the choices made in a tab are still there when it opens again
    assert at.selectbox(key="examine_filter_layer").value == "conv2"
    assert at.slider(key="examine_filter_channel").value == 5


def test_filters_over_time_slider_covers_the_saved_epochs(default_model):
    from core.runs import rundir
    from core.paths import default_model_path

    saved = sorted(rundir.load_epoch_filters(default_model_path().parent))
    at = _tab(_examine(), "Filters over time")
    slider = at.select_slider(key="examine_epoch")
    assert list(slider.options) == [str(e) for e in saved] and saved[0] == 0
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download all epochs as an animated GIF" in labels
    slider.set_value(0).run()
    assert not at.exception
    assert any("saved epochs" in c for c in _captions(at))


def test_uploaded_model_without_history_says_so(default_model, tmp_path):
    from core.nets.catalog import save_upload
    from core.paths import default_model_path

    target = save_upload("examine_copy.keras", default_model_path().read_bytes())
    try:
        at = _examine(model_path=str(target))
        assert len(at.table) == 32
        assert any("no saved per-epoch filters" in i.value for i in _tab(at, "Filters over time").info)
    finally:
        target.unlink(missing_ok=True)
