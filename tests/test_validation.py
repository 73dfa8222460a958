"""The argument validators of chainrule._validation: exact messages, every branch.

The errors page (docs/errors.md) shows each public function's messages; these tests pin the
validators themselves, including the cases no public function reaches (one allowed ndim, a
description instead of the ndim list, a non-string choice).
"""

from __future__ import annotations

import numpy as np
import pytest

from chainrule._validation import check_axis, check_choice, check_ndim, check_real_in_interval


def ndim_message(allowed, **options):
    """The message of check_ndim for a 3-D array, or None if it passes."""
    try:
        check_ndim(np.zeros((2, 3, 4)), "x", allowed, **options)
    except ValueError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("allowed", "options", "message"),
    [
        ((1,), {}, "x must be 1-D, got shape (2, 3, 4)"),
        ({2, 1}, {}, "x must be 1-D or 2-D, got shape (2, 3, 4)"),
        ((4, 1, 2), {}, "x must be 1-D, 2-D or 4-D, got shape (2, 3, 4)"),
        ((2,), {"described": "a matrix"}, "x must be a matrix, got shape (2, 3, 4)"),
        ((3,), {}, None),
    ],
    ids=["one", "two-unordered", "three-sorted", "described", "allowed"],
)
def test_check_ndim_lists_the_allowed_dimensions_in_order(allowed, options, message):
    assert ndim_message(allowed, **options) == message


@pytest.mark.parametrize(("axis", "expected"), [(-1, 2), (np.int64(2), 2), (-3, 0), (0, 0)])
def test_check_axis_normalises_numpy_axes(axis, expected):
    assert check_axis(axis, 3) == expected


def test_check_axis_names_the_argument_and_the_range():
    with pytest.raises(ValueError, match=r"^dim 3 is out of range for an array of ndim 3 \(expected -3 <= dim < 3\)$"):
        check_axis(3, 3, "dim")


def choice_message(value, choices):
    """The message of check_choice, or None if `value` passes."""
    try:
        check_choice(value, "reduction", choices)
    except ValueError as error:
        return str(error)
    return None


@pytest.mark.parametrize(
    ("value", "choices", "message"),
    [
        ("avg", ("mean",), "reduction must be one of 'mean', got 'avg'"),
        ("avg", ("mean", "sum"), "reduction must be one of 'mean' or 'sum', got 'avg'"),
        (["sum"], ("mean", "sum"), "reduction must be one of 'mean' or 'sum', got ['sum']"),
        ("sum", ("mean", "sum"), None),
    ],
    ids=["one-choice", "two-choices", "not-a-string", "allowed"],
)
def test_check_choice_quotes_every_choice(value, choices, message):
    assert choice_message(value, choices) == message


@pytest.mark.parametrize("value", [0, 1, np.float32(0.5), 0.25])
def test_check_real_in_interval_returns_a_python_float(value):
    result = check_real_in_interval(value, "t", 0.0, 1.0)
    assert type(result) is float and result == value


@pytest.mark.parametrize("value", [2, -1e-300, np.inf])
def test_check_real_in_interval_rejects_values_outside_even_barely(value):
    with pytest.raises(ValueError) as error:
        check_real_in_interval(value, "t", 0.0, 1.0)
    assert str(error.value) == f"t must be a finite number in [0, 1], got {float(value)!r}"
