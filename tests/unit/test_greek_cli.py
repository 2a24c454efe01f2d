"""`python -m core greek-csv | embed | knn | transfer | greek-assets` on real letters."""

from __future__ import annotations

import csv
import json

import pytest

from core.cli import main
from tests.unit.greek_helpers import copy_letters

WARRIER = "handwriting/greek/warrier-arj-Recognition-using-Neural-Networks"


def test_greek_csv_writes_the_two_files_and_prints_counts(shared_data, tmp_path, capsys):
    src = copy_letters(shared_data, tmp_path / "in", per_class=3)
    assert main(["greek-csv", str(src), "--out-dir", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "9 images in 3 classes (0 alpha: 3, 1 beta: 3, 2 gamma: 3)" in out
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"images.csv", "labels.csv", "classes.json"}


def test_embed_writes_128_numbers_per_image(shared_data, tmp_path, capsys, default_model):
    src = copy_letters(shared_data, tmp_path / "in", per_class=2)
    assert main(["embed", str(src), "--out", str(tmp_path / "e.csv")]) == 0
    with open(tmp_path / "e.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["file", "class", "e0"] and len(rows[0]) == 130
    assert len(rows) == 7 and rows[1][:2] == ["alpha_001.png", "alpha"]


def test_knn_json_on_phone_photos_reports_leave_one_out_accuracy(shared_data, capsys, default_model):
    assert main(["knn", "--train", str(shared_data / WARRIER), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "leave-one-out" and report["total"] == 51
    assert report["accuracy"] >= 0.9
    first = report["images"][0]
    assert set(first) >= {"image", "label", "predicted", "neighbours"}
    assert len(first["neighbours"]) == 3 and first["neighbours"][0]["image"] != first["image"]
    near = first["neighbours"]
    assert [n["distance"] for n in near] == sorted(n["distance"] for n in near) and near[0]["ssd"] > 0
    assert sum(sum(row.values()) for row in report["confusion"].values()) == 51


def test_knn_with_a_test_folder(shared_data, tmp_path, capsys, default_model):
    train = copy_letters(shared_data, tmp_path / "train", per_class=10)
    test = copy_letters(shared_data, tmp_path / "test", letters=("beta", "gamma"), per_class=14)
    for p in test.glob("*_00[1-9].png"):
        p.unlink()  # keep only images not in the training folder
    assert main(["knn", "--train", str(train), "--test", str(test), "--k", "3", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["mode"] == "test" and report["total"] == 10 and report["accuracy"] >= 0.9
    assert all(n["image"].startswith(("alpha", "beta", "gamma")) for n in report["images"][0]["neighbours"])
    unknown = copy_letters(shared_data, tmp_path / "delta", letters=("delta",), per_class=2)
    assert main(["knn", "--train", str(train), "--test", str(unknown)]) == 2
    assert "classes the training folder lacks: delta" in capsys.readouterr().err


def test_transfer_json_reports_test_accuracy(tmp_path, capsys, default_model):
    from core.paths import ASSETS_DIR

    assert main(["transfer", "--train", str(ASSETS_DIR / "greek"), "--epochs", "3",
                 "--run-dir", str(tmp_path / "run"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["state"] == "finished" and result["epochs"] == 3
    assert 0.0 <= result["test_accuracy"] <= 1.0 and result["test_images"] == 12
    assert (tmp_path / "run" / "model.keras").is_file()


@pytest.mark.parametrize("command", ["knn", "transfer"])
def test_bad_folders_exit_2_with_a_message(tmp_path, capsys, command):
    (tmp_path / "empty").mkdir()
    assert main([command, "--train", str(tmp_path / "empty")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "contains no images" in err
