"""Live training charts and the progress bar text, from run-directory data."""

from core.runs.plots import format_duration, metrics_figure, progress_view

ROWS = [
    {"epoch": 1, "train_accuracy": 0.90, "test_accuracy": 0.91, "train_loss": 0.35, "test_loss": 0.30,
     "seconds": 20.0},
    {"epoch": 2, "train_accuracy": 0.95, "test_accuracy": 0.96, "train_loss": 0.15, "test_loss": 0.12,
     "seconds": 30.0},
]


def test_metrics_figure_has_train_and_test_accuracy_and_loss_per_epoch():
    fig = metrics_figure(ROWS, epochs=12)
    names = [t.name for t in fig.data]
    assert names == ["train accuracy", "test accuracy", "train loss", "test loss"]
    by_name = {t.name: t for t in fig.data}
    assert list(by_name["test accuracy"].x) == [1, 2]
    assert list(by_name["test accuracy"].y) == [0.91, 0.96]
    assert list(by_name["train loss"].y) == [0.35, 0.15]
    # the x axis already spans the planned epochs, so the curves grow into it
    assert tuple(fig.layout.xaxis.range) == (0.5, 12.5)


def test_metrics_figure_of_a_run_without_epochs_is_empty_but_valid():
    fig = metrics_figure([], epochs=3)
    assert all(len(t.x) == 0 for t in fig.data)
    assert tuple(fig.layout.yaxis.range) == (0, 1)


def test_format_duration():
    assert format_duration(5) == "5 s"
    assert format_duration(125) == "2 min 05 s"
    assert format_duration(3725) == "1 h 02 min"
    assert format_duration(None) == "?"


def test_progress_in_the_middle_of_an_epoch_estimates_the_rest_of_the_run():
    progress = {"epoch": 3, "epochs": 4, "batch": 50, "batches": 100, "epoch_elapsed_s": 10.0,
                "epoch_eta_s": 10.0}
    view = progress_view({"state": "running"}, progress, ROWS)
    assert view["fraction"] == (2 + 0.5) / 4
    # 10 s left in epoch 3, then one more epoch at the mean finished-epoch time (25 s)
    assert view["eta_s"] == 35.0
    assert "Epoch 3/4" in view["text"] and "batch 50/100" in view["text"] and "35 s" in view["text"]


def test_progress_before_any_finished_epoch_uses_the_batch_speed():
    progress = {"epoch": 1, "epochs": 2, "batch": 10, "batches": 40, "epoch_elapsed_s": 5.0, "epoch_eta_s": 15.0}
    view = progress_view({"state": "running"}, progress, [])
    assert view["eta_s"] == 15.0 + 20.0


def test_progress_of_queued_and_finished_runs():
    assert "Queued" in progress_view({"state": "queued"}, {}, [])["text"]
    done = progress_view({"state": "finished"}, {"epochs": 2}, ROWS)
    assert done["fraction"] == 1.0 and "Finished after 2 epoch" in done["text"]
    stopped = progress_view({"state": "stopped"}, {"epochs": 4}, ROWS)
    assert stopped["fraction"] == 0.5 and stopped["text"].startswith("Stopped")
