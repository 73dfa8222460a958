"""Argument validators shared by every chainrule module.

Each validator either returns a normalised value or raises an exception whose
message is a sentence naming the argument, what it got and what was expected,
for example:

```text
logits must be a floating-point array (float32 or float64; complex for the
complex step), got int64
```

They hold no mathematics; they exist so that every public function rejects a
bad argument with the same wording, before any arithmetic runs. Every check of
the package lives here: the other modules import these names and define none of
their own.

One rule decides the exception: a wrong *kind* of argument (a string or a bool
where a number is expected, an integer array where floats are, a number where a
sequence is) raises ``TypeError``; the right kind with a wrong value or shape
raises ``ValueError``. A bool is never a number here, although Python counts
``True`` as 1.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

__all__ = [
    "REDUCTIONS",
    "CrossEntropyArgs",
    "as_class_indices",
    "as_finite_real_array",
    "as_float32_or_float64",
    "as_float_array",
    "check_axis",
    "check_batch",
    "check_choice",
    "check_cross_entropy_args",
    "check_float_dtype",
    "check_forward_ran",
    "check_grad_shape",
    "check_key",
    "check_logits",
    "check_methods",
    "check_ndim",
    "check_nonempty_axis",
    "check_nonnegative_tolerance",
    "check_open_fraction",
    "check_param_shape",
    "check_positive_int",
    "check_real_in_interval",
    "check_returned_value",
    "check_rng",
    "check_same_shape",
    "check_sizes",
    "check_step",
    "describe_shape",
]


def describe_shape(shape: tuple[int, ...]) -> str:
    """Format a shape the way NumPy prints it: ``(3,)``, ``(2, 5)``, ``()``."""
    return str(tuple(int(n) for n in shape))


def _described(value: Any) -> str:
    """A value with its type for a TypeError message: ``bool True``, ``str '0.1'``, ``NoneType None``."""
    return f"{type(value).__name__} {value!r}"


def _as_real_number(value: Any, name: str, expected: str) -> float:
    """Return `value` as a Python float if it is a real number (bool rejected), else raise TypeError.

    `expected` completes the sentence ``{name} must be {expected}, got ...``. An
    integer too large for a float64 becomes an infinity of its sign, which the
    caller's value check then rejects.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {_described(value)}")
    try:
        return float(value)
    except OverflowError:  # an int beyond float64's range, e.g. 10**400
        return math.inf if value > 0 else -math.inf


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


def as_float32_or_float64(x: Any, name: str) -> np.ndarray:
    """Return `x` as an ndarray if its dtype is float32 or float64, the two the engine computes in.

    Stricter than ``as_float_array``: the engine's ``Tensor`` takes neither
    complex (its tests get the complex step from the rules, not the tensors)
    nor float16.

    Raises
    ------
    TypeError
        ``logits must be a float32 or float64 array, got dtype int64``
    """
    array = np.asarray(x)
    if array.dtype not in (np.float32, np.float64):
        raise TypeError(f"{name} must be a float32 or float64 array, got dtype {array.dtype}")
    return array


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

    check_ndim(np.zeros((2, 3)), "x", (1, 2))  # 2-D is allowed: no error
    try:
        check_ndim(np.zeros((2, 3, 4)), "x", (1, 2))
    except ValueError as error:
        assert str(error) == "x must be 1-D or 2-D, got shape (2, 3, 4)"
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
    from chainrule._validation import check_axis

    assert check_axis(-1, 3) == 2  # the last of three axes
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
    """Return `value` if it is one of the string `choices`, else raise.

    Raises
    ------
    TypeError
        If `value` is not a string:
        ``reduction must be one of 'mean', 'sum' or 'none', got NoneType None``
    ValueError
        If it is a string but not one of `choices`:
        ``reduction must be one of 'mean', 'sum' or 'none', got 'avg'``

    ```python
    from chainrule._validation import check_choice

    assert check_choice("sum", "reduction", ("mean", "sum")) == "sum"
    ```
    """
    if isinstance(value, str) and value in choices:
        return value
    quoted = [repr(c) for c in choices]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {listed}, got {_described(value)}")
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

    smoothing = check_real_in_interval(np.float32(0.5), "label_smoothing", 0.0, 1.0)
    assert type(smoothing) is float and smoothing == 0.5
    ```
    """
    value = _as_real_number(value, name, f"a real number in [{low:g}, {high:g}]")
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} must be a finite number in [{low:g}, {high:g}], got {value!r}")
    return value


# --------------------------------------------------------------------------
# logits (softmax.py)
# --------------------------------------------------------------------------


def check_logits(z: ArrayLike, name: str, axis: Any) -> tuple[np.ndarray, int]:
    """Return `z` as a float/complex array and `axis` normalised, for a softmax over `axis`.

    Raises
    ------
    TypeError
        If `z` is not floating-point or complex, or `axis` is not an integer.
    ValueError
        ``z must have at least one axis to normalise over, got a 0-d array``; or
        `axis` out of range; or `z` empty along `axis`.
    """
    z = as_float_array(z, name)
    if z.ndim == 0:
        raise ValueError(f"{name} must have at least one axis to normalise over, got a 0-d array")
    axis = check_axis(axis, z.ndim)
    check_nonempty_axis(z, name, axis)
    return z, axis


# --------------------------------------------------------------------------
# cross-entropy arguments (losses.py, fused.py)
# --------------------------------------------------------------------------

REDUCTIONS: tuple[str, ...] = ("mean", "sum", "none")
"""The reductions of the cross-entropy, as in ``torch.nn.functional.cross_entropy``."""


class CrossEntropyArgs(NamedTuple):
    """The validated arguments of a cross-entropy, as ``check_cross_entropy_args`` returns them."""

    logits: np.ndarray
    """Floating-point or complex, of shape (C,) or (N, C)."""
    target: np.ndarray
    """Class indices (``intp``, of shape ``logits.shape[:-1]``) or probabilities (logits' shape and real dtype)."""
    is_index: bool
    """Whether `target` holds class indices."""
    reduction: str
    """One of ``REDUCTIONS``."""
    smoothing: float
    """The label smoothing, a Python float in [0, 1]."""


def check_cross_entropy_args(
    logits: ArrayLike, target: ArrayLike, reduction: object, label_smoothing: object
) -> CrossEntropyArgs:
    """Check every argument of a cross-entropy; return them normalised.

    Class-index targets come back as an ``intp`` array of shape ``logits.shape[:-1]``;
    probability targets as an array of the logits' shape in the logits' real
    dtype (so float32 logits keep the whole computation in float32).

    Raises
    ------
    TypeError, ValueError
        The messages listed in the Raises section of
        ``chainrule.losses.cross_entropy``, for example
        ``target has label 7 but logits have 5 classes (expected 0 <= label < 5)``.
    """
    logits = as_float_array(logits, "logits")
    check_ndim(logits, "logits", (1, 2), described="1-D of shape (C,) or 2-D of shape (N, C)")
    check_nonempty_axis(logits, "logits", logits.ndim - 1)
    reduction = check_choice(reduction, "reduction", REDUCTIONS)
    smoothing = check_real_in_interval(label_smoothing, "label_smoothing", 0.0, 1.0)

    target = np.asarray(target)
    n_classes = logits.shape[-1]
    batch_shape, kind = logits.shape[:-1], target.dtype.kind
    expected = (
        f"expected class indices of shape {describe_shape(batch_shape)} "
        f"or probabilities of shape {describe_shape(logits.shape)}"
    )
    if kind in "iu":
        if target.shape == logits.shape:
            raise TypeError(
                f"target has integer dtype {target.dtype} and the logits' shape "
                f"{describe_shape(logits.shape)}, but probability targets must be floating-point "
                f"and class indices must have shape {describe_shape(batch_shape)}"
            )
        if target.shape != batch_shape:
            raise ValueError(
                f"target has shape {describe_shape(target.shape)} but logits have shape "
                f"{describe_shape(logits.shape)} ({expected})"
            )
        out_of_range = (target < 0) | (target >= n_classes)
        if np.any(out_of_range):
            label = int(target[out_of_range].flat[0])
            raise ValueError(
                f"target has label {label} but logits have {n_classes} classes "
                f"(expected 0 <= label < {n_classes})"
            )
        return CrossEntropyArgs(logits, target.astype(np.intp), True, reduction, smoothing)
    if kind == "f":
        if target.shape == batch_shape:
            raise TypeError(
                f"target has dtype {target.dtype} and shape {describe_shape(target.shape)}, "
                f"but class indices must be integers and probability targets must have "
                f"the logits' shape {describe_shape(logits.shape)}"
            )
        if target.shape != logits.shape:
            raise ValueError(
                f"target has shape {describe_shape(target.shape)} but logits have shape "
                f"{describe_shape(logits.shape)} ({expected})"
            )
        given = target
        with np.errstate(over="ignore"):  # too large for float32: inf, rejected below
            target = target.astype(logits.real.dtype, copy=False)
        invalid = ~(np.isfinite(target) & (target >= 0))
        if np.any(invalid):
            index = tuple(int(i) for i in np.argwhere(invalid)[0])
            raise ValueError(
                f"target must hold finite, non-negative probabilities in the logits' dtype "
                f"{logits.real.dtype}, got {float(given[index])!r} at index {index}"
            )
        return CrossEntropyArgs(logits, target, False, reduction, smoothing)
    raise TypeError(
        f"target must be integer class indices or floating-point probabilities, "
        f"got dtype {target.dtype}"
    )


# --------------------------------------------------------------------------
# layers (layers.py, datasets.py)
# --------------------------------------------------------------------------


def check_positive_int(value: Any, name: str) -> int:
    """Return `value` as an int if it is a positive integer (bool rejected).

    Raises
    ------
    TypeError
        ``out_features must be a positive integer, got float 2.0``
    ValueError
        ``in_features must be a positive integer, got 0``
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a positive integer, got {_described(value)}")
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value}")
    return int(value)


def check_sizes(sizes: Any) -> tuple[int, ...]:
    """Return the layer sizes of an MLP as a tuple of positive ints.

    A list, a tuple, a range or a 1-D integer array is a sequence of sizes; a
    string is not (``"43"`` is not ``[4, 3]``).

    Raises
    ------
    TypeError
        If `sizes` is not a sequence:
        ``sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got int 4``;
        or an entry is not an integer: ``sizes[1] must be a positive integer, got float 2.0``.
    ValueError
        If it has fewer than two entries:
        ``sizes must be a sequence of at least two layer sizes such as [4, 16, 3], got [4]``;
        or an entry is not positive: ``sizes[1] must be a positive integer, got 0``.
    """
    expected = "sizes must be a sequence of at least two layer sizes such as [4, 16, 3]"
    is_vector = isinstance(sizes, np.ndarray) and sizes.ndim == 1
    if isinstance(sizes, (str, bytes)) or not (isinstance(sizes, Sequence) or is_vector):
        raise TypeError(f"{expected}, got {_described(sizes)}")
    if len(sizes) < 2:
        raise ValueError(f"{expected}, got {sizes!r}")
    return tuple(check_positive_int(n, f"sizes[{i}]") for i, n in enumerate(sizes))


def check_rng(rng: Any) -> np.random.Generator:
    """Return `rng` if it is a NumPy Generator, else raise TypeError.

    Raises
    ------
    TypeError
        ``rng must be a numpy.random.Generator such as np.random.default_rng(0), got int``
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy.random.Generator such as np.random.default_rng(0), "
            f"got {type(rng).__name__}"
        )
    return rng


def check_float_dtype(dtype: DTypeLike) -> np.dtype:
    """Return `dtype` as a NumPy dtype if it is a real floating one.

    Raises
    ------
    TypeError
        ``dtype must be a floating dtype (float32 or float64), got int64``, also for
        something NumPy does not read as a dtype (``got str 'float33'``).
    """
    try:
        dtype = np.dtype(dtype)
    except TypeError:  # NumPy's "data type 'float33' not understood" names no argument
        raise TypeError(
            f"dtype must be a floating dtype (float32 or float64), got {_described(dtype)}"
        ) from None
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a floating dtype (float32 or float64), got {dtype}")
    return dtype


def check_batch(x: ArrayLike, name: str, n_features: int) -> np.ndarray:
    """Return `x` as a float/complex array of shape (N, n_features), or raise.

    Raises
    ------
    TypeError
        If `x` is not floating-point or complex.
    ValueError
        ``x must be 2-D of shape (N, 4), got shape (4,)`` or
        ``x has 5 features per row but the layer expects 4 (expected shape (N, 4)), got shape (2, 5)``
    """
    x = as_float_array(x, name)
    check_ndim(x, name, (2,), described=f"2-D of shape (N, {n_features})")
    if x.shape[1] != n_features:
        raise ValueError(
            f"{name} has {x.shape[1]} features per row but the layer expects {n_features} "
            f"(expected shape (N, {n_features})), got shape {describe_shape(x.shape)}"
        )
    return x


def check_param_shape(param: Any, name: str, expected: tuple[int, ...]) -> None:
    """Raise ValueError unless a (possibly replaced) parameter has the shape the layer needs.

    Raises
    ------
    ValueError
        ``W has shape (4, 3) but the layer needs shape (3, 4)``
    """
    if np.shape(param) != expected:
        raise ValueError(
            f"{name} has shape {describe_shape(np.shape(param))} but the layer needs "
            f"shape {describe_shape(expected)}"
        )


def check_key(key: Any, name: str, keys: Collection[str]) -> str:
    """Return `key` if it is one of the string `keys` of the mapping `name`, else raise KeyError.

    Raises
    ------
    KeyError
        ``params has no entry 'W3' (expected one of 'W1', 'b1', 'W2' or 'b2')``
    """
    if isinstance(key, str) and key in keys:
        return key
    quoted = [repr(k) for k in keys]
    listed = ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    raise KeyError(f"{name} has no entry {key!r} (expected one of {listed})")


def check_forward_ran(cache: Any, owner: str) -> None:
    """Raise RuntimeError if `cache` is None, i.e. ``owner.backward()`` came before a forward pass.

    Raises
    ------
    RuntimeError
        ``Dense.backward() was called before forward(); call forward(x) first so that the
        layer has cached the inputs its gradients are made of``
    """
    if cache is None:
        raise RuntimeError(
            f"{owner}.backward() was called before forward(); call forward(x) first so that the "
            "layer has cached the inputs its gradients are made of"
        )


def check_grad_shape(grad: ArrayLike, name: str, expected: tuple[int, ...]) -> np.ndarray:
    """Return an upstream gradient as a float/complex array of the last forward output's shape.

    Raises
    ------
    TypeError
        If `grad` is not floating-point or complex.
    ValueError
        ``grad_out has shape (3, 2) but the last forward pass returned shape (2, 3) (expected the same shape)``
    """
    grad = as_float_array(grad, name)
    if grad.shape != expected:
        raise ValueError(
            f"{name} has shape {describe_shape(grad.shape)} but the last forward pass returned "
            f"shape {describe_shape(expected)} (expected the same shape)"
        )
    return grad


# --------------------------------------------------------------------------
# numerical differentiation (gradcheck.py)
# --------------------------------------------------------------------------


def as_finite_real_array(x: ArrayLike, name: str) -> np.ndarray:
    """Return a point of differentiation as a float64 copy (the caller's array is never touched).

    Raises
    ------
    TypeError
        ``x must be a floating-point array (float32 or float64), got int64``
    ValueError
        ``x must be finite to be differentiated at, got a nan or inf entry``
    """
    array = as_float_array(x, name, allow_complex=False)
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must be finite to be differentiated at, got a nan or inf entry")
    return array.astype(np.float64)  # astype copies


def check_step(h: Any) -> float:
    """Return a finite-difference or complex step `h` as a float if it is positive and finite.

    Raises
    ------
    TypeError
        If `h` is not a real number: ``h must be a positive finite number, got bool True``
        (a bool is not a step, although Python counts True as 1).
    ValueError
        If it is zero, negative, infinite or NaN: ``h must be a positive finite number, got 0.0``
    """
    step = _as_real_number(h, "h", "a positive finite number")
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"h must be a positive finite number, got {step!r}")
    return step


def check_nonnegative_tolerance(value: Any, name: str) -> float:
    """Return a tolerance (`rtol`, `atol`) as a float if it is a finite non-negative number.

    An infinite tolerance would pass every element of a gradient check (and
    ``inf * 0`` makes the tolerance of a zero element NaN), so it is rejected.

    Raises
    ------
    TypeError
        If it is not a real number: ``rtol must be a finite non-negative number, got str '0'``
        (a bool too: ``rtol=True`` is not a tolerance of 1).
    ValueError
        If it is negative, infinite or NaN: ``rtol must be a finite non-negative number, got -1.0``
    """
    tolerance = _as_real_number(value, name, "a finite non-negative number")
    if not (math.isfinite(tolerance) and tolerance >= 0):
        raise ValueError(f"{name} must be a finite non-negative number, got {tolerance!r}")
    return tolerance


def check_methods(methods: Any, choices: Collection[str]) -> tuple[str, ...]:
    """Return the numerical methods a gradient check runs, as a tuple of names from `choices`.

    A list, a tuple or a 1-D array of strings is a sequence of names; a string is not.

    Raises
    ------
    TypeError
        If `methods` is a string or not a sequence; a string would otherwise be
        read letter by letter:
        ``methods must be a sequence of method names such as ('complex', 'central'),
        got str 'complex' (for one method write methods=('complex',))``
    ValueError
        If it is empty (a check that checks nothing would pass):
        ``methods must name at least one method such as ('complex', 'central'), got ()``;
        or an entry is not a method:
        ``methods[1] must be one of 'central', 'complex' or 'richardson', got 'exact'``
    """
    expected = "methods must be a sequence of method names such as ('complex', 'central')"
    if isinstance(methods, str):
        raise TypeError(f"{expected}, got {_described(methods)} (for one method write methods=({methods!r},))")
    is_vector = isinstance(methods, np.ndarray) and methods.ndim == 1
    if isinstance(methods, bytes) or not (isinstance(methods, Sequence) or is_vector):
        raise TypeError(f"{expected}, got {_described(methods)}")
    if len(methods) == 0:
        raise ValueError(f"methods must name at least one method such as ('complex', 'central'), got {methods!r}")
    return tuple(str(check_choice(method, f"methods[{i}]", choices)) for i, method in enumerate(methods))


def check_returned_value(
    value: np.ndarray, *, expect_complex: bool, where: str, shape: tuple[int, ...] | None
) -> np.ndarray:
    """Check what a function being differentiated returned; float64 (or complex) if it passes.

    Parameters
    ----------
    value : ndarray
        ``np.asarray(f(point))``.
    expect_complex : bool
        Whether `point` was complex (the complex step), so `value` must be too.
    where : str
        Where `f` was evaluated, for the message (``"at x"``, ...).
    shape : tuple of int or None
        The shape `f` returned at x, which every other evaluation must return.

    Raises
    ------
    TypeError
        If `value` is real for a complex input (``f is not complex-step safe ...``),
        or not a real number (complex for a real input, strings, objects).
    ValueError
        If `value` changed shape or is not finite.
    """
    kind = value.dtype.kind
    if expect_complex and kind != "c":
        raise TypeError(
            f"f returned a real {value.dtype} value for a complex input, so the complex step "
            "cannot see the derivative; f is not complex-step safe (look for abs, .real, "
            "np.maximum or a cast to float on the differentiated path), use method='richardson'"
        )
    if kind not in ("f", "i", "u", "c") or (kind == "c" and not expect_complex):
        raise TypeError(f"f must return a real number or array, got dtype {value.dtype}")
    if shape is not None and value.shape != shape:
        raise ValueError(
            f"f returned shape {describe_shape(value.shape)} {where} but shape "
            f"{describe_shape(shape)} at x (expected the same shape everywhere)"
        )
    if not np.all(np.isfinite(value)):
        raise ValueError(
            f"f returned a non-finite value {where}; numerical differentiation needs f "
            "finite in a neighbourhood of x"
        )
    return value if kind == "c" else value.astype(np.float64)


# --------------------------------------------------------------------------
# data sets (datasets.py)
# --------------------------------------------------------------------------


def as_class_indices(labels: ArrayLike, name: str) -> np.ndarray:
    """Return `labels` as a 1-D integer array of class indices, or raise.

    Raises
    ------
    TypeError
        ``labels must be integer class indices, got dtype float64``
    ValueError
        ``labels must be 1-D of shape (N,), got shape (2, 2)``
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{name} must be integer class indices, got dtype {labels.dtype}")
    check_ndim(labels, name, (1,), described="1-D of shape (N,)")
    return labels


def check_open_fraction(value: Any, name: str) -> float:
    """Return `value` as a Python float if it is a real number with ``0 < value < 1``.

    Raises
    ------
    TypeError
        If it is not a real number:
        ``test_fraction must be a number strictly between 0 and 1, got str '0.2'``
        (a bool too: ``True`` is not a fraction).
    ValueError
        If it is not strictly between 0 and 1 (NaN included):
        ``test_fraction must be strictly between 0 and 1, got 0.0``
    """
    fraction = _as_real_number(value, name, "a number strictly between 0 and 1")
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"{name} must be strictly between 0 and 1, got {fraction!r}")
    return fraction
