"""Argument validators shared by every chainrule module.

Each validator either returns a normalised value or raises an exception whose
message is a sentence naming the argument, what it got and what was expected,
for example::

    logits must be a floating-point array (float32 or float64; complex for the
    complex step), got int64

They hold no mathematics; they exist so that every public function rejects a
bad argument with the same wording, before any arithmetic runs.
"""

from __future__ import annotations

import numbers
from collections.abc import Collection
from typing import Any

import numpy as np

__all__ = [
    "as_float_array",
    "check_axis",
    "check_choice",
    "check_ndim",
    "check_nonempty_axis",
    "check_real_in_interval",
    "check_same_shape",
    "describe_shape",
]


def describe_shape(shape: tuple[int, ...]) -> str:
    """Format a shape the way NumPy prints it: ``(3,)``, ``(2, 5)``, ``()``."""
    return str(tuple(int(n) for n in shape))


def as_float_array(x: Any, name: str, *, allow_complex: bool = True) -> np.ndarray:
    """Return `x` as a floating-point (or complex) ndarray, keeping its precision.

    Parameters
    ----------
    x : array_like
        An ndarray of dtype float16, float32, float64 (or longdouble), complex64
        or complex128, or a Python sequence / scalar of floats (which becomes
        float64, NumPy's default).
    name : str
        The argument's name, used in the error message.
    allow_complex : bool, default True
        Whether complex dtypes are accepted. Functions that may be
        differentiated by the complex step accept them; set False where a
        complex value has no meaning (for example probability targets).

    Returns
    -------
    ndarray
        `x` itself when it already is an ndarray of an accepted dtype (no copy),
        otherwise ``np.asarray(x)``. The dtype is never changed: float32 stays
        float32, complex128 stays complex128.

    Raises
    ------
    TypeError
        If the dtype is integer, boolean, object, string, or complex while
        `allow_complex` is False. Integers are rejected rather than silently
        converted because an integer array where logits are expected is nearly
        always a target passed in the wrong position.
    """
    array = np.asarray(x)
    kind = array.dtype.kind
    if kind == "f" or (kind == "c" and allow_complex):
        return array
    if allow_complex:
        expected = "float32 or float64; complex for the complex step"
    else:
        expected = "float32 or float64"
    raise TypeError(
        f"{name} must be a floating-point array ({expected}), got {array.dtype}"
    )


def check_ndim(
    x: np.ndarray, name: str, allowed: Collection[int], *, described: str | None = None
) -> None:
    """Raise ValueError unless ``x.ndim`` is one of `allowed`.

    Parameters
    ----------
    x : ndarray
        The array to check.
    name : str
        The argument's name, used in the error message.
    allowed : collection of int
        The accepted numbers of dimensions, e.g. ``(1, 2)``.
    described : str, optional
        A description of the accepted shapes used instead of the bare ndim
        list, e.g. ``"1-D of shape (C,) or 2-D of shape (N, C)"``.

    Raises
    ------
    ValueError
        ``logits must be 1-D of shape (C,) or 2-D of shape (N, C), got shape (2, 3, 4)``

    Without `described`, the allowed numbers of dimensions are listed in order:

    ```python
    import numpy as np
    from chainrule._validation import check_ndim

    def message(allowed, **options):
        try:
            check_ndim(np.zeros((2, 3, 4)), "x", allowed, **options)
        except ValueError as error:
            return str(error)

    assert message((1,)) == "x must be 1-D, got shape (2, 3, 4)"
    assert message({2, 1}) == "x must be 1-D or 2-D, got shape (2, 3, 4)"
    assert message((4, 1, 2)) == "x must be 1-D, 2-D or 4-D, got shape (2, 3, 4)"
    assert message((2,), described="a matrix") == "x must be a matrix, got shape (2, 3, 4)"
    assert message((3,)) is None
    ```
    """
    if x.ndim in allowed:
        return
    if described is None:
        options = sorted(allowed)
        if len(options) == 1:
            described = f"{options[0]}-D"
        else:
            described = ", ".join(f"{d}-D" for d in options[:-1]) + f" or {options[-1]}-D"
    raise ValueError(f"{name} must be {described}, got shape {describe_shape(x.shape)}")


def check_axis(axis: Any, ndim: int, name: str = "axis") -> int:
    """Return `axis` as a non-negative index into an array of `ndim` dimensions.

    Parameters
    ----------
    axis : int
        An axis in NumPy's convention: ``-ndim <= axis < ndim``.
    ndim : int
        The number of dimensions of the array the axis refers to.
    name : str, default "axis"
        The argument's name, used in the error message.

    Returns
    -------
    int
        The axis in ``range(ndim)``.

    Raises
    ------
    TypeError
        If `axis` is not an integer (bool and float are rejected).
    ValueError
        ``axis 2 is out of range for an array of ndim 2 (expected -2 <= axis < 2)``

    ```python
    import numpy as np
    from chainrule._validation import check_axis

    assert check_axis(-1, 3) == 2 and check_axis(np.int64(2), 3) == 2 and check_axis(-3, 3) == 0
    try:
        check_axis(3, 3, "dim")
    except ValueError as error:
        assert str(error) == "dim 3 is out of range for an array of ndim 3 (expected -3 <= dim < 3)"
    ```
    """
    if isinstance(axis, bool) or not isinstance(axis, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {type(axis).__name__} {axis!r}")
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(
            f"{name} {axis} is out of range for an array of ndim {ndim} "
            f"(expected {-ndim} <= {name} < {ndim})"
        )
    return axis % ndim


def check_nonempty_axis(x: np.ndarray, name: str, axis: int) -> None:
    """Raise ValueError if `x` has no entries along `axis` (a normalised axis).

    A reduction such as a maximum or a softmax over zero entries has no value;
    leading (batch) axes may still be empty.

    Raises
    ------
    ValueError
        ``logits is empty along axis 1 (expected at least one entry), got shape (2, 0)``
    """
    if x.shape[axis] == 0:
        raise ValueError(
            f"{name} is empty along axis {axis} (expected at least one entry), "
            f"got shape {describe_shape(x.shape)}"
        )


def check_same_shape(x: np.ndarray, name: str, reference: np.ndarray, reference_name: str) -> None:
    """Raise ValueError unless `x` has the shape of `reference`.

    Raises
    ------
    ValueError
        ``v has shape (3,) but z has shape (2, 3) (expected the same shape)``
    """
    if x.shape != reference.shape:
        raise ValueError(
            f"{name} has shape {describe_shape(x.shape)} but {reference_name} has shape "
            f"{describe_shape(reference.shape)} (expected the same shape)"
        )


def check_choice(value: Any, name: str, choices: Collection[str]) -> str:
    """Return `value` if it is one of the string `choices`, else raise ValueError.

    Raises
    ------
    ValueError
        ``reduction must be one of 'mean', 'sum' or 'none', got 'avg'``

    ```python
    from chainrule._validation import check_choice

    def message(value, choices):
        try:
            check_choice(value, "reduction", choices)
        except ValueError as error:
            return str(error)

    assert message("avg", ("mean",)) == "reduction must be one of 'mean', got 'avg'"
    assert message("avg", ("mean", "sum")) == "reduction must be one of 'mean' or 'sum', got 'avg'"
    assert message(["sum"], ("mean", "sum")) == "reduction must be one of 'mean' or 'sum', got ['sum']"
    assert message("sum", ("mean", "sum")) is None
    ```
    """
    if isinstance(value, str) and value in choices:
        return value
    quoted = [repr(c) for c in choices]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    raise ValueError(f"{name} must be one of {listed}, got {value!r}")


def check_real_in_interval(value: Any, name: str, low: float, high: float) -> float:
    """Return `value` as a Python float if it is a real number in ``[low, high]``.

    Returning a Python float (not a NumPy float64 scalar) matters: under NumPy's
    promotion rules a Python float does not upcast a float32 array, so a
    float32 computation stays float32.

    Raises
    ------
    TypeError
        If `value` is not a real number (bool, complex and strings are rejected).
    ValueError
        ``label_smoothing must be a finite number in [0, 1], got 1.5``

    ```python
    import numpy as np
    from chainrule._validation import check_real_in_interval

    for value in (0, 1, np.float32(0.5), 0.25):
        result = check_real_in_interval(value, "t", 0.0, 1.0)
        assert type(result) is float and result == value
    for value in (2, -1e-300, np.inf):
        try:
            check_real_in_interval(value, "t", 0.0, 1.0)
        except ValueError as error:
            assert str(error) == f"t must be a finite number in [0, 1], got {float(value)!r}"
        else:
            raise AssertionError(value)
    ```
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name} must be a real number in [{low:g}, {high:g}], "
            f"got {type(value).__name__} {value!r}"
        )
    value = float(value)
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be a finite number in [{low:g}, {high:g}], got {value!r}")
    return value
