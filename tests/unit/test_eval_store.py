"""Evaluations stored on disk by content: computed once per model file and test set, then read back."""

import shutil

import numpy as np
import pytest

from core.examine import eval_store
from core.examine.evaluate import LabelledImages, evaluate_on
from core.examine.histograms import weight_summaries
from core.paths import default_model_path


def _never(_path):
    raise AssertionError("the model was loaded although its evaluation is stored")


@pytest.fixture()
def model_copy(tmp_path):
    path = tmp_path / "copy.keras"  # not a run's model.keras: stores go to the workspace cache only
    shutil.copy(default_model_path(), path)
    return path


@pytest.fixture(scope="module")
def small_test_set(mnist):
    return LabelledImages("mnist", "MNIST digits", mnist.x_test[:300], mnist.y_test[:300],
                          list(mnist.class_names), "first 300")


def test_an_evaluation_is_computed_once_then_read_without_the_model(model_copy, small_test_set, default_model):
    loads = []
    first, weights = eval_store.evaluate_and_store(model_copy, small_test_set,
                                                    lambda p: loads.append(p) or default_model)
    assert len(loads) == 1
    again, weights_again = eval_store.evaluate_and_store(model_copy, small_test_set, _never)
    direct = evaluate_on(default_model, small_test_set)
    assert np.array_equal(again.probabilities, direct.probabilities)
    assert np.array_equal(again.labels, direct.labels) and again.accuracy == direct.accuracy
    oracle = weight_summaries(default_model)
    assert list(weights_again) == list(oracle) and list(weights_again["conv1"]) == ["kernel", "bias"]
    for layer, params in oracle.items():
        for param, s in params.items():
            got = weights_again[layer][param]
            assert got["size"] == s["size"] and got["mean"] == s["mean"] and got["std"] == s["std"]
            assert np.array_equal(got["counts"], s["counts"]) and np.array_equal(got["edges"], s["edges"])


def test_other_bytes_or_other_images_are_evaluated_afresh(model_copy, small_test_set, default_model, mnist):
    eval_store.evaluate_and_store(model_copy, small_test_set, lambda p: default_model)
    fewer = LabelledImages("mnist", "MNIST digits", mnist.x_test[:200], mnist.y_test[:200],
                           list(mnist.class_names), "first 200")
    assert eval_store.stored_evaluation(model_copy, fewer) is None
    with open(model_copy, "ab") as fh:
        fh.write(b"\0")  # another file version: another digest
    assert eval_store.stored_evaluation(model_copy, small_test_set) is None


def test_a_damaged_store_is_ignored_and_replaced(model_copy, small_test_set, default_model):
    eval_store.evaluate_and_store(model_copy, small_test_set, lambda p: default_model)
    name = eval_store._name(model_copy, small_test_set)
    stored = eval_store.store_folders(model_copy)[-1] / name
    stored.write_bytes(b"not a zip file")
    assert eval_store.stored_evaluation(model_copy, small_test_set) is None
    ev, _ = eval_store.evaluate_and_store(model_copy, small_test_set, lambda p: default_model)
    assert ev.accuracy == evaluate_on(default_model, small_test_set).accuracy
    assert eval_store.stored_evaluation(model_copy, small_test_set) is not None


def test_the_shipped_default_model_carries_its_mnist_evaluation(mnist, default_model):
    """models/default/evaluations/ holds the default model's MNIST evaluation for the current files."""
    found = eval_store.stored_evaluation(default_model_path(), mnist)
    assert found is not None, "run `python -m core evaluate --store` after re-training the default model"
    assert np.allclose(found[0].probabilities[:50], evaluate_on(default_model, mnist, limit=50).probabilities,
                       atol=1e-6)
