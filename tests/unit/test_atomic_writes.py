"""A full disk never loses what was saved before: every writer of the lab, filled up part way.

Each test saves an "old" version, then writes a new one onto a disk that fills up at several points
(early, halfway, nearly done), and checks that the folder is exactly as before: every old file intact,
no torn file, no temporary file left. A last test does the same for `greek-csv` on a real, small tmpfs.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import files
from core.errors import LabError
from tests.unit.full_disk import bytes_written, disk_with_room, snapshot, tmpfs_available
from tests.unit.greek_helpers import copy_letters

ROOT = Path(__file__).resolve().parents[2]
SHARES = (0.1, 0.5, 0.95)  # where, as a share of what the new version writes, the disk fills up


def assert_kept(folder: Path, write, share: float):
    """`write()` on a disk with room for `share` of the bytes it writes must fail and change nothing."""
    room = int(bytes_written(folder, write) * share)
    before = snapshot(folder)
    with disk_with_room(folder, room) as disk:
        with pytest.raises(files.WriteFailed) as info:
            write()
    assert disk.hit, "the disk never filled up: the test did not test anything"
    assert info.value.errno == errno.ENOSPC and str(info.value).startswith("The disk is full")
    assert isinstance(info.value, LabError) and isinstance(info.value, OSError)
    assert snapshot(folder) == before  # old files intact, no temporary file left


@pytest.mark.parametrize("share", SHARES)
def test_json_status_and_config(tmp_path, share):
    from core.runs import rundir

    rundir.write_config(tmp_path, {"kind": "train", "net": {"name": "old" * 50}})
    rundir.write_status(tmp_path, state="finished", note="x" * 300)
    assert_kept(tmp_path, lambda: rundir.write_config(tmp_path, {"kind": "train", "net": {"name": "new" * 60}}),
                share)
    assert_kept(tmp_path, lambda: rundir.write_status(tmp_path, state="failed", note="y" * 400), share)


@pytest.mark.parametrize("share", SHARES)
def test_model_file(tmp_path, default_model, share):
    from core.nets.modelio import load_model, save_model_atomic

    save_model_atomic(default_model, tmp_path / "model.keras")
    assert_kept(tmp_path, lambda: save_model_atomic(default_model, tmp_path / "model.keras"), share)
    load_model(tmp_path / "model.keras")


@pytest.mark.parametrize("share", SHARES)
def test_a_training_epoch_saves_all_or_nothing(tmp_path, default_model, share):
    """The epoch's model, filters, histograms and metrics line appear together or not at all."""
    from core.runs import rundir
    from core.runs.training import _first_conv, _save_epoch

    row = {"epoch": 1, "test_accuracy": 0.9}
    _save_epoch(tmp_path, 1, default_model, _first_conv(default_model), default_model, row)
    assert_kept(tmp_path, lambda: _save_epoch(tmp_path, 2, default_model, _first_conv(default_model),
                                              default_model, {**row, "epoch": 2}), share)
    assert [r["epoch"] for r in rundir.read_metrics(tmp_path)] == [1]
    assert sorted(p.name for p in (tmp_path / "filters").iterdir()) == ["epoch_001.npz"]


@pytest.mark.parametrize("share", SHARES)
def test_first_layer_filters_and_histograms(tmp_path, default_model, share):
    from core.examine.histograms import save_epoch_histograms
    from core.runs import rundir

    kernel, bias = np.ones((3, 3, 1, 32), np.float32), np.zeros(32, np.float32)
    rundir.save_epoch_filters(tmp_path, 0, kernel, bias)
    save_epoch_histograms(tmp_path, 0, default_model)
    assert_kept(tmp_path, lambda: rundir.save_epoch_filters(tmp_path, 0, kernel * 2, bias), share)
    assert_kept(tmp_path, lambda: save_epoch_histograms(tmp_path, 0, default_model), share)


@pytest.mark.parametrize("share", SHARES)
def test_greek_csv_pair_and_mapping(tmp_path, shared_data, share):
    from core.greek.symbols import load_folder, read_csvs, write_csvs

    old = load_folder(copy_letters(shared_data, tmp_path / "old", ("alpha", "beta"), per_class=4))
    new = load_folder(copy_letters(shared_data, tmp_path / "new", ("gamma", "delta"), per_class=4))
    out = tmp_path / "out"
    write_csvs(old, out)
    assert_kept(out, lambda: write_csvs(new, out), share)
    assert read_csvs(out).class_names == ["alpha", "beta"]


@pytest.mark.parametrize("share", SHARES)
def test_unpacked_zip_upload(tmp_path, shared_data, share):
    import io
    import zipfile

    from core.greek.symbols import extract_zip

    letters = copy_letters(shared_data, tmp_path / "letters", ("alpha", "beta"), per_class=4)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for p in sorted(letters.iterdir()):
            archive.write(p, p.name)
    uploads = tmp_path / "uploads"
    extract_zip(buf.getvalue(), uploads / "set")
    assert_kept(uploads, lambda: extract_zip(buf.getvalue(), uploads / "set"), share)


@pytest.mark.parametrize("share", SHARES)
def test_embeddings_csv(tmp_path, share):
    from core.greek.embedding import write_embeddings_csv

    vectors = np.random.default_rng(0).normal(size=(20, 128))
    names, classes = [f"a_{i:03d}.png" for i in range(20)], ["alpha"] * 20
    write_embeddings_csv(tmp_path / "e.csv", names, classes, vectors)
    assert_kept(tmp_path, lambda: write_embeddings_csv(tmp_path / "e.csv", names, classes, vectors + 1), share)


def test_handwriting_set_digit(tmp_path, monkeypatch):
    from core.handwriting import user_set

    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    user_set.save_digit(np.eye(28), 3)
    assert_kept(tmp_path, lambda: user_set.save_digit(np.random.default_rng(1).random((28, 28)), 3), 0.5)
    assert len(user_set.list_digits()) == 1


def test_greek_letter_of_my_own(tmp_path):
    from core.greek.lab import save_letter

    save_letter(tmp_path, "alpha", np.eye(28))
    assert_kept(tmp_path, lambda: save_letter(tmp_path, "alpha", np.random.default_rng(2).random((28, 28))), 0.5)


@pytest.mark.parametrize("share", SHARES)
def test_generated_letter_set(tmp_path, share):
    from core.greek.generator import write_set

    write_set(tmp_path, per_class=1, seed=0)
    assert_kept(tmp_path, lambda: write_set(tmp_path, per_class=1, seed=1), share)


@pytest.mark.parametrize("share", SHARES)
def test_model_upload(tmp_path, monkeypatch, share):
    from core.nets.catalog import save_upload
    from core.paths import default_model_path

    monkeypatch.setenv("LAB_HOME", str(tmp_path))
    data = default_model_path().read_bytes()
    save_upload("mine.keras", data)
    assert_kept(tmp_path / "uploads", lambda: save_upload("mine.keras", data), share)


def test_a_folder_in_the_way_is_a_clear_error(tmp_path):
    (tmp_path / "out.csv").mkdir()
    with pytest.raises(LabError, match="is a folder"):
        files.write_text_atomic(tmp_path / "out.csv", "x")
    assert snapshot(tmp_path) == {"out.csv": None}


def test_a_failing_writer_leaves_no_temporary_file(tmp_path):
    files.write_text_atomic(tmp_path / "a.txt", "old")

    def broken(tmp):
        tmp.write_text("half")
        raise ValueError("the writer broke")

    with pytest.raises(ValueError):
        files.atomic_write(tmp_path / "a.txt", broken)
    assert snapshot(tmp_path) == {"a.txt": b"old"}


@pytest.mark.skipif(not tmpfs_available(), reason="needs `unshare -rm` and tmpfs mounts (user namespaces)")
def test_greek_csv_on_a_real_full_tmpfs_keeps_the_old_files(tmp_path, shared_data):
    """`greek-csv` into a folder on a 96 KiB tmpfs that holds a smaller set: exit 2, old set intact."""
    small = copy_letters(shared_data, tmp_path / "small", ("alpha", "beta"), per_class=3)
    big = copy_letters(shared_data, tmp_path / "big", ("gamma", "delta", "zeta"), per_class=12)
    disk = tmp_path / "disk"
    disk.mkdir()
    py = sys.executable
    script = (f"mount -t tmpfs -o size=96k tmpfs {disk} && "
              f"{py} -m core greek-csv {small} --out-dir {disk}/out >/dev/null && "
              f"cp -r {disk}/out {tmp_path}/before && "
              f"{py} -m core greek-csv {big} --out-dir {disk}/out; echo rc=$?; "
              f"ls -a {disk}/out; cmp {disk}/out/images.csv {tmp_path}/before/images.csv && "
              f"cmp {disk}/out/labels.csv {tmp_path}/before/labels.csv && "
              f"cmp {disk}/out/classes.json {tmp_path}/before/classes.json && echo SAME")
    out = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert "rc=2" in out.stdout, out.stdout + out.stderr
    err = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(err) == 1 and err[0].startswith("error: The disk is full"), out.stderr
    assert out.stdout.split()[1:] == [".", "..", "classes.json", "images.csv", "labels.csv", "SAME"], out.stdout
    assert json.loads((tmp_path / "before" / "classes.json").read_text())["classes"] == {"0": "alpha", "1": "beta"}
