"""The sweep form's values cell: lists and JSON ranges typed by a user, read back as a space file holds them."""

import pytest

from core.errors import LabError
from core.sweep.form import parse_values, values_text
from core.sweep.space import space_from_dict


def test_lists_are_read_with_each_dimensions_type():
    assert parse_values("filters", "8, 16 ,32") == [8, 16, 32]
    assert parse_values("learning_rate", "0.001, 1e-2, 1") == [0.001, 0.01, 1.0]
    assert parse_values("dropout_conv", "0, 0.25") == [0.0, 0.25]
    assert parse_values("activation", "relu, tanh,") == ["relu", "tanh"]


def test_a_json_range_is_read_as_a_range_and_round_trips_through_the_cell():
    spec = {"low": 0.0001, "high": 0.01, "log": True, "points": 5}
    assert parse_values("learning_rate", values_text(spec)) == spec
    assert parse_values("filters", values_text([8, 16])) == [8, 16]
    space = space_from_dict({"name": "t", "base": "fast", "dimensions": {
        "learning_rate": parse_values("learning_rate", values_text(spec)),
        "filters": parse_values("filters", "8, 16")}})
    assert set(space.dimensions) == {"learning_rate", "filters"}


def test_bad_values_name_the_dimension():
    with pytest.raises(LabError, match="filters: 'eight' is not a number"):
        parse_values("filters", "8, eight")
    with pytest.raises(LabError, match="learning_rate: the range is not valid JSON"):
        parse_values("learning_rate", '{"low": 0.1,')
