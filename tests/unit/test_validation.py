"""Wrong types and ranges in a network config or a search space: exit 2 and one line naming the field.

Every case once through the CLI (`train --config`, `sweep run --space` with grid and random search) and
once through the API the pages call (`NetConfig.from_dict`, `space_from_dict`, `launch.start_sweep`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import LabError
from core.nets.config import NetConfig, preset
from core.sweep.space import space_from_dict

ROOT = Path(__file__).resolve().parents[2]


def _net(**changes) -> dict:
    data = preset("assignment").to_dict()
    data.update(changes)
    return data


def _conv0(**changes) -> dict:
    data = preset("assignment").to_dict()
    data["conv"][0].update(changes)
    return data


# (config, words the message must contain: the field and its valid values)
BAD_CONFIGS = [
    ({"conv": [{"filters": "32"}]}, ["conv[0].filters", "whole number from 1 to 1024", "'32'"]),
    (_net(learning_rate="fast"), ["learning_rate", "(0, 1]", "'fast'"]),
    (_net(learning_rate=0), ["learning_rate", "(0, 1]"]),
    (_conv0(kernel_size=2.5), ["conv[0].kernel_size", "whole number from 1 to 15"]),
    (_conv0(padding="full"), ["conv[0].padding", "valid, same"]),
    (_conv0(batch_norm="yes"), ["conv[0].batch_norm", "true or false"]),
    (_conv0(dropout=1.0), ["conv[0].dropout", "[0, 1)"]),
    (_net(dense=[{"units": None}]), ["dense[0].units", "whole number from 1 to 8192"]),
    (_net(epochs=True), ["epochs", "whole number from 1 to 500"]),
    (_net(optimizer="adagrad"), ["optimizer", "adam, sgd"]),
    (_net(input_shape=[28, 28]), ["input_shape", "three whole numbers"]),
    (_net(conv={"filters": 8}), ["conv must be a list"]),
    (_net(seed=-1), ["seed", "whole number from 0"]),
]

# (search space, words the message must contain)
BAD_SPACES = [
    ({"filters": {"low": 8, "high": 64, "step": -8}}, ["filters", "'step' must be greater than 0", "-8"]),
    ({"learning_rate": {"low": 0.001, "high": 0.01, "step": -0.001}}, ["learning_rate", "'step'", "greater than 0"]),
    ({"filters": {"low": 8, "high": 64, "step": 0}}, ["filters", "'step' must be greater than 0"]),
    ({"learning_rate": {"low": "a", "high": 0.01}}, ["learning_rate", "'low' must be a number", "'a'"]),
    ({"dense_units": {"low": 16, "high": 64, "points": "x"}}, ["dense_units", "'points'", "from 2 to 50", "'x'"]),
    ({"filters": {"low": 8, "high": 64, "step": "8"}}, ["filters", "'step' must be a whole number", "'8'"]),
    ({"filters": {"low": 8.5, "high": 64}}, ["filters", "'low' must be a whole number"]),
    ({"learning_rate": {"low": 0.001, "high": 0.01, "log": "yes"}}, ["learning_rate", "'log'", "true or false"]),
    ({"learning_rate": {"low": 0.001, "high": 0.1, "log": True, "step": 0.01}}, ["log range takes 'points'"]),
    ({"filters": [8, 5000]}, ["filters", "5000", "whole number from 1 to 1024"]),
    ({"learning_rate": {"low": 0.001, "high": 5}}, ["learning_rate", "5", "(0, 1]"]),
    ({"filters": 32}, ["filters", "list of values or a range"]),
]


def cli(*args):
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("LAB_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "core", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def assert_one_line(out, words):
    assert out.returncode == 2, out.stderr
    lines = out.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert "Traceback" not in out.stderr + out.stdout


@pytest.mark.parametrize("config, words", BAD_CONFIGS)
def test_bad_network_config_via_the_api(config, words):
    with pytest.raises(LabError) as info:
        NetConfig.from_dict(config)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("config, words", BAD_CONFIGS[:4])
def test_bad_network_config_via_the_cli(tmp_path, config, words):
    path = tmp_path / "net.json"
    path.write_text(json.dumps(config))
    assert_one_line(cli("train", "--config", str(path), "--run-dir", str(tmp_path / "run")), words)
    assert not (tmp_path / "run").exists()  # nothing created for a refused config


@pytest.mark.parametrize("dims, words", BAD_SPACES)
def test_bad_search_space_via_the_api(dims, words):
    with pytest.raises(LabError) as info:
        space_from_dict({"dimensions": dims})
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize("strategy", ["grid", "random"])
@pytest.mark.parametrize("dims, words", BAD_SPACES[:6])
def test_bad_search_space_via_the_cli(tmp_path, lab_home, strategy, dims, words):
    path = tmp_path / "space.json"
    path.write_text(json.dumps({"dimensions": dims}))
    before = sorted((lab_home / "sweeps").iterdir()) if (lab_home / "sweeps").is_dir() else []
    assert_one_line(cli("sweep", "run", "--space", str(path), "--strategy", strategy, "--trials", "2"), words)
    after = sorted((lab_home / "sweeps").iterdir()) if (lab_home / "sweeps").is_dir() else []
    assert after == before  # no study was created


def test_the_experiments_page_gets_the_same_message_and_starts_nothing(lab_home):
    from core.sweep import launch

    dims, words = BAD_SPACES[0]
    with pytest.raises(LabError) as info:
        launch.start_sweep({"dimensions": dims}, "grid", None, "refused-space")
    for word in words:
        assert word in str(info.value)
    assert not (lab_home / "sweeps" / "refused-space").exists()


def test_good_inputs_still_load():
    config = NetConfig.from_dict(json.loads(json.dumps(preset("pytorch-tutorial").to_dict())))
    assert config == preset("pytorch-tutorial")
    assert NetConfig.from_dict({"conv": [{"filters": 8.0}]}).conv[0].filters == 8  # JSON 8.0 is a whole number
    space = space_from_dict({"dimensions": {"filters": {"low": 8, "high": 32, "step": 8},
                                            "learning_rate": {"low": 0.001, "high": 0.01, "log": True}}})
    assert space.grid()["filters"] == [8, 16, 24, 32]
    assert len(space.grid()["learning_rate"]) == 5


def test_a_value_that_only_fails_with_some_other_values_is_left_to_its_trials():
    """3 convs of 5x5 shrink the image below 1x1, 3 of 3x3 do not: the space is fine, that trial fails."""
    space = space_from_dict({"base": "pytorch-tutorial",
                             "dimensions": {"conv_layers": [2, 3], "filter_size": [3, 5]}})
    assert len(space.network({"conv_layers": 3, "filter_size": 3}).conv) == 3
    with pytest.raises(LabError, match="below 1x1"):
        space.network({"conv_layers": 3, "filter_size": 5})
