"""`python -m core report`: every item of Tasks 1-4 exists, and report.md states what the other commands report."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import numpy as np
import pytest

from bench.report import make_study as store_study
from core.cli import main

ROOT = Path(__file__).resolve().parents[2]
STUDY = "report-study"
FILTERS = (8, 16, 32)
DROPOUTS = (0.0, 0.25, 0.5)


def _outcome(params: dict, rng) -> tuple[float, float]:
    """More filters: higher accuracy and more seconds; dropout: no effect (what the test expects to find)."""
    return (0.9 + params["filters"] / 1000 + float(rng.normal(0, 0.002)),
            2.0 + params["filters"] / 4 + float(rng.random()))


def make_study(name: str, trials: int) -> None:
    space = {"name": name, "base": "assignment", "dataset": "mnist", "train_subset": 5000, "test_subset": 2000,
             "epochs": 1, "dimensions": {"filters": list(FILTERS), "dropout_dense": list(DROPOUTS)},
             "hypotheses": {"filters": "More filters give higher accuracy but cost time.",
                            "dropout_dense": "Dense dropout barely matters."}}
    store_study(name, space, trials, outcome=_outcome)


def cli_json(capsys, *args):
    capsys.readouterr()
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_data):
    make_study(STUDY, trials=12)
    out = tmp_path_factory.mktemp("report")
    mine = shared_data / "handwriting" / "digits" / "zhangshi0512-cs5330_project05_mnist_digit_recognition"
    letters = shared_data / "handwriting" / "greek" / "hangyin2020-cs5330_p5"
    assert main(["report", "--out", str(out), "--study", STUDY, "--letters", str(letters), "--mine", str(mine),
                 "--json"]) == 0
    result = {"numbers": json.loads((out / "numbers.json").read_text())}
    return {"out": out, "result": result, "md": (out / "report.md").read_text(), "mine": mine,
            "letters": letters}


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


EXPECTED = [
    "task1_first_two_training_digits.png", "task1_network_diagram.png", "task1_network_summary.csv",
    "task1_accuracy_loss_per_epoch.png", "task1_metrics_per_epoch.csv", "task1_first_10_test_digits.png",
    "task1_first_10_test_outputs.csv", "task1_own_digits.png", "task1_own_digits_readings.csv",
    "task2_conv1_filter_values.csv", "task2_conv1_filters_table.csv", "task2_conv1_filters_grid.png",
    "task2_conv1_filter2d_vs_network.png", "task2_conv1_gallery.png", "task2_conv2_gallery.png",
    "task2_pool1_gallery.png", "task2_pool1_compare_digits.png",
    "task3_letters_images.csv", "task3_letters_labels.csv", "task3_first_input_embedding.csv",
    "task3_ssd_alpha.csv", "task3_ssd_beta.csv", "task3_ssd_gamma.csv", "task3_ssd_heatmap.png",
    "task3_knn_confusion.csv", "task3_own_letters_matched.png", "task3_own_letters.csv",
    "task4_plan_dimensions.csv", "task4_results.csv", "task4_best_configurations.csv",
    "task4_hypotheses_vs_results.csv", "task4_effect_filters.png", "task4_effect_dropout_dense.png",
    "task4_accuracy_vs_time.png",
]


def test_every_item_exists_is_readable_and_is_linked_under_its_task(built):
    from PIL import Image

    out, md = built["out"], built["md"]
    sections = re.split(r"^## ", md, flags=re.M)
    for name in EXPECTED:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, name
        if name.endswith(".png"):
            with Image.open(path) as img:
                assert img.format == "PNG" and img.width > 50 and img.height > 50, name
        else:
            assert len(path.read_text().splitlines()) >= 2, name
        task = name.split("_")[0]
        owner = [s for s in sections if f"({name})" in s]
        assert len(owner) == 1 and owner[0].lower().startswith(f"task {task[-1]}"), name
    linked = set(re.findall(r"\]\(([^)]+)\)", md))
    assert linked <= {p.name for p in out.iterdir()}  # no dead link
    assert "chart_export_note" not in built["result"]["numbers"]  # every chart became a PNG


def test_header_names_version_model_data_and_date(built):
    import core

    head = built["md"].split("## ")[0]
    assert f"Lab version: **{core.__version__}**" in head
    assert "models/default/model.keras" in head and "mnist.npz" in head and STUDY in head
    assert re.search(r"Date: \d{4}-\d\d-\d\d \d\d:\d\d UTC", head)


def test_task1_numbers_equal_the_evaluate_command(built, capsys):
    evaluated = cli_json(capsys, "evaluate", "--json")
    md = built["md"]
    assert f"accuracy **{evaluated['test_accuracy']:.4f}**, loss **{evaluated['test_loss']:.4f}**" in md
    rows = _read_csv(built["out"] / "task1_first_10_test_outputs.csv")
    assert len(rows) == 10
    for row, ref in zip(rows, evaluated["first_10"]):
        assert [row[str(k)] for k in range(10)] == [f"{v:.2f}" for v in ref["outputs"]]
        assert int(row["predicted"]) == ref["predicted"] and int(row["true"]) == ref["label"]
        assert f"| {row['image']} | " + " | ".join(row[str(k)] for k in range(10)) in md  # the table is inline
    metrics = [json.loads(line) for line in (ROOT / "models/default/metrics.jsonl").read_text().splitlines()]
    assert f"test accuracy **{metrics[-1]['test_accuracy']:.4f}**" in md
    assert len(_read_csv(built["out"] / "task1_metrics_per_epoch.csv")) == len(metrics)


def test_own_digits_readings_equal_the_predict_command(built, capsys):
    rows = _read_csv(built["out"] / "task1_own_digits_readings.csv")
    files = [str(built["mine"] / r["file"]) for r in rows]
    capsys.readouterr()
    assert main(["predict", "--json", *files]) == 0
    predicted = [json.loads(line)["label"] for line in capsys.readouterr().out.splitlines()]
    assert [int(r["predicted"]) for r in rows] == predicted
    right = sum(int(r["predicted"]) == int(r["label"]) for r in rows)
    assert f"**{right} of {len(rows)}** read right" in built["md"]


def test_task2_filter2d_matches_conv1_and_the_filter_table_holds_every_weight(built, default_model):
    diff = built["result"]["numbers"]["task2"]
    assert (f"Max |filter2D - network|: **{diff['filter2d_max_diff_pre']:.2e}** before the activation, "
            f"**{diff['filter2d_max_diff_post']:.2e}** after it") in built["md"]
    assert diff["filter2d_max_diff_pre"] < 1e-4 and diff["filter2d_max_diff_post"] < 1e-4
    values = _read_csv(built["out"] / "task2_conv1_filter_values.csv")
    kernel, bias = default_model.get_layer("conv1").get_weights()
    weights = [float(r["value"]) for r in values if r["channel"] != "bias"]
    assert len(weights) == kernel.size and len(values) - len(weights) == bias.size == 32
    assert weights[:9] == pytest.approx(kernel[:, :, 0, 0].ravel().tolist(), abs=1e-4)


def test_task3_numbers_equal_the_knn_and_embed_commands(built, capsys, tmp_path):
    knn = cli_json(capsys, "knn", "--train", str(ROOT / "assets" / "greek"), "--k", "1", "--json")
    assert f"leave-one-out accuracy **{knn['accuracy']:.4f}** ({knn['correct']} of {knn['total']} right)" in built["md"]
    capsys.readouterr()
    assert main(["embed", str(ROOT / "assets" / "greek"), "--out", str(tmp_path / "e.csv")]) == 0
    embedded = _read_csv(tmp_path / "e.csv")[0]
    first = [float(r["value"]) for r in _read_csv(built["out"] / "task3_first_input_embedding.csv")]
    numbers = [float(embedded[f"e{i}"]) for i in range(128)]
    assert embedded["file"] == "alpha_001.png" and len(first) == 128
    assert first == pytest.approx(numbers, rel=1e-5, abs=1e-5)
    alpha = _read_csv(built["out"] / "task3_ssd_alpha.csv")
    assert alpha[0]["SSD"] == "0.0" and len(alpha) == 36
    assert all(float(a["SSD"]) <= float(b["SSD"]) for a, b in zip(alpha, alpha[1:]))


def test_task4_numbers_equal_the_sweep_show_command(built, capsys):
    shown = cli_json(capsys, "sweep", "show", "--study", STUDY, "--json")
    best = max(shown, key=lambda r: r["test_accuracy"])
    assert f"Best: trial {best['number']}, test accuracy **{best['test_accuracy']:.4f}**" in built["md"]
    assert len(_read_csv(built["out"] / "task4_results.csv")) == len(shown) == 12
    table = _read_csv(built["out"] / "task4_hypotheses_vs_results.csv")
    assert [r["dimension"] for r in table] == ["filters", "dropout_dense"]
    assert table[0]["hypothesis"].startswith("More filters") and "Best mean accuracy" in table[0]["measured"]
    assert table[0]["best_value"] == "32"  # the effect built into the study is found


def test_zip_holds_the_whole_folder(built):
    import io
    import zipfile

    from core.report.build import zip_folder

    names = set(zipfile.ZipFile(io.BytesIO(zip_folder(built["out"]))).namelist())
    assert set(EXPECTED) | {"report.md", "numbers.json"} <= names


def test_bad_folders_exit_2_with_one_line(tmp_path, capsys):
    capsys.readouterr()
    assert main(["report", "--out", str(tmp_path / "r"), "--mine", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "does not exist" in err
    assert main(["report", "--out", str(tmp_path / "r"), "--study", "no-such-study"]) == 2
    assert "no-such-study" in capsys.readouterr().err


def test_no_study_leaves_task_4_out_and_by_default_the_newest_study_is_reported(built):
    from core.report.build import study_to_report
    from core.sweep.storage import local_studies

    assert study_to_report(False) is None
    assert STUDY in local_studies() and study_to_report(None) == local_studies()[0]
