"""The Data page on real MNIST and Fashion-MNIST, and its message when no dataset file exists."""

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


def _data_page():
    at = AppTest.from_file(ENTRY, default_timeout=60)
    at.run()
    at.switch_page("../pages/data.py")
    at.run()
    assert not at.exception
    return at


def test_first_two_examples_with_labels_grid_and_class_counts():
    at = _data_page()
    assert [m.value for m in at.main.markdown] == ["**Label: 5**", "**Label: 0**"]
    assert "60,000 training and 10,000 test images" in at.main.caption[0].value
    grid = at.get("image")[-1].captions
    assert len(grid) == 50 and grid[:3] == ["#0: 5", "#1: 0", "#2: 4"]
    table = at.get("html")[-1].proto.body  # images per class: a bar and its count per class and split
    train = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    cells = re.findall(r"tabular-nums\">([\d,]+)<", table)
    assert [int(c.replace(",", "")) for c in cells[0::2]] == train
    assert sum(int(c.replace(",", "")) for c in cells[1::2]) == 10_000
    assert 'width:100.0%' in table and f"width:{100 * 5421 / 6742:.1f}%" in table  # bars to scale
    at.radio(key="data_split").set_value("test").run()
    assert [m.value for m in at.main.markdown] == ["**Label: 7**", "**Label: 2**"]


def test_fashion_mnist_shows_class_names():
    at = _data_page()
    at.selectbox(key="data_dataset").select("fashion_mnist").run()
    assert not at.exception
    assert [m.value for m in at.main.markdown] == ["**Label: Ankle boot**", "**Label: T-shirt/top**"]
    assert "9: Ankle boot" in at.get("html")[-1].proto.body


def test_missing_dataset_says_where_to_put_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LAB_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    at = _data_page()
    assert len(at.error) == 1
    message = at.error[0].value
    assert "not available" in message and "mnist.npz" in message and "LAB_DATA_DIR" in message
    assert not at.main.markdown  # nothing else is drawn
