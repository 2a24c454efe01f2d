"""The network cut at its 128-unit dense layer, and sum-squared distances between embeddings."""

from __future__ import annotations

import numpy as np
import pytest

from core.greek.embedding import (embed, embedder, embedding_layer, feature_model, knn_features, ssd_matrix,
                            ssd_table)
from core.errors import LabError
from core.greek.symbols import load_folder
from core.paths import ASSETS_DIR


@pytest.fixture(scope="module")
def greek():
    return load_folder(ASSETS_DIR / "greek")


def test_first_training_example_gives_128_numbers(default_model, greek):
    import keras

    assert embedding_layer(default_model) == "dense1"
    vectors = embed(embedder(default_model), greek.images)
    assert vectors.shape == (len(greek), 128)
    # oracle: Keras' own sub-model up to dense1
    oracle = keras.Model(default_model.inputs[0], default_model.get_layer("dense1").output)
    expected = oracle.predict(greek.images[:4, ..., None], verbose=0)
    assert np.allclose(vectors[:4], expected, atol=1e-5)
    assert (vectors >= 0).all() and vectors[0].any()  # ReLU outputs, not all zero


def test_ssd_matrix_is_symmetric_with_zero_diagonal_and_matches_numpy(default_model, greek):
    e = embed(embedder(default_model), greek.images)
    d = ssd_matrix(e)
    assert np.array_equal(d, d.T) and np.all(np.diag(d) == 0)
    oracle = ((e[:, None, :].astype(np.float64) - e[None, :, :]) ** 2).sum(-1)
    assert np.allclose(d, oracle, rtol=1e-6, atol=1e-6)
    # letters of one kind are nearer each other than to other kinds, on average
    same = greek.labels[:, None] == greek.labels[None, :]
    assert d[same].mean() < d[~same].mean()


def test_ssd_table_is_sorted_and_starts_with_itself_at_zero(default_model, greek):
    e = embed(embedder(default_model), greek.images)
    first_beta = int(np.flatnonzero(greek.labels == 1)[0])
    rows = ssd_table(e, first_beta, greek.labels, greek.names, greek.class_names)
    assert len(rows) == len(greek)
    assert rows[0] == {"index": first_beta, "ssd": 0.0, "label": 1, "class": "beta",
                       "name": greek.names[first_beta]}
    assert [r["ssd"] for r in rows] == sorted(r["ssd"] for r in rows)
    assert rows[1]["ssd"] > 0


def test_knn_features_modes(default_model, greek):
    fm = feature_model(default_model)
    raw = knn_features(fm, greek.images[:5], "raw")
    assert np.allclose(raw, embed(embedder(default_model), greek.images[:5]), atol=1e-5)
    for mode in ("embedding", "combined"):
        f = knn_features(fm, greek.images[:5], mode)
        assert np.allclose(np.linalg.norm(f, axis=1), 1.0, atol=1e-5)
    with pytest.raises(LabError, match="Available modes"):
        knn_features(fm, greek.images[:1], "cosine")


def test_a_model_without_a_hidden_dense_layer_is_refused():
    from core.nets.config import ConvBlock, NetConfig
    from core.nets.network import build_model

    net = NetConfig(name="conv-only", conv=[ConvBlock(filters=4, pool_size=2)])
    with pytest.raises(LabError, match="no hidden dense layer"):
        embedding_layer(build_model(net, compile=False))


def test_all_modes_at_once_equal_each_mode_alone(default_model, greek):
    from core.greek.embedding import knn_features_by_mode

    fm = feature_model(default_model)
    together = knn_features_by_mode(fm, greek.images[:9])
    for mode, features in together.items():
        np.testing.assert_array_equal(features, knn_features(fm, greek.images[:9], mode))
