"""The Evaluate page on the shipped default model and real MNIST test images."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.paths import DEFAULT_RUN_DIR
from tests.pages.apptest import open_tab

ENTRY = str(Path(__file__).resolve().parents[2] / "app" / "main.py")


@pytest.fixture(scope="module")
def expected(default_model, mnist):
    """The default model's predictions on the test set, computed here without the page."""
    probs = np.asarray(default_model.predict(mnist.x_test[..., None].astype("float32") / 255.0,
                                             batch_size=1000, verbose=0))
    return probs, mnist.y_test.astype(int)


def _captions(at) -> list[list[str]]:
    """The captions of every st.image call on the page, one list per call."""
    return [image.captions for image in at.get("image")]


def _evaluate_page(active: str | None = None):
    at = AppTest.from_file(ENTRY, default_timeout=120)
    if active:
        at.session_state["active_model_path"] = active
    at.run()
    at.switch_page("../pages/evaluate.py")
    at.run()
    assert not at.exception
    return at


def test_accuracy_loss_and_the_first_10_table(expected):
    probs, labels = expected
    at = _evaluate_page()
    accuracy = (probs.argmax(1) == labels).mean()
    assert at.metric[0].value == f"{accuracy:.2%}"
    table = at.dataframe[0].value
    assert len(table) == 10
    assert list(table["true"]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert list(table["predicted"]) == list(probs[:10].argmax(1))
    assert np.allclose(table[[str(k) for k in range(10)]].to_numpy(), probs[:10].round(2), atol=0.006)
    first = [c for c in _captions(at) if len(c) == 10 and c[0].startswith("#0:")]
    assert first and first[0][0] == f"#0: pred {probs[0].argmax()}, true 7"
    # The other tabs wait until opened: no confusion chart, gallery or histogram was built or sent.
    assert not at.get("plotly_chart") and not any("misclassified" in m.value for m in at.markdown)


def test_a_confusion_cell_shows_the_images_behind_it(expected):
    probs, labels = expected
    at = open_tab(_evaluate_page(), "evaluate_tab", "Confusion matrix")
    pred = probs.argmax(1)
    at.selectbox(key="evaluate_true").select(4)
    at.selectbox(key="evaluate_pred").select(9).run()
    count = int(((labels == 4) & (pred == 9)).sum())
    assert f"**{count}** test image(s) with true label **4** predicted as **9**" in [m.value for m in at.markdown]
    expected_first = np.flatnonzero((labels == 4) & (pred == 9))
    cell = [c for c in _captions(at) if c and "pred" not in c[0]]
    assert count == 0 or (len(cell[0]) == min(count, 40) and cell[0][0].startswith(f"#{expected_first[0]} "))


def test_misclassified_gallery_sorts_by_confidence(expected):
    probs, labels = expected
    at = open_tab(_evaluate_page(), "evaluate_tab", "Misclassified")
    wrong = np.flatnonzero(probs.argmax(1) != labels)
    assert f"{len(wrong)} of 10000 test images are misclassified." in [m.value for m in at.markdown]
    conf = probs[wrong, probs[wrong].argmax(1)]
    gallery = [c for c in _captions(at) if c and "/ true" in c[0]][0]
    assert len(gallery) == 40 and gallery[0].endswith(f"{conf.max():.0%}")
    at.radio(key="evaluate_order").set_value("least confident first").run()
    gallery = [c for c in _captions(at) if c and "/ true" in c[0]][0]
    assert gallery[0].endswith(f"{conf.min():.0%}")


def test_weight_histograms_per_layer_and_across_epochs_of_a_run(tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    run_dir = runs / "20260101-000000-mnist-assignment"
    shutil.copytree(DEFAULT_RUN_DIR, run_dir)
    monkeypatch.setenv("LAB_RUNS_DIR", str(runs))
    at = open_tab(_evaluate_page(active=str(run_dir / "model.keras")), "evaluate_tab", "Weights and biases")
    assert at.selectbox(key="evaluate_layer").options == ["conv1", "conv2", "dense1", "output"]
    assert at.radio(key="evaluate_hist_key").options == ["conv1/kernel", "conv1/bias"]
    epochs = [t.proto.spec for t in at.get("plotly_chart") if "evaluate_hist_epochs" in t.proto.id][0]
    assert '"epoch 0"' in epochs and '"epoch 1"' in epochs
    at.selectbox(key="evaluate_layer").select("dense1").run()
    assert not at.exception
    hist = [t.proto.spec for t in at.get("plotly_chart") if "evaluate_hist_now" in t.proto.id][0]
    assert "589,824 values" in hist  # 4608 x 128 kernel


def test_an_uploaded_model_is_evaluated_without_history(tmp_path, monkeypatch, default_model):
    from core.paths import workspace_dir

    path = workspace_dir("uploads") / "evaluate-test.keras"
    shutil.copy(DEFAULT_RUN_DIR / "model.keras", path)
    try:
        at = _evaluate_page(active=str(path))
        assert "uploaded evaluate-test.keras" in at.caption[0].value
        assert len(at.dataframe[0].value) == 10
        open_tab(at, "evaluate_tab", "Weights and biases")
        assert any("no training history" in c.value for c in at.caption)
    finally:
        path.unlink()
