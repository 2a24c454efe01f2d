"""Symbol folders -> preprocessed 28x28 letters -> the assignment's two CSV files, and back."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest

from core.errors import LabError
from core.greek.symbols import (class_from_filename, extract_zip, load_folder, read_csvs, scan_folder,
                          write_csvs)
from tests.unit.greek_helpers import copy_letters


def test_class_comes_from_the_file_name():
    assert class_from_filename("alpha_001.png") == "alpha"
    assert class_from_filename("beta-12.jpg") == "beta"
    assert class_from_filename("gamma3.png") == "gamma"
    assert class_from_filename("001.png") is None


def test_flat_folder_of_real_letters_is_preprocessed_to_mnist_like_images(shared_data, tmp_path):
    folder = copy_letters(shared_data, tmp_path / "flat", per_class=4)
    symbols = load_folder(folder)
    assert symbols.class_names == ["alpha", "beta", "gamma"]
    assert symbols.counts() == {"alpha": 4, "beta": 4, "gamma": 4}
    assert symbols.images.shape == (12, 28, 28) and symbols.images.dtype == np.float32
    assert 0.0 <= symbols.images.min() and symbols.images.max() <= 1.0
    # white ink on black, like MNIST: the border is background, the centre holds ink
    assert symbols.images[:, 0, :].max() < 0.05 and symbols.images.mean() > 0.05
    assert list(symbols.labels) == [0] * 4 + [1] * 4 + [2] * 4


def test_class_folders_and_labels_csv_are_understood(shared_data):
    hang = load_folder(shared_data / "handwriting/greek/hangyin2020-cs5330_p5")  # class sub-folders
    assert hang.class_names == ["alpha", "beta", "delta", "gamma"]
    war = load_folder(shared_data / "handwriting/greek/warrier-arj-Recognition-using-Neural-Networks")
    assert war.class_names == ["alpha", "beta", "chi", "eta", "gamma", "sigma"]
    assert len(war) == 51 and war.counts()["chi"] == 13  # train and test splits together


def test_csv_files_have_the_assignment_layout_and_read_back(shared_data, tmp_path):
    symbols = load_folder(copy_letters(shared_data, tmp_path / "in", per_class=3))
    paths = write_csvs(symbols, tmp_path / "out")
    with open(paths["images"], newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == [f"p{i}" for i in range(784)]
    assert len(rows) == 1 + 9 and all(len(r) == 784 for r in rows[1:])
    assert all(0 <= int(v) <= 255 for v in rows[1])
    with open(paths["labels"], newline="") as fh:
        labels = list(csv.reader(fh))
    assert labels[0] == ["category"]
    assert [int(r[0]) for r in labels[1:]] == [0, 0, 0, 1, 1, 1, 2, 2, 2]
    mapping = json.loads(paths["mapping"].read_text())
    assert mapping["classes"] == {"0": "alpha", "1": "beta", "2": "gamma"}
    back = read_csvs(tmp_path / "out")
    assert back.class_names == symbols.class_names
    assert np.array_equal(back.labels, symbols.labels)
    assert np.abs(back.images - symbols.images).max() <= 0.5 / 255 + 1e-6


def test_read_csvs_rejects_a_damaged_file(shared_data, tmp_path):
    write_csvs(load_folder(copy_letters(shared_data, tmp_path / "in", per_class=2)), tmp_path / "out")
    path = tmp_path / "out" / "images.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:2] + [lines[2].rsplit(",", 1)[0]] + lines[3:]) + "\n")
    with pytest.raises(LabError, match="783 values instead of 784"):
        read_csvs(tmp_path / "out")
    path.write_text("a,b\n1,2\n")
    with pytest.raises(LabError, match="header"):
        read_csvs(tmp_path / "out")


def test_bad_folders_give_clear_messages(shared_data, tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(LabError, match="contains no images"):
        load_folder(tmp_path / "empty")
    with pytest.raises(LabError, match="is not a folder"):
        load_folder(tmp_path / "nowhere")
    one = copy_letters(shared_data, tmp_path / "one", letters=("alpha",), per_class=3)
    with pytest.raises(LabError, match="only 1 class"):
        load_folder(one)
    unnamed = tmp_path / "unnamed"
    unnamed.mkdir()
    (unnamed / "001.png").write_bytes((one / "alpha_001.png").read_bytes())
    with pytest.raises(LabError, match="Cannot tell the class"):
        scan_folder(unnamed)


def test_unreadable_images_are_skipped_with_their_reason(shared_data, tmp_path):
    folder = copy_letters(shared_data, tmp_path / "mixed", per_class=2)
    (folder / "beta_999.png").write_bytes(b"this is not a png")
    symbols = load_folder(folder)
    assert len(symbols) == 6
    assert len(symbols.skipped) == 1 and symbols.skipped[0].startswith("beta_999.png: ")
    broken = tmp_path / "broken"
    broken.mkdir()
    for name in ("alpha_1.png", "beta_1.png"):
        (broken / name).write_bytes(b"junk")
    with pytest.raises(LabError, match="could be read"):
        load_folder(broken)


def _zip(files: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_zip_uploads_unpack_safely(shared_data, tmp_path):
    folder = copy_letters(shared_data, tmp_path / "src", per_class=2)
    data = _zip({f"greek/{p.name}": p.read_bytes() for p in folder.iterdir()})
    root = extract_zip(data, tmp_path / "unzipped")
    assert load_folder(root).class_names == ["alpha", "beta", "gamma"]
    with pytest.raises(LabError, match="unsafe path"):
        extract_zip(_zip({"../evil_1.png": b"x"}), tmp_path / "evil")
    with pytest.raises(LabError, match="not a zip"):
        extract_zip(b"plain bytes", tmp_path / "nozip")
