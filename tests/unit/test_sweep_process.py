"""A sweep's trial process: replaced once its memory grew too much, trials still done exactly once."""

from __future__ import annotations

import gc

from core.sweep import runner, storage, trial_process
from core.sweep.space import space_from_dict

TINY = {"name": "tiny", "conv": [{"filters": 4, "kernel_size": 3, "pool_size": 2}],
        "dense": [{"units": 16}], "batch_size": 64, "epochs": 1}


def _study(name: str, n_trials: int) -> None:
    space = space_from_dict({"name": "t", "base": TINY, "train_subset": 1000, "test_subset": 300, "epochs": 1,
                             "dimensions": {"filters": [4, 8], "dense_units": [8, 16]}})
    runner.setup_study(name, space, "grid", n_trials)


def test_a_trial_process_whose_memory_grew_too_much_ends_after_its_trial_and_the_next_one_goes_on(monkeypatch):
    _study("grown", 3)
    monkeypatch.setattr(trial_process, "RECYCLE_GROWTH_MB", -1.0)  # any size counts as grown
    first = runner.work("grown", max_trials=10)
    assert first == {"reason": "recycle", "complete": 1, "failed": 0, "interrupted": 0}
    monkeypatch.undo()
    rest = runner.work("grown", max_trials=10)
    assert rest == {"reason": "done", "complete": 2, "failed": 0, "interrupted": 0}
    trials = storage.load_study("grown").get_trials(deepcopy=False)
    assert sorted(t.state.name for t in trials) == ["COMPLETE"] * 3
    assert len({tuple(sorted(t.params.items())) for t in trials}) == 3  # no configuration trained twice
    assert all((storage.study_dir("grown") / "runs" / f"trial-{t.number:04d}" / "model.keras").is_file()
               for t in trials)


def test_work_without_a_trial_limit_runs_to_the_end_whatever_its_memory(monkeypatch):
    # in-process sweeps (tests, benchmarks) have nobody to start a next process
    _study("in-process", 2)
    monkeypatch.setattr(trial_process, "RECYCLE_GROWTH_MB", -1.0)
    assert runner.work("in-process") == {"reason": "done", "complete": 2, "failed": 0, "interrupted": 0}
    assert gc.get_freeze_count() > 0  # the warm-up froze TensorFlow's heap before the first trial
    gc.unfreeze()


def test_a_trial_trains_the_same_whatever_trained_before_it_in_its_process():
    from core.runs import rundir

    def study(name, filters):
        space = space_from_dict({"name": "t", "base": TINY, "train_subset": 1000, "test_subset": 300,
                                 "epochs": 1, "dimensions": {"filters": filters}})
        runner.setup_study(name, space, "grid", len(filters))
        runner.work(name, max_trials=10)
        trials = storage.load_study(name).get_trials(deepcopy=False)
        return {t.params["filters"]: rundir.read_metrics(t.user_attrs["run_dir"])[-1] for t in trials}

    together = study("together", [4, 6, 8])  # two of the three train after another trial
    keys = ("test_accuracy", "test_loss", "train_loss", "fit_loss")
    for filters in (4, 6, 8):
        alone = study(f"alone-{filters}", [filters])[filters]
        assert {k: together[filters][k] for k in keys} == {k: alone[k] for k in keys}, filters
