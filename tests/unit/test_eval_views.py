"""Tables and figures of the Evaluate page, checked against hand-computed answers and real MNIST."""

import numpy as np

from core.examine.eval_views import (caption, cell_from_points, confusion_figure, first_table, gallery,
                             most_confused)
from core.examine.evaluate import Evaluation

NAMES = [str(i) for i in range(3)]


def _evaluation():
    probs = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7],
                      [0.05, 0.9, 0.05], [0.3, 0.3, 0.4]])
    return Evaluation(probs, np.array([0, 1, 1, 2, 2, 2]))


def test_first_table_rows_have_outputs_prediction_and_truth():
    rows = first_table(_evaluation(), NAMES, n=3)
    assert len(rows) == 3
    assert rows[2] == {"image": 2, "0": 0.6, "1": 0.3, "2": 0.1, "predicted": 0, "true": 1, "correct": False}


def test_first_table_on_real_mnist_has_ten_rows_of_ten_outputs(mnist):
    labels = mnist.y_test[:10].astype(np.int64)
    probs = np.eye(10)[labels] * 0.91 + 0.01  # a stand-in model that is always right
    rows = first_table(Evaluation(probs, labels), mnist.class_names)
    assert [r["true"] for r in rows] == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert all(r["predicted"] == r["true"] for r in rows)
    assert all(len([k for k in r if k.isdigit()]) == 10 for r in rows)


def test_confusion_cells_and_the_most_confused_pair():
    ev = _evaluation()
    matrix = ev.confusion()
    assert matrix.tolist() == [[1, 0, 0], [1, 1, 0], [0, 1, 2]]
    assert most_confused(matrix) in ((1, 0), (2, 1))
    fig = confusion_figure(matrix, NAMES, selected=(2, 1))
    heat, markers = fig.data
    assert heat.text.tolist() == matrix.tolist()
    # every cell has a clickable marker that reports (true, predicted, count)
    assert len(markers.customdata) == 9
    assert markers.customdata[7].tolist() == [2, 1, 1]
    assert len(fig.layout.shapes) == 1


def test_a_click_on_a_marker_gives_the_cell():
    assert cell_from_points([{"customdata": [3, 5, 12], "x": "5", "y": "3"}]) == (3, 5)
    assert cell_from_points([{"x": "8", "y": "4"}]) == (4, 8)
    assert cell_from_points([{"customdata": {"0": 2, "1": 6, "2": 9}}]) == (2, 6)
    assert cell_from_points([{"customdata": [1, 7, 3]}]) == (1, 7)
    assert cell_from_points([{"x": None}]) is None
    assert cell_from_points([]) is None


def test_gallery_sorts_misclassified_by_confidence():
    ev = _evaluation()
    most = gallery(ev, "most confident first")
    assert [e["index"] for e in most] == [4, 2]
    assert [e["index"] for e in gallery(ev, "least confident first")] == [2, 4]
    assert caption(most[0], NAMES) == "pred 1 / true 2 / 90%"
