"""KNN in the embedding space: the mechanics on toy vectors and the quality bar on real letters."""

from __future__ import annotations

import numpy as np
import pytest

from core.greek.embedding import feature_model, knn_features
from core.errors import LabError
from core.greek.knn import classify, leave_one_out
from core.paths import ASSETS_DIR
from core.greek.symbols import load_folder


def test_leave_one_out_never_uses_the_image_itself():
    x = np.array([[0.0], [0.1], [5.0], [5.2], [0.2]])
    y = np.array([0, 0, 1, 1, 1])  # the last one sits among class 0
    r = leave_one_out(x, y, k=1)
    assert list(r.predicted) == [0, 0, 1, 1, 0]
    assert r.correct == 4 and r.accuracy == pytest.approx(0.8)
    assert list(r.neighbours[:, 0]) == [1, 0, 3, 2, 1]
    assert r.confusion().tolist() == [[2, 0], [1, 2]]


def test_ties_go_to_the_nearer_class_and_k_is_checked():
    r = classify(np.array([[0.0], [1.0], [3.0]]), np.array([0, 1, 1]), np.array([[0.9]]), k=2)
    assert r.predicted[0] == 1 and r.votes[0] == {1: 1, 0: 1}
    with pytest.raises(LabError, match="more than the 3 reference images"):
        classify(np.zeros((3, 2)), np.array([0, 1, 1]), np.zeros((1, 2)), k=4)
    with pytest.raises(LabError, match="at least two images"):
        leave_one_out(np.zeros((1, 2)), np.array([0]))


@pytest.fixture(scope="module")
def omniglot(shared_data):
    return load_folder(shared_data / "omniglot_greek")


def _loo(model, symbols, k=1, mode="combined"):
    return leave_one_out(knn_features(feature_model(model), symbols.images, mode), symbols.labels, k,
                         len(symbols.class_names))


def test_quality_bar_alpha_beta_gamma_all_right(default_model, omniglot):
    keep = np.isin(omniglot.labels, [omniglot.class_names.index(c) for c in ("alpha", "beta", "gamma")])
    abg = omniglot.subset(np.flatnonzero(keep))
    r = _loo(default_model, abg)
    assert r.correct == 60


def test_quality_bar_all_24_letters_at_least_95_percent(default_model, omniglot):
    assert len(omniglot) == 480
    r = _loo(default_model, omniglot)
    assert r.accuracy >= 0.95
    assert r.confusion().sum() == 480


def test_quality_bar_phone_photos_at_least_90_percent(default_model, shared_data):
    war = load_folder(shared_data / "handwriting/greek/warrier-arj-Recognition-using-Neural-Networks")
    assert _loo(default_model, war).accuracy >= 0.90


def test_default_set_is_classified_by_its_neighbours(default_model):
    greek = load_folder(ASSETS_DIR / "greek")
    assert _loo(default_model, greek, k=3).accuracy == 1.0
    # the raw embedding (the assignment's SSD) also separates the generated letters well
    assert _loo(default_model, greek, mode="raw").accuracy >= 0.9


def test_generated_default_set_recognises_real_handwritten_letters(default_model, shared_data, tmp_path):
    from tests.unit.greek_helpers import copy_letters

    greek = load_folder(ASSETS_DIR / "greek")
    real = load_folder(copy_letters(shared_data, tmp_path / "real", per_class=8))
    fm = feature_model(default_model)
    r = classify(knn_features(fm, greek.images), greek.labels, knn_features(fm, real.images), k=3,
                 test_labels=real.labels)
    assert real.class_names == greek.class_names and r.accuracy >= 0.9
