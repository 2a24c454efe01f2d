"""core.greek.lab: KNN measured in every feature mode, saving a user's letter, which models can embed."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from core.errors import LabError
from core.greek.embedding import FEATURE_MODES, feature_model, knn_features
from core.greek.knn import leave_one_out
from core.greek.lab import analyze, check_model, knn_by_mode, save_letter
from core.greek.symbols import load_folder
from core.paths import ASSETS_DIR


def test_knn_by_mode_gives_every_mode_as_leave_one_out_measures_it(default_model):
    symbols = load_folder(ASSETS_DIR / "greek")
    rows = knn_by_mode(analyze(default_model, symbols), symbols, k=3)
    assert [r["mode"] for r in rows] == list(FEATURE_MODES)
    fm = feature_model(default_model)
    for row in rows:  # the oracle: leave_one_out on features computed for that mode alone
        direct = leave_one_out(knn_features(fm, symbols.images, row["mode"]), symbols.labels, 3)
        assert (row["correct"], row["total"]) == (direct.correct, len(symbols))
        assert row["accuracy"] == pytest.approx(direct.accuracy)
        assert row["distances"] == FEATURE_MODES[row["mode"]]


def test_a_canvas_drawing_is_saved_as_a_greyscale_letter(tmp_path):
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[..., 3] = 255  # the canvas bakes its black background in
    rgba[100:180, 130:150, :3] = 255  # one white stroke
    path = save_letter(tmp_path, " alpha! ", rgba)
    assert path.parent.name == "alpha"
    saved = np.asarray(Image.open(path))
    assert saved.shape == (280, 280) and saved.dtype == np.uint8
    assert saved[140, 140] == 255 and saved[10, 10] == 0
    with pytest.raises(LabError, match="Give the letter a name"):
        save_letter(tmp_path, "  ", rgba)


def test_check_model_refuses_a_model_without_a_hidden_dense_layer(default_model):
    import keras

    check_model(default_model)
    inputs = keras.Input((28, 28, 1))
    x = keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(inputs))
    with pytest.raises(LabError, match="no hidden dense layer"):
        check_model(keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(x)))


def test_an_analysis_switches_knn_mode_without_recomputing(default_model):
    symbols = load_folder(ASSETS_DIR / "greek")
    analysis = analyze(default_model, symbols, "raw")
    assert analysis.mode == "raw" and analysis.features is analysis.raw
    combined = analysis.in_mode("combined")
    assert combined.features is analysis.by_mode["combined"] and combined.ssd is analysis.ssd
    with pytest.raises(LabError, match="Unknown feature mode"):
        analysis.in_mode("cosine")
