"""Readings carry the model's class names; the True-label picker follows the newest reading."""

import numpy as np
import pytest

from core.errors import LabError
from core.handwriting.reading import Reading, check_readable, follow_reading, saved_label_choices, what_it_reads
from core.nets.kind import NO_CLASSIFIER, ModelKind, classifier_kind


def test_a_letter_reading_is_named_and_a_digit_reading_keeps_its_index():
    letters = Reading(np.array([0.1, 0.7, 0.2]), ("alpha", "beta", "gamma"))
    assert letters.label == 1 and letters.name == "beta"
    assert letters.top_named(2) == [("beta", pytest.approx(0.7)), ("gamma", pytest.approx(0.2))]
    assert letters.as_dict()["name"] == "beta" and letters.as_dict()["label"] == 1
    assert Reading(np.eye(10)[7]).name == "7"  # no names given: the index


def test_what_each_kind_reads_and_whether_its_drawings_can_be_saved_as_digits():
    digits = classifier_kind([str(i) for i in range(10)], "mnist")
    letters = classifier_kind(["alpha", "beta", "gamma"], "symbols")
    assert what_it_reads(digits) == "The active model reads digits 0-9."
    assert "reads Greek letters (alpha, beta, gamma), not digits" in what_it_reads(letters)
    assert saved_label_choices(digits) == [str(i) for i in range(10)] and saved_label_choices(letters) is None
    check_readable(letters)
    with pytest.raises(LabError, match="model without a classifier output, so it cannot read handwriting"):
        check_readable(ModelKind(NO_CLASSIFIER))
    with pytest.raises(LabError, match=r"takes \(32, 32, 3\) images"):
        check_readable(classifier_kind(["a", "b"], None, (32, 32, 3)))


def test_the_picker_follows_a_new_reading_but_keeps_a_users_choice_for_the_same_one():
    state = {}
    follow_reading(state, "lab", Reading(np.eye(10)[2]))  # the bar: read as 2
    assert state["lab"] == 2
    follow_reading(state, "lab", Reading(np.eye(10)[7]))  # the finished 7
    assert state["lab"] == 7
    state["lab"] = 1  # the user picks another label for this drawing
    follow_reading(state, "lab", Reading(np.eye(10)[7]))
    assert state["lab"] == 1
