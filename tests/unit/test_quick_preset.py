"""The quick preset: its layers, its learning-rate schedule, old configs still load, seeded runs repeat."""

import numpy as np
import pytest

from core.errors import LabError
from core.nets.config import PRESETS, NetConfig, preset
from core.nets.network import build_model, forward_flops, learning_rate
from core.runs import rundir
from core.runs.training import make_train_config, run_training


def test_quick_comes_first_and_builds_a_small_batch_norm_net():
    assert list(PRESETS)[0] == "quick"
    model = build_model(preset("quick"), steps_per_epoch=235)
    assert [(layer.name, tuple(layer.output.shape[1:])) for layer in model.layers] == [
        ("image", (28, 28, 1)), ("conv1", (14, 14, 32)), ("conv2", (7, 7, 64)), ("bn2", (7, 7, 64)), ("act2", (7, 7, 64)), ("flatten", (3136,)),
        ("dense1", (128,)), ("output", (10,))]
    assert model.get_layer("conv1").activation.__name__ == "relu"
    assert model.get_layer("bn2").momentum == 0.9
    assert forward_flops(model) < forward_flops(build_model(preset("assignment"), compile=False)) / 4
    assert type(model.optimizer.learning_rate).__name__ != "float"


def test_the_cosine_schedule_warms_up_then_decays_to_zero():
    net = preset("quick").with_overrides(learning_rate=0.01, warmup_fraction=0.2, epochs=2)
    schedule = learning_rate(net, steps_per_epoch=100)  # 200 steps: 40 of warm-up, 160 of decay
    lr = [float(schedule(step)) for step in (0, 20, 40, 120, 200)]
    assert lr[0] == pytest.approx(0.001)
    assert lr[1] == pytest.approx(0.0055)
    assert lr[2] == pytest.approx(0.01)
    assert lr[3] == pytest.approx(0.005)
    assert lr[4] == pytest.approx(0.0, abs=1e-9)
    assert learning_rate(net.with_overrides(lr_schedule="constant")) == 0.01
    with pytest.raises(LabError, match="steps per epoch"):
        learning_rate(net)


def test_a_run_directory_saved_before_schedules_existed_still_loads():
    from core.paths import DEFAULT_RUN_DIR

    config = rundir.read_config(DEFAULT_RUN_DIR)
    assert "lr_schedule" not in config["net"]
    assert NetConfig.from_dict(config["net"]).lr_schedule == "constant"


def test_configs_saved_before_schedules_existed_load_as_constant():
    data = preset("assignment").to_dict()
    del data["lr_schedule"], data["warmup_fraction"], data["bn_momentum"]
    net = NetConfig.from_dict(data)
    assert (net.lr_schedule, net.warmup_fraction, net.bn_momentum) == ("constant", 0.0, 0.99)
    with pytest.raises(LabError, match="schedule"):
        NetConfig.from_dict({**preset("quick").to_dict(), "lr_schedule": "wiggly"})


def _run(tmp_path, name):
    run = tmp_path / name
    run.mkdir()
    net = preset("quick")
    rundir.write_config(run, make_train_config(net, train_subset=1024, test_subset=256))
    result = run_training(run)
    return result.metrics, np.load(run / "filters" / "epoch_002.npz")["kernel"]


def test_a_seeded_quick_run_is_bit_identical(tmp_path):
    rows_a, kernel_a = _run(tmp_path, "a")
    rows_b, kernel_b = _run(tmp_path, "b")
    keys = ("train_loss", "test_loss", "fit_loss", "test_accuracy")
    assert [[r[k] for k in keys] for r in rows_a] == [[r[k] for k in keys] for r in rows_b]
    assert np.array_equal(kernel_a, kernel_b)
    assert rows_a[1]["fit_loss"] < rows_a[0]["fit_loss"]
    assert {"fit_seconds", "eval_seconds", "save_seconds", "seconds"} <= set(rows_a[0])
