"""`python -m core predict`: JSON lines per image or per sheet digit, per-file errors, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from core.cli import main
from tests.unit.handwriting_samples import digit_files, make_sheet

ROOT = Path(__file__).resolve().parents[2]


def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def model_path():
    from core.paths import default_model_path

    return str(default_model_path())


def test_all_30_real_digits_are_read_right(shared_data, capsys, model_path):
    """The done-when bar, through the CLI: every image in handwriting/digits gets its label."""
    files = digit_files(shared_data)
    code = main(["predict", "--json", "--model", model_path, *[str(p) for p, _ in files]])
    rows = lines(capsys.readouterr().out)
    assert code == 0 and len(rows) == 30
    for row, (path, label) in zip(rows, files):
        assert row["file"] == str(path)
        assert set(row) == {"file", "label", "name", "confidence", "probabilities"}
        assert row["name"] == str(row["label"])
        assert len(row["probabilities"]) == 10 and abs(sum(row["probabilities"]) - 1) < 1e-3
        assert row["label"] == label, (path.name, row["label"], label)
        assert row["confidence"] == max(row["probabilities"])


def test_bad_files_get_an_error_line_and_exit_2(shared_data, tmp_path, capsys, model_path):
    """Bad files in the middle: an error line each, the good files still read, exit code 2."""
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    text = tmp_path / "text.png"
    text.write_text("not an image")
    white = tmp_path / "white.png"
    Image.new("L", (100, 100), 255).save(white)
    good = digit_files(shared_data)[0][0]
    args = [str(empty), str(good), str(text), str(white), str(tmp_path / "missing.jpg")]
    code = main(["predict", "--json", "--model", model_path, *args])
    captured = capsys.readouterr()
    rows = lines(captured.out)
    assert code == 2
    assert [r["file"] for r in rows] == args
    assert "label" in rows[1] and "error" not in rows[1]
    for i, word in [(0, "empty"), (2, "not an image"), (3, "blank"), (4, "no such file")]:
        assert word in rows[i]["error"], rows[i]
    assert "4 of 5" in captured.err


def test_sheet_gives_one_line_per_digit_with_a_box(shared_data, tmp_path, capsys, model_path):
    """--sheet: one JSON line per digit, in reading order, each with its box on the page."""
    from core.handwriting.imageio import decode_image

    files = digit_files(shared_data)[10:15]  # phone photos of 0-4
    pieces = [(decode_image(p), y) for p, y in files]
    page, labels, boxes = make_sheet(pieces, [[3, 1, 4], [0, 2]], seed=2)
    path = tmp_path / "sheet.jpg"
    Image.fromarray(page).save(path, quality=90)
    code = main(["predict", "--sheet", "--json", "--model", model_path, str(path)])
    rows = lines(capsys.readouterr().out)
    assert code == 0 and len(rows) == 5
    assert [r["label"] for r in rows] == labels
    for row, (x, y, w, h) in zip(rows, boxes):
        bx, by, bw, bh = row["box"]
        assert abs(bx - x) < 0.2 * w + 5 and abs(by - y) < 0.2 * h + 5
        assert row["file"] == str(path)


def test_plain_output_and_the_real_command_line(shared_data):
    """`python -m core predict` as a user runs it: one readable line per image, exit 0."""
    path = str(digit_files(shared_data)[3][0])
    proc = subprocess.run([sys.executable, "-m", "core", "predict", path], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(path + ": 5")
