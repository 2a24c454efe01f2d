"""Every model knows what it is: digits, another classifier with its class names, or no classifier."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from core.cli import main
from core.errors import ModelFileError
from core.nets.catalog import find_entry, list_models, save_upload
from core.nets.kind import CLASSIFIER, DIGITS, NO_CLASSIFIER, kind_from_config, model_kind, sidecar_path
from core.paths import default_model_path
from tests.unit.model_kinds import save_five_output_model, train_transfer_run


@pytest.fixture(scope="module")
def transfer_run(tmp_path_factory):
    return train_transfer_run(tmp_path_factory.mktemp("kind_runs"))


def test_the_default_model_is_a_digit_classifier():
    kind = model_kind(default_model_path())
    assert kind.kind == DIGITS and kind.class_names == tuple("0123456789") and kind.describe() == "digit classifier (0-9)"


def test_training_runs_record_their_class_names():
    from core.nets.config import preset
    from core.runs.training import make_train_config

    config = make_train_config(preset("fast"), dataset="fashion_mnist")
    assert config["class_names"][0] == "T-shirt/top" and len(config["class_names"]) == 10
    kind = kind_from_config(config)
    assert kind.kind == CLASSIFIER and kind.dataset == "fashion_mnist"
    assert kind.describe().startswith("Fashion-MNIST classifier (10 classes: T-shirt/top, Trouser")
    old = {k: v for k, v in config.items() if k != "class_names"}  # a run from before names were recorded
    assert kind_from_config(old).class_names == kind.class_names


def test_a_transfer_run_records_its_letters_and_is_listed_with_them(transfer_run, monkeypatch):
    config = json.loads((transfer_run / "config.json").read_text())
    assert config["class_names"] == ["alpha", "beta", "gamma"]
    monkeypatch.setenv("LAB_RUNS_DIR", str(transfer_run.parent))
    entry = find_entry(list_models(), f"run/{transfer_run.name}")
    assert entry.path == str(transfer_run / "model.keras")
    assert entry.kind.kind == CLASSIFIER and entry.kind.reads_letters
    assert entry.kind.describe() == "Greek-letter classifier (3 classes: alpha, beta, gamma)"
    assert find_entry(list_models(), entry.path) == entry  # a file path finds it too


def test_an_upload_without_names_gets_numbered_classes_and_a_notice(tmp_path):
    five = save_five_output_model(tmp_path / "five.keras")
    path = save_upload("five_out.keras", five.read_bytes())
    try:
        kind = model_kind(path)
        assert kind.class_names == ("class 0", "class 1", "class 2", "class 3", "class 4")
        assert "No class names came with this model" in kind.notice
        assert sidecar_path(path).is_file()  # inspected once, then read from the cache
        entry = find_entry(list_models(), "upload/five_out.keras")
        assert entry.kind == kind and entry.label == "uploaded five_out.keras"
        named = save_upload("five_named.keras", five.read_bytes(), ["a", "b", "c", "d", "e"])
        assert model_kind(named).class_names == ("a", "b", "c", "d", "e") and not model_kind(named).notice
        with pytest.raises(ModelFileError, match="3 class names were given but the model has 5 outputs"):
            save_upload("five_bad.keras", five.read_bytes(), ["a", "b", "c"])
        named.unlink()
    finally:
        path.unlink()


def test_a_broken_file_in_the_uploads_is_a_model_without_classifier(tmp_path):
    from core.nets.kind import file_kind

    bad = tmp_path / "broken.keras"
    bad.write_bytes(b"not a zip")
    kind = file_kind(bad)
    assert kind.kind == NO_CLASSIFIER and "not a Keras 3" in kind.notice and not kind.is_classifier


def test_cli_evaluates_a_transfer_head_on_its_letters(transfer_run, capsys):
    code = main(["evaluate", "--model", str(transfer_run / "model.keras"), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert report["dataset"] == "symbols" and report["class_names"] == ["alpha", "beta", "gamma"]
    assert report["examples"] == 12  # a third of each letter's 12 images is held out
    comparison = json.loads((transfer_run / "transfer_eval.json").read_text())
    assert report["test_accuracy"] == pytest.approx(comparison["test_accuracy"])
    assert {r["label_name"] for r in report["first_10"]} <= {"alpha", "beta", "gamma"}
    assert all(r["predicted_name"] == report["class_names"][r["predicted"]] for r in report["first_10"])


def test_cli_refuses_data_a_model_does_not_fit(transfer_run, tmp_path, capsys):
    code = main(["evaluate", "--model", str(transfer_run / "model.keras"), "--dataset", "mnist"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert err[0].startswith("error: This model is a Greek-letter classifier (3 classes: alpha, beta, gamma)")
    five = save_five_output_model(tmp_path / "five_out.keras")
    code = main(["evaluate", "--model", str(five)])
    err = capsys.readouterr().err
    assert code == 2 and "cannot be measured on MNIST digits (10 classes)" in err
    assert not sidecar_path(five).exists()  # the CLI writes nothing beside a user's file
    code = main(["evaluate", "--model", str(default_model_path()), "--dataset", "letters"])
    assert code == 2 and "cannot be measured on its Greek letters" in capsys.readouterr().err


def test_cli_predict_names_the_letter(transfer_run, shared_data, tmp_path, capsys):
    from core.greek.transfer import load_transfer_data

    config = json.loads((transfer_run / "config.json").read_text())
    _, test = load_transfer_data(config)
    files = []
    for i in [int(np.flatnonzero(test.labels == c)[0]) for c in range(len(test.class_names))]:
        target = tmp_path / test.names[i].replace("/", "_")
        shutil.copy(config["train_dir"] + "/" + test.names[i], target)
        files.append((target, test.class_names[int(test.labels[i])]))
    code = main(["predict", "--json", "--model", str(transfer_run / "model.keras"), *[str(f) for f, _ in files]])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and len(rows) == 3
    assert all(len(r["probabilities"]) == 3 for r in rows)
    names = [r["name"] for r in rows]
    assert set(names) <= {"alpha", "beta", "gamma"}
    assert sum(n == truth for n, (_, truth) in zip(names, files)) >= 2
    code = main(["predict", "--model", str(transfer_run / "model.keras"), str(files[0][0])])
    assert code == 0 and capsys.readouterr().out.split(": ")[1].split()[0] in {"alpha", "beta", "gamma"}


def test_an_evaluation_never_indexes_past_the_model_outputs(transfer_run):
    from core.examine.evaluate import ModelDataMismatch, evaluate_on, load_test_set
    from core.nets.modelio import load_model

    model = load_model(transfer_run / "model.keras")
    with pytest.raises(ModelDataMismatch, match="3 outputs but MNIST digits has 10 classes"):
        evaluate_on(model, load_test_set("mnist"))
    letters = load_test_set("symbols", json.loads((transfer_run / "config.json").read_text()))
    ev = evaluate_on(model, letters)
    assert ev.confusion().shape == (3, 3) and ev.confusion().sum() == 12
    assert np.array_equal(np.bincount(letters.y_test), [4, 4, 4])
