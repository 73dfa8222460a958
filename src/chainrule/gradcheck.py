r"""Numerical derivatives, and a gradient check that says *where* it failed.

Three ways to differentiate a black-box function numerically, one coordinate
\(k\) at a time (\(e_k\) is the \(k\)-th unit vector):

* ``"central"``, 2 evaluations per coordinate, error \(O(h^2)\) plus
  round-off \(\epsilon_{\text{mach}}\lvert f\rvert / h\):

  $$
  D(h) = \frac{f(x + h e_k) - f(x - h e_k)}{2h}
  $$

* ``"richardson"``, 4 evaluations, error \(O(h^4)\) plus round-off: the
  \(h^2\) term of \(D\) cancels in

  $$
  \frac{4 D(h/2) - D(h)}{3}
  $$

* ``"complex"`` (the complex step), 1 evaluation, error \(O(h^2)\) with
  no subtraction, so \(h = 10^{-20}\) and the result is exact to rounding:

  $$
  \frac{\operatorname{Im} f(x + \mathrm i h e_k)}{h}
  $$

The complex step needs \(f\) to be real-analytic code that lets the
imaginary part flow through (no ``abs``, ``.real``, ``maximum`` or casts to
float on the differentiated path); every function in chainrule is written that
way. Use ``"richardson"`` for smooth code that is not complex-step safe, and
``"central"`` as the textbook baseline.

``check_gradient`` compares an analytic gradient with a numerical one and
raises ``GradientCheckError`` with a table of the worst elements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import (
    as_finite_real_array,
    as_float_array,
    check_choice,
    check_methods,
    check_nonnegative_tolerance,
    check_returned_value,
    check_same_shape,
    check_step,
    describe_shape,
)

__all__ = [
    "GradientCheckError",
    "GradientCheckReport",
    "check_gradient",
    "check_grads",
    "numerical_gradient",
    "numerical_jacobian",
]

Method = Literal["central", "complex", "richardson"]
METHODS: tuple[str, ...] = ("central", "complex", "richardson")

_EPS = float(np.finfo(np.float64).eps)  # 2.2e-16, machine epsilon of float64

DEFAULT_STEPS: dict[str, float] = {
    "central": _EPS ** (1 / 3),  # 6.1e-6: balances h^2 |f'''| / 6 against eps |f| / h
    "richardson": _EPS ** (1 / 5),  # 7.4e-4: balances h^4 |f^(5)| / 480 against eps |f| / h
    "complex": 1e-20,  # no cancellation, so no lower limit; h^2 |f'''| / 6 is ~1e-40
}
"""Default steps. Central and Richardson steps are relative: scaled by
max(1, |x_k|) per coordinate. The complex step is absolute."""

DEFAULT_TOLERANCES: dict[str, tuple[float, float]] = {
    "complex": (1e-12, 1e-14),
    "richardson": (1e-9, 1e-10),
    "central": (1e-7, 1e-8),
}
"""Default (rtol, atol) per method, for a float64 analytic gradient; see
``check_gradient`` for the error analysis behind each pair."""


# --------------------------------------------------------------------------
# numerical derivatives
# --------------------------------------------------------------------------


def numerical_jacobian(
    f: Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    method: Method = "central",
    h: float | None = None,
) -> np.ndarray:
    r"""Jacobian of an array-valued `f` at `x` by finite differences or the complex step.

    Parameters
    ----------
    f : callable, ndarray of shape S -> array_like of shape T
        The function to differentiate. It is called with float64 arrays of the
        shape of `x` (complex128 for ``method="complex"``) and must return a
        finite real array (complex for the complex step) of one fixed shape T.
    x : array_like of shape S, real floating dtype
        The point at which to differentiate. Not modified.
    method : {"central", "complex", "richardson"}, default "central"
        See the module docstring for formulas and errors.
    h : float, optional
        Step. If omitted, ``DEFAULT_STEPS[method]``, multiplied by
        \(\max(1, \lvert x_k\rvert)\) per coordinate for ``"central"`` and
        ``"richardson"``; if given, used as the absolute step everywhere.

    Returns
    -------
    ndarray of shape T + S, float64
        Numerator layout: ``J[i..., j...]`` \(= \partial f_i / \partial x_j\).
        For scalar `f` (T = ``()``) this is the gradient, of the shape of `x`.

    Raises
    ------
    TypeError
        If `x` is not a real floating-point array, `method` is not a string,
        `h` is not a real number (a bool or a string), or `f` returns a
        non-numeric value (or, for the complex step, a real value for a complex
        input).
    ValueError
        If `method` is unknown, `h` is zero, negative or not finite, `x` is not
        finite, a step is too small to move \(x_k\) in floating point (the
        message names Richardson's half step \(h/2\) when that is the one), or
        `f` returns a non-finite value or changes its output shape.

    Notes
    -----
    **Why float64.** The differences are taken in float64 (complex128) whatever
    the dtype of `x`: a reference must be far more accurate than what it
    checks, and a float32 central difference is good to only
    \(\epsilon_{\text{mach}}^{2/3} \approx 2 \cdot 10^{-5}\) (float32's \(\epsilon_{\text{mach}} = 2^{-23}\)). If `f` itself computes in
    float32 (float32 parameters inside), the result carries that noise.

    **The central step.** Taylor expansion gives
    \(\frac{f(x+h) - f(x-h)}{2h} = f'(x) + \frac{h^2}{6} f'''(\xi)\), and the two
    evaluations each carry a round-off of about \(\epsilon_{\text{mach}} \lvert f\rvert\),
    which the division by \(2h\) amplifies. The total error

    $$
    E(h) \approx \frac{h^2}{6}\lvert f'''\rvert + \frac{\epsilon_{\text{mach}} \lvert f\rvert}{h}
    $$

    is smallest at \(h^\star = (3\epsilon_{\text{mach}}\lvert f\rvert / \lvert f'''\rvert)^{1/3}\).
    Not knowing \(f'''\), we take \(\lvert f\rvert \approx \lvert f'''\rvert\) on the
    scale of \(x_k\), hence
    \(h = \epsilon_{\text{mach}}^{1/3}\max(1, \lvert x_k\rvert) \approx 6 \cdot 10^{-6}\max(1, \lvert x_k\rvert)\) and
    \(E(h^\star) \approx \epsilon_{\text{mach}}^{2/3} \approx 4 \cdot 10^{-11}\) in units of
    \(\lvert f\rvert\). The same balance for Richardson's \(O(h^4)\) error gives
    \(h = \epsilon_{\text{mach}}^{1/5}\) and \(E \approx \epsilon_{\text{mach}}^{4/5} \approx 3 \cdot 10^{-13}\).
    The step actually used is the representable one, \((x_k + h) - (x_k - h)\).

    **The complex step.** For real-analytic \(f\),
    \(f(x + \mathrm i h) = f(x) + \mathrm i h f'(x) - \frac{h^2}{2} f''(x) + O(h^3)\), so
    \(\operatorname{Im} f(x + \mathrm i h)/h = f'(x) + O(h^2)\) with no subtraction of
    nearly equal numbers: any \(h\) works, and \(10^{-20}\) makes the truncation
    error far below round-off. The one limit is underflow: \(h f'(x)\) must
    stay a normal float64, so with \(h = 10^{-20}\) a derivative below
    about \(10^{-288}\) reads as 0.

    The loop is over coordinates of `x`, one perturbation each, because `f` is
    a black box; use it on small problems (a few thousand parameters).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import numerical_jacobian

    x = np.array([1.0, 2.0])
    jac = numerical_jacobian(lambda v: np.stack([v[0] * v[1], v[0] ** 2]), x, method="complex")
    assert np.allclose(jac, [[2.0, 1.0], [2.0, 0.0]], rtol=1e-15, atol=0)
    ```
    """
    point = as_finite_real_array(x, "x")
    method = check_choice(method, "method", METHODS)
    base_step = _base_step(h, method)
    value_at_x = _evaluate(f, point, expect_complex=False, where="at x", shape=None)
    return _jacobian(f, point, value_at_x.shape, method, base_step, relative=h is None)


def _jacobian(
    f: Callable, point: np.ndarray, out_shape: tuple, method: str, base_step: float, *, relative: bool
) -> np.ndarray:
    """The coordinate loop shared by numerical_jacobian and numerical_gradient."""
    steps = np.full(point.shape, base_step)
    if relative and method != "complex":
        steps *= np.maximum(1.0, np.abs(point))
    derivative = _DERIVATIVES[method]
    jacobian = np.empty(out_shape + point.shape)
    for index in np.ndindex(point.shape):
        jacobian[(Ellipsis, *index)] = derivative(f, point, index, float(steps[index]), out_shape)
    return jacobian


def numerical_gradient(
    f: Callable[[np.ndarray], Any],
    x: ArrayLike,
    *,
    method: Method = "central",
    h: float | None = None,
) -> np.ndarray:
    r"""Gradient of a scalar-valued `f` at `x`, numerically.

    Parameters
    ----------
    f : callable, ndarray of shape S -> scalar
        Called with float64 arrays of the shape of `x` (complex128 for
        ``method="complex"``); must return one finite real number (complex for
        the complex step), as a Python number or 0-d array.
    x : array_like of shape S, real floating dtype
        The point. Not modified.
    method : {"central", "complex", "richardson"}, default "central"
    h : float, optional
        Step; see [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian] for the defaults and their derivation.

    Returns
    -------
    ndarray of shape S, float64
        \(\nabla f(x)\), i.e. ``grad[k]`` \(= \partial f / \partial x_k\).

    Raises
    ------
    ValueError
        If `f` returns a non-scalar, or any error of [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian].
    TypeError
        As [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian].

    Notes
    -----
    The gradient is the Jacobian of a scalar function, a \(1 \times n\) row
    stored in the shape of \(x\): this is [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian] for an
    `f` checked to return a scalar. Defaults are those of
    [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian]: central step
    \(h = \epsilon_{\text{mach}}^{1/3}\max(1, \lvert x_k\rvert)\), complex step \(10^{-20}\).

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import numerical_gradient

    x = np.array([0.5, -1.0, 2.0])
    grad = numerical_gradient(lambda v: np.sum(np.sin(v)), x, method="complex")
    assert np.allclose(grad, np.cos(x), rtol=1e-15, atol=0)
    ```
    """
    point = as_finite_real_array(x, "x")
    method = check_choice(method, "method", METHODS)
    base_step = _base_step(h, method)
    value = _evaluate(f, point, expect_complex=False, where="at x", shape=None)
    if value.ndim != 0:
        raise ValueError(
            f"f must return a scalar, got an array of shape {describe_shape(value.shape)} "
            "(use numerical_jacobian for array-valued f, or reduce f to a scalar loss)"
        )
    return _jacobian(f, point, (), method, base_step, relative=h is None)


def _central(
    f: Callable, x: np.ndarray, index: tuple[int, ...], h: float, shape: tuple, *, half_of: float | None = None
) -> np.ndarray:
    """D(h) for coordinate `index`; `half_of` is Richardson's full step when `h` is its half step."""
    # The messages name the step as the caller knows it: h, or Richardson's h/2 beside h.
    if half_of is None:
        step, stated = "h", f"h={h:.3g}"
    else:
        step, stated = "h/2", f"Richardson's half step h/2={h:.3g} (h={half_of:.3g})"
    x_plus, x_minus = x.copy(), x.copy()
    x_plus[index] += h
    x_minus[index] -= h
    representable_2h = x_plus[index] - x_minus[index]
    if representable_2h == 0:
        raise ValueError(
            f"{stated} is too small to change x{list(index)}={float(x[index])!r}: x + {step} and "
            f"x - {step} both round to x (expected {step} > {_EPS:.3g} * |x_k|; the default steps avoid this)"
        )
    where = f"at x +/- {step}*e_k for index {index}, {stated}"
    f_plus = _evaluate(f, x_plus, expect_complex=False, where=where, shape=shape)
    f_minus = _evaluate(f, x_minus, expect_complex=False, where=where, shape=shape)
    return (f_plus - f_minus) / representable_2h


def _richardson(f: Callable, x: np.ndarray, index: tuple[int, ...], h: float, shape: tuple) -> np.ndarray:
    # D(h) = f' + c2 h^2 + c4 h^4 + ...; the combination cancels the h^2 term.
    # The half step goes first: if any step is too small to move x, it is this one.
    half = _central(f, x, index, h / 2, shape, half_of=h)
    return (4 * half - _central(f, x, index, h, shape)) / 3


def _complex_step(f: Callable, x: np.ndarray, index: tuple[int, ...], h: float, shape: tuple) -> np.ndarray:
    x_complex = x.astype(np.complex128)
    x_complex[index] += 1j * h
    where = f"at x + i*h*e_k for index {index}, h={h:.3g}"
    return _evaluate(f, x_complex, expect_complex=True, where=where, shape=shape).imag / h


_DERIVATIVES: dict[str, Callable] = {
    "central": _central,
    "richardson": _richardson,
    "complex": _complex_step,
}


def _evaluate(
    f: Callable, point: np.ndarray, *, expect_complex: bool, where: str, shape: tuple | None
) -> np.ndarray:
    """Call f on a fresh copy of `point` and check what comes back."""
    value = np.asarray(f(point.copy()))
    return check_returned_value(value, expect_complex=expect_complex, where=where, shape=shape)


def _base_step(h: float | None, method: str) -> float:
    """The step before any per-coordinate scaling: `h` if given (validated), else the default."""
    return DEFAULT_STEPS[method] if h is None else check_step(h)


# --------------------------------------------------------------------------
# the gradient check
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GradientCheckReport:
    r"""The outcome of [`check_gradient`][chainrule.gradcheck.check_gradient], element by element.

    An element passes when ``|analytic - numerical| <= atol + rtol * |numerical|``
    (the rule of ``numpy.allclose`` and ``torch.autograd.gradcheck``).

    Attributes
    ----------
    passed : bool
        Whether every element passed.
    method : str
        The numerical method used.
    h : float
        The base step (before the per-coordinate scaling by max(1, |x_k|) that
        the default central and Richardson steps get).
    rtol, atol : float
        The tolerances applied.
    max_abs_error, max_rel_error : float
        The largest \(\lvert a - n\rvert\) and \(\lvert a - n\rvert / \lvert n\rvert\)
        over all elements (the relative error is inf where \(n = 0 \ne a\)).
    worst_index : tuple of int
        Index into x of the element closest to (or furthest past) its tolerance.
    n_failed : int
        Number of elements that failed.
    analytic, numerical : ndarray of the shape of x, float64
        The two gradients compared.
    """

    passed: bool
    method: str
    h: float
    rtol: float
    atol: float
    max_abs_error: float
    max_rel_error: float
    worst_index: tuple[int, ...]
    n_failed: int
    analytic: np.ndarray
    numerical: np.ndarray

    def table(self, rows: int = 5) -> str:
        """The `rows` elements with the largest error relative to their tolerance, as text."""
        abs_error, rel_error, tolerance_used = _errors(self.analytic, self.numerical, self.rtol, self.atol)
        order = np.argsort(-tolerance_used.ravel(), kind="stable")[:rows]
        lines = [f"{'index':<14}{'analytic':>25}{'numerical':>25}{'abs err':>11}{'rel err':>11}"]
        for flat in order:
            index = np.unravel_index(flat, self.analytic.shape)
            lines.append(
                f"{str(tuple(int(i) for i in index)):<14}{self.analytic[index]:>25.16e}"
                f"{self.numerical[index]:>25.16e}{abs_error[index]:>11.2e}{rel_error[index]:>11.2e}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"gradient check {verdict}: {self.n_failed} of {self.analytic.size} elements fail "
            f"|analytic - numerical| <= atol + rtol*|numerical|\n"
            f"method={self.method!r}, h={self.h:.3g}, rtol={self.rtol:.3g}, atol={self.atol:.3g}; "
            f"max abs error {self.max_abs_error:.3g}, max rel error {self.max_rel_error:.3g}, "
            f"worst element {self.worst_index}\n" + self.table()
        )


class GradientCheckError(AssertionError):
    """Raised by [`check_gradient`][chainrule.gradcheck.check_gradient] when an analytic gradient disagrees with the numerical one.

    A subclass of AssertionError, so pytest reports it as a failed assertion.
    The message is the report's table; the report itself is ``error.report``.
    """

    def __init__(self, report: GradientCheckReport) -> None:
        super().__init__(str(report))
        self.report = report


def check_gradient(
    f: Callable[[np.ndarray], Any],
    grad: ArrayLike | Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    method: Method = "complex",
    h: float | None = None,
    rtol: float | None = None,
    atol: float | None = None,
) -> GradientCheckReport:
    r"""Compare an analytic gradient of a scalar `f` with a numerical one, elementwise.

    Parameters
    ----------
    f : callable, ndarray of shape S -> scalar
        The scalar function (a loss). Must be complex-step safe for
        ``method="complex"`` (see [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian]).
    grad : array_like of shape S, or callable ndarray of shape S -> array_like of shape S
        The analytic gradient \(\nabla f(x)\), either already computed or as a
        function that is called once with `x` (as given, in its own dtype).
    x : array_like of shape S, real floating dtype
        The point at which to check.
    method : {"complex", "richardson", "central"}, default "complex"
    h : float, optional
        Step; default ``DEFAULT_STEPS[method]`` (see [`numerical_jacobian`][chainrule.gradcheck.numerical_jacobian]).
    rtol, atol : float, optional
        Tolerances; default ``DEFAULT_TOLERANCES[method]`` (see Notes). Element
        \(k\) passes when \(\lvert a_k - n_k\rvert \le \mathrm{atol} + \mathrm{rtol}\,\lvert n_k\rvert\).

    Returns
    -------
    GradientCheckReport
        Worst absolute and relative errors, the worst index, method, step and
        tolerances. Returned only when every element passes.

    Raises
    ------
    GradientCheckError
        If any element fails; the message tables the worst elements (index,
        analytic, numerical, absolute and relative error).
    TypeError
        For an argument of the wrong kind: `x` or `grad` not real
        floating-point, `method` not a string, `h`, `rtol` or `atol` not a
        real number (a bool or a string is not a tolerance).
    ValueError
        For a wrong value: `grad` of the wrong shape, `f` non-scalar or
        non-finite, unknown `method`, `h` not positive and finite, `rtol` or
        `atol` negative, infinite or NaN.

    Notes
    -----
    Both the analytic gradient \(a\) and the numerical one \(n\) carry
    errors; the defaults bound their sum in float64
    (\(\epsilon_{\text{mach}} \approx 2.2 \cdot 10^{-16}\)), with room to spare.

    * ``"complex"``: rtol \(10^{-12}\), atol \(10^{-14}\). At
      \(h = 10^{-20}\) the complex step has no truncation error and no
      cancellation, so \(n\) is as accurate as \(f\)'s own arithmetic,
      and a correct \(a\) is too: both are sums of tens to hundreds of
      rounded terms, relative error \(\lesssim 10^{2}\epsilon_{\text{mach}} \approx 2 \cdot 10^{-14}\).
      The atol (\(\approx 50\epsilon_{\text{mach}}\)) covers elements that are
      themselves round-off, such as a batch sum that cancels to about zero.
    * ``"richardson"``: rtol \(10^{-9}\), atol \(10^{-10}\). The error
      \(\approx \epsilon_{\text{mach}}^{4/5} \approx 3 \cdot 10^{-13}\) is in units of
      \(\lvert f\rvert + \lvert f^{(5)}\rvert\), not of \(\lvert f'\rvert\),
      so the atol allows \(\lvert f\rvert\) up to a few hundred (a summed loss).
    * ``"central"``: rtol \(10^{-7}\), atol \(10^{-8}\), the same
      reasoning from \(\epsilon_{\text{mach}}^{2/3} \approx 4 \cdot 10^{-11}\) in units of
      \(\lvert f\rvert + \lvert f'''\rvert\).

    On random ReLU networks with a summed cross-entropy loss, the worst element
    used about an eighth of these tolerances (``tests/test_gradcheck.py``
    keeps a factor of 4). Central and Richardson steps can straddle a kink of a
    piecewise function (a ReLU input within \(h\) of 0) and then report a
    large error; Richardson's step is 100 times longer, so it is the method to
    avoid on ReLU networks, and the complex step the one to prefer.

    An analytic gradient in a lower precision than float64 is the noisier side,
    so the default rtol and atol are raised to at least \(1000\,\epsilon_{\text{mach}}\) of
    its dtype (\(1.2 \cdot 10^{-4}\) for float32).

    A check is only as strict as its tolerance: ``torch.autograd.gradcheck``
    (central differences, \(h = 10^{-6}\), atol \(10^{-5}\), rtol \(10^{-3}\))
    passes gradients that are wrong by \(10^{-6}\); the complex step at these
    defaults does not.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule import check_gradient, GradientCheckError

    x = np.array([0.3, -1.2])
    report = check_gradient(lambda v: np.sum(v**3), lambda v: 3 * v**2, x)
    assert report.passed and report.max_rel_error < 1e-15
    try:
        check_gradient(lambda v: np.sum(v**3), 3 * x**2 + 1e-9, x)
    except GradientCheckError as error:
        assert error.report.n_failed == 2
    else:
        raise AssertionError("an error of 1e-9 went unnoticed")
    ```
    """
    method = check_choice(method, "method", METHODS)
    point = as_float_array(x, "x", allow_complex=False)
    analytic = grad(point) if callable(grad) else grad
    analytic = as_float_array(analytic, "grad", allow_complex=False)
    check_same_shape(analytic, "grad", point, "x")
    rtol, atol = _tolerances(method, analytic.dtype, rtol, atol)

    numerical = numerical_gradient(f, point, method=method, h=h)
    analytic = analytic.astype(np.float64)
    abs_error, rel_error, tolerance_used = _errors(analytic, numerical, rtol, atol)
    failed = tolerance_used > 1
    worst = np.unravel_index(np.argmax(tolerance_used), point.shape)
    report = GradientCheckReport(
        passed=not failed.any(),
        method=method,
        h=_base_step(h, method),
        rtol=rtol,
        atol=atol,
        max_abs_error=float(np.max(abs_error, initial=0.0)),
        max_rel_error=float(np.max(rel_error, initial=0.0)),
        worst_index=tuple(int(i) for i in worst),
        n_failed=int(failed.sum()),
        analytic=analytic,
        numerical=numerical,
    )
    if not report.passed:
        raise GradientCheckError(report)
    return report


def check_grads(
    f: Callable[[np.ndarray], Any],
    grad: ArrayLike | Callable[[np.ndarray], ArrayLike],
    x: ArrayLike,
    *,
    methods: Sequence[Method] = ("complex", "central"),
) -> list[GradientCheckReport]:
    """Run [`check_gradient`][chainrule.gradcheck.check_gradient] once per method, at default steps and tolerances.

    The one-line helper for tests: ``check_grads(lambda z: relu(z).sum(), relu_grad, z)``
    checks ``relu_grad`` against the complex step *and* central differences.

    Parameters
    ----------
    f, grad, x
        As in [`check_gradient`][chainrule.gradcheck.check_gradient].
    methods : sequence of {"complex", "richardson", "central"}, default ("complex", "central")

    Returns
    -------
    list of GradientCheckReport, one per method

    Raises
    ------
    GradientCheckError
        At the first method whose check fails.
    TypeError
        If `methods` is a string (write ``methods=("complex",)`` for one method)
        or not a sequence; and as [`check_gradient`][chainrule.gradcheck.check_gradient].
    ValueError
        If `methods` is empty or names an unknown method (checked before any
        check runs); and as [`check_gradient`][chainrule.gradcheck.check_gradient].
    """
    methods = check_methods(methods, METHODS)
    return [check_gradient(f, grad, x, method=method) for method in methods]


def _tolerances(method: str, dtype: np.dtype, rtol: float | None, atol: float | None) -> tuple[float, float]:
    default_rtol, default_atol = DEFAULT_TOLERANCES[method]
    dtype_eps = float(np.finfo(dtype).eps)
    if dtype_eps > _EPS:  # float32 or float16: the analytic side is the noisier one
        default_rtol, default_atol = max(default_rtol, 1000 * dtype_eps), max(default_atol, 1000 * dtype_eps)
    return (
        default_rtol if rtol is None else check_nonnegative_tolerance(rtol, "rtol"),
        default_atol if atol is None else check_nonnegative_tolerance(atol, "atol"),
    )


def _errors(
    analytic: np.ndarray, numerical: np.ndarray, rtol: float, atol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Absolute error, relative error, and error as a fraction of its tolerance."""
    abs_error = np.abs(analytic - numerical)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_error = np.where(abs_error == 0, 0.0, abs_error / np.abs(numerical))
        tolerance = atol + rtol * np.abs(numerical)
        fraction_of_tolerance = np.where(abs_error == 0, 0.0, abs_error / tolerance)
    fraction_of_tolerance[np.isnan(fraction_of_tolerance)] = np.inf  # a nan gradient is the worst error
    return abs_error, rel_error, fraction_of_tolerance
