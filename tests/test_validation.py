"""The argument validators of chainrule._validation: exact messages, every branch.

The errors page (docs/errors.md) shows each public function's messages; these tests pin the
validators themselves, including the cases no public function reaches (one allowed ndim, a
description instead of the ndim list, a non-string choice), and the rule the page states:
a wrong kind of argument is a TypeError, a wrong value of the right kind a ValueError.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainrule._validation import (
    as_float32_or_float64,
    check_axis,
    check_choice,
    check_float_dtype,
    check_methods,
    check_ndim,
    check_nonnegative_tolerance,
    check_open_fraction,
    check_real_in_interval,
    check_sizes,
    check_step,
)


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


def error_of(call):
    """(exception type, message) of what `call()` raises, or None if it returns."""
    try:
        call()
    except (TypeError, ValueError) as error:
        return type(error), str(error)
    return None


@pytest.mark.parametrize(
    ("value", "choices", "expected"),
    [
        ("avg", ("mean",), (ValueError, "reduction must be one of 'mean', got 'avg'")),
        ("avg", ("mean", "sum"), (ValueError, "reduction must be one of 'mean' or 'sum', got 'avg'")),
        (["sum"], ("mean", "sum"), (TypeError, "reduction must be one of 'mean' or 'sum', got list ['sum']")),
        (None, ("mean", "sum"), (TypeError, "reduction must be one of 'mean' or 'sum', got NoneType None")),
        ("sum", ("mean", "sum"), None),
    ],
    ids=["one-choice", "two-choices", "not-a-string", "none", "allowed"],
)
def test_check_choice_quotes_every_choice_and_rejects_a_non_string_as_a_type_error(value, choices, expected):
    assert error_of(lambda: check_choice(value, "reduction", choices)) == expected


@pytest.mark.parametrize("value", [0, 1, np.float32(0.5), 0.25])
def test_check_real_in_interval_returns_a_python_float(value):
    result = check_real_in_interval(value, "t", 0.0, 1.0)
    assert type(result) is float and result == value


@pytest.mark.parametrize("value", [2, -1e-300, np.inf])
def test_check_real_in_interval_rejects_values_outside_even_barely(value):
    with pytest.raises(ValueError) as error:
        check_real_in_interval(value, "t", 0.0, 1.0)
    assert str(error.value) == f"t must be a finite number in [0, 1], got {float(value)!r}"


# --- the TypeError / ValueError rule, validator by validator -----------------------------------
# One row per bad argument: a bool is never a number (Python counts True as 1), a string is never
# a number or a sequence of sizes, and a wrong value of the right kind is a ValueError.

METHODS = ("central", "complex", "richardson")
WRONG_KIND_AND_WRONG_VALUE = [
    # check_step: h of numerical_gradient, numerical_jacobian, check_gradient
    (check_step, (True,), TypeError, "h must be a positive finite number, got bool True"),
    (check_step, ("0.1",), TypeError, "h must be a positive finite number, got str '0.1'"),
    (check_step, (None,), TypeError, "h must be a positive finite number, got NoneType None"),
    (check_step, (np.bool_(True),), TypeError, "h must be a positive finite number, got bool np.True_"),
    (check_step, (1j,), TypeError, "h must be a positive finite number, got complex 1j"),
    (check_step, (0.0,), ValueError, "h must be a positive finite number, got 0.0"),
    (check_step, (-1,), ValueError, "h must be a positive finite number, got -1.0"),
    (check_step, (np.nan,), ValueError, "h must be a positive finite number, got nan"),
    (check_step, (np.inf,), ValueError, "h must be a positive finite number, got inf"),
    (check_step, (10**400,), ValueError, "h must be a positive finite number, got inf"),  # no OverflowError
    # check_nonnegative_tolerance: rtol and atol of check_gradient
    (check_nonnegative_tolerance, (True, "rtol"), TypeError, "rtol must be a finite non-negative number, got bool True"),
    (check_nonnegative_tolerance, ("0", "atol"), TypeError, "atol must be a finite non-negative number, got str '0'"),
    (check_nonnegative_tolerance, (-1.0, "rtol"), ValueError, "rtol must be a finite non-negative number, got -1.0"),
    (check_nonnegative_tolerance, (np.inf, "atol"), ValueError, "atol must be a finite non-negative number, got inf"),
    (check_nonnegative_tolerance, (np.nan, "rtol"), ValueError, "rtol must be a finite non-negative number, got nan"),
    # check_sizes: MLP's sizes
    (check_sizes, ("43",), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got str '43'"),
    (check_sizes, (b"43",), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got bytes b'43'"),
    (check_sizes, (4,), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got int 4"),
    (check_sizes, (None,), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got NoneType None"),
    (check_sizes, (iter([4, 3]),), TypeError, None),  # an iterator is not a sequence (its repr has an address)
    (check_sizes, ({4, 3},), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got set {3, 4}"),
    (check_sizes, (np.array(4),), TypeError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got ndarray array(4)"),
    (check_sizes, ([4],), ValueError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got [4]"),
    (check_sizes, ((),), ValueError, "sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got ()"),
    (check_sizes, ([4, True],), TypeError, "sizes[1] must be a positive integer, got bool True"),
    (check_sizes, ([4, 0],), ValueError, "sizes[1] must be a positive integer, got 0"),
    # check_open_fraction: stratified_split's test_fraction
    (check_open_fraction, ("0.2", "test_fraction"), TypeError, "test_fraction must be a number strictly between 0 and 1, got str '0.2'"),
    (check_open_fraction, (True, "test_fraction"), TypeError, "test_fraction must be a number strictly between 0 and 1, got bool True"),
    (check_open_fraction, (0.0, "test_fraction"), ValueError, "test_fraction must be strictly between 0 and 1, got 0.0"),
    (check_open_fraction, (1, "test_fraction"), ValueError, "test_fraction must be strictly between 0 and 1, got 1.0"),
    (check_open_fraction, (np.nan, "test_fraction"), ValueError, "test_fraction must be strictly between 0 and 1, got nan"),
    # check_methods: check_grads's methods
    (check_methods, ("complex", METHODS), TypeError, "methods must be a sequence of method names such as ('complex', 'central'), got str 'complex' (for one method write methods=('complex',))"),
    (check_methods, (None, METHODS), TypeError, "methods must be a sequence of method names such as ('complex', 'central'), got NoneType None"),
    (check_methods, ((), METHODS), ValueError, "methods must name at least one method such as ('complex', 'central'), got ()"),
    (check_methods, (("complex", "exact"), METHODS), ValueError, "methods[1] must be one of 'central', 'complex' or 'richardson', got 'exact'"),
    (check_methods, (["complex", 1], METHODS), TypeError, "methods[1] must be one of 'central', 'complex' or 'richardson', got int 1"),
    # check_float_dtype: a dtype NumPy cannot read is named as the argument, not in NumPy's words
    (check_float_dtype, ("float33",), TypeError, "dtype must be a floating dtype (float32 or float64), got str 'float33'"),
    (check_float_dtype, (np.int32,), TypeError, "dtype must be a floating dtype (float32 or float64), got int32"),
    # as_float32_or_float64: the engine's arrays
    (as_float32_or_float64, (np.ones(2, dtype=np.float16), "logits"), TypeError, "logits must be a float32 or float64 array, got dtype float16"),
    (as_float32_or_float64, (np.ones(2, dtype=complex), "logits"), TypeError, "logits must be a float32 or float64 array, got dtype complex128"),
]


@pytest.mark.parametrize(
    ("validator", "args", "error", "message"),
    WRONG_KIND_AND_WRONG_VALUE,
    ids=[f"{row[0].__name__}-{type(row[1][0]).__name__}-{row[2].__name__}-{i}" for i, row in enumerate(WRONG_KIND_AND_WRONG_VALUE)],
)
def test_a_wrong_kind_is_a_type_error_and_a_wrong_value_a_value_error(validator, args, error, message):
    kind, text = error_of(lambda: validator(*args))
    assert kind is error
    if message is not None:
        assert text == message


@pytest.mark.parametrize(
    ("validator", "args", "expected"),
    [
        (check_step, (np.float32(0.5),), 0.5),
        (check_step, (np.int64(2),), 2.0),  # a NumPy integer is a real number
        (check_nonnegative_tolerance, (0, "atol"), 0.0),
        (check_nonnegative_tolerance, (np.float32(0.25), "rtol"), 0.25),
        (check_open_fraction, (np.float64(0.25), "test_fraction"), 0.25),
        (check_sizes, ([4, np.int64(16), 3],), (4, 16, 3)),
        (check_sizes, (range(2, 5),), (2, 3, 4)),
        (check_sizes, (np.array([4, 16, 3]),), (4, 16, 3)),  # a 1-D integer array is a sequence of sizes
        (check_methods, (["richardson"], METHODS), ("richardson",)),
    ],
)
def test_accepted_values_come_back_as_plain_python_values(validator, args, expected):
    result = validator(*args)
    assert result == expected and type(result) is type(expected)
    if isinstance(result, tuple):
        assert all(type(entry) is type(wanted) for entry, wanted in zip(result, expected))
