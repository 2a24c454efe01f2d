"""Transfer learning on real letters: frozen network, new 3-class head, trained by the worker."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from core.runs import rundir
from core.errors import LabError
from core.paths import default_model_path
from core.greek.transfer import holdout_split, load_transfer_data, make_transfer_config, read_comparison
from tests.unit.greek_helpers import copy_letters


@pytest.fixture(scope="module")
def folders(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("transfer")
    train = copy_letters(shared_data, root / "train", per_class=8, flat=False)
    test = root / "test"  # another person's iPad drawings of the same letters
    for letter in ("alpha", "beta", "gamma"):
        shutil.copytree(shared_data / "handwriting/greek/hangyin2020-cs5330_p5/greek_train_own" / letter,
                        test / letter)
    return train, test


def test_background_transfer_run_trains_only_a_new_head(folders, default_model, tmp_path):
    from core.runs.jobs import start_run, wait_for
    from core.nets.modelio import load_model

    train, test = folders
    config = make_transfer_config(default_model_path(), train, test, epochs=4)
    run_dir = start_run(config, root=tmp_path, label="greek-transfer")
    status = wait_for(run_dir, timeout_s=300)
    assert status["state"] == "finished", status
    metrics = rundir.read_metrics(run_dir)
    assert [m["epoch"] for m in metrics] == [1, 2, 3, 4]
    model = load_model(run_dir / "model.keras")
    assert model.output_shape == (None, 3)
    for name in ("conv1", "conv2", "dense1"):  # frozen: identical to the MNIST network
        for a, b in zip(model.get_layer(name).get_weights(), default_model.get_layer(name).get_weights()):
            assert np.array_equal(a, b)
    compare = read_comparison(run_dir)
    assert compare["classes"] == ["alpha", "beta", "gamma"] and compare["test_images"] == 9
    assert compare["test_accuracy"] >= 7 / 9 and compare["knn_accuracy"] >= 7 / 9
    assert compare["test_accuracy"] == pytest.approx(metrics[-1]["test_accuracy"])
    assert {r["label"] for r in compare["rows"]} == {"alpha", "beta", "gamma"}


def test_held_out_letters_of_an_unknown_class_are_refused(folders, shared_data, tmp_path):
    train, _ = folders
    other = tmp_path / "other"
    shutil.copytree(shared_data / "handwriting/greek/hangyin2020-cs5330_p5/greek_train_own/delta",
                    other / "delta")
    with pytest.raises(LabError, match="classes the training folder lacks: delta"):
        load_transfer_data(make_transfer_config(default_model_path(), train, other))


def test_without_a_test_folder_a_third_of_each_class_is_held_out(folders):
    train, test = load_transfer_data(make_transfer_config(default_model_path(), folders[0]))
    assert len(train) == 15 and len(test) == 9
    assert sorted(test.counts().values()) == [3, 3, 3]
    assert not set(train.names) & set(test.names)
    tr, te = holdout_split(np.array([0, 0, 1, 1, 1, 1]), 0.34)
    assert list(te) == [0, 4] and list(tr) == [1, 2, 3, 5]  # one of each class, never all of one
    with pytest.raises(LabError, match="at least two images per class"):
        holdout_split(np.array([0, 1, 1]), 0.34)
