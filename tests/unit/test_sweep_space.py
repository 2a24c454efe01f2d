"""Search spaces as data: parsing, checking, and turning a trial's values into a network."""

import json

import pytest

from core.nets.config import preset
from core.errors import LabError
from core.paths import ASSETS_DIR
from core.sweep.space import DIMENSIONS, apply_params, base_values, load_space, space_from_dict


def test_example_space_has_the_assignment_dimensions_and_a_hypothesis_for_each():
    space = load_space(ASSETS_DIR / "sweeps" / "assignment_space.json")
    for dim in ("conv_layers", "filter_size", "filters", "dense_units", "dropout_conv", "dropout_dense",
                "pool_size", "pool_placement", "activation", "batch_size", "learning_rate", "l2"):
        assert dim in space.dimensions
        assert space.hypotheses[dim]
    assert space.dataset == "mnist" and space.train_subset and space.epochs == 1
    # the start point of linear search is the assignment network itself where it is a candidate
    start = space.start_point()
    assert start["filters"] == 32 and start["conv_layers"] == 2 and start["pool_placement"] == "last"


def test_a_range_is_cut_into_points_for_grid_and_linear_search():
    space = space_from_dict({"dimensions": {"learning_rate": {"low": 1e-4, "high": 1e-2, "log": True,
                                                              "points": 3},
                                            "dense_units": {"low": 16, "high": 64, "step": 16}}})
    assert space.grid()["learning_rate"] == pytest.approx([1e-4, 1e-3, 1e-2])
    assert space.grid()["dense_units"] == [16, 32, 48, 64]
    assert space.grid_size() == 12


@pytest.mark.parametrize("bad, words", [
    ({"dimensions": {"filterz": [8]}}, "Unknown dimension 'filterz'"),
    ({"dimensions": {"activation": ["relu", "wiggle"]}}, "'wiggle' is not one of"),
    ({"dimensions": {"filters": [8, "many"]}}, "'many' is not a number"),
    ({"dimensions": {"filters": [8, 8.5]}}, "8.5 is not a whole number"),
    ({"dimensions": {"filters": []}}, "at least one value"),
    ({"dimensions": {"l2": {"low": 0.1, "high": 0.01}}}, "low must be smaller"),
    ({"dimensions": {"filters": [8]}, "hypotheses": {"epochs": "more is better"}}, "does not vary: epochs"),
    ({"dimensions": {}}, "at least one dimension"),
    ({"dimensions": {"filters": [8]}, "dataset": "kmnist"}, "Unknown dataset 'kmnist'"),
    ({"dimensions": {"filters": [8]}, "base": "resnet"}, "Unknown preset 'resnet'"),
])
def test_bad_spaces_are_refused_with_a_message_naming_the_problem(bad, words):
    with pytest.raises(LabError, match=words.replace("(", r"\(")):
        space_from_dict(bad)


def test_bad_json_file_gives_a_clear_error(tmp_path):
    path = tmp_path / "space.json"
    path.write_text("{not json")
    with pytest.raises(LabError, match="not valid JSON"):
        load_space(path)
    with pytest.raises(LabError, match="Cannot read"):
        load_space(tmp_path / "missing.json")


def test_values_change_exactly_the_layers_they_name():
    base = preset("assignment")
    net = apply_params(base, {"conv_layers": 3, "filters": 16, "filter_size": 5, "pool_placement": "each",
                              "dense_units": 64, "dropout_dense": 0.1, "activation": "tanh",
                              "learning_rate": 0.003, "batch_size": 32, "l2": 1e-4})
    assert [b.filters for b in net.conv] == [16, 16, 16]
    assert [b.kernel_size for b in net.conv] == [5, 5, 5]
    assert [b.pool_size for b in net.conv] == [2, 2, 2]
    assert [b.activation for b in net.conv] == ["tanh"] * 3
    assert net.conv[-1].dropout == 0.25 and net.conv[0].dropout == 0.0  # conv dropout stays after the stack
    assert (net.dense[0].units, net.dense[0].dropout, net.dense[0].activation) == (64, 0.1, "tanh")
    assert (net.learning_rate, net.batch_size, net.l2) == (0.003, 32, 1e-4)
    # nothing named stays as in the base
    same = apply_params(base, {})
    assert same.to_dict() == base.to_dict()
    assert base_values(base)["pool_placement"] == "last"
    one = apply_params(base, {"conv_layers": 1, "pool_placement": "none"})
    assert len(one.conv) == 1 and one.conv[0].pool_size == 0


def test_an_impossible_combination_is_a_clear_error_not_a_crash():
    space = space_from_dict({"dimensions": {"conv_layers": [1, 4], "filter_size": [3, 9]}})
    with pytest.raises(LabError, match="1x1"):
        space.network({"conv_layers": 4, "filter_size": 9})
    assert space.network({"conv_layers": 4, "filter_size": 3}).epochs == 1


def test_space_round_trips_through_json():
    space = load_space(ASSETS_DIR / "sweeps" / "assignment_space.json")
    again = space_from_dict(json.loads(json.dumps(space.to_dict())))
    assert again.to_dict() == space.to_dict()
    assert set(DIMENSIONS) >= set(again.dimensions)


@pytest.mark.parametrize("params", [
    {},
    {"conv_layers": 3, "filters": 16, "filter_size": 3, "pool_placement": "each", "dense_units": 64},
    {"conv_layers": 1, "filters": 8, "pool_placement": "none", "dense_units": 32, "pool_size": 3},
    {"conv_layers": 4, "filter_size": 3, "pool_placement": "first", "filters": 64, "dropout_conv": 0.5},
])
def test_a_trials_parameter_count_is_what_keras_builds(params):
    from core.nets.network import build_model
    from core.sweep.trial import count_params

    net = space_from_dict({"dimensions": {"filters": [8]}}).network(params)
    built = build_model(net.with_overrides(input_shape=(28, 28, 1), num_classes=10), compile=False)
    assert count_params(net, "mnist") == built.count_params()
