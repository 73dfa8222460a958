"""The properties the numerical-derivatives page's figures show, asserted on their data functions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule_site.figures.numerics import (
    METHODS,
    derivative,
    f,
    f_prime,
    loglog_slope,
    points,
    precision_data,
    step_error_data,
)

EPS = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)


@pytest.fixture(scope="module")
def errors() -> dict[str, np.ndarray]:
    return step_error_data()


@pytest.fixture(scope="module")
def precision() -> dict[str, np.ndarray]:
    return precision_data()


def test_example_derivative_is_right() -> None:
    x = points()
    numerical = cr.numerical_gradient(lambda v: np.sum(f(v)), x, method="complex")
    # complex step of a sum of 64 terms: each entry exact to a few eps
    assert np.allclose(f_prime(x), numerical, rtol=1e-14, atol=0)


@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_plotted_derivatives_are_the_package_ones(method: str) -> None:
    # the figure's vectorised formulas compute what cr.numerical_gradient computes, point by point
    x = points()[:5]
    for h in (1e-2, 1e-6, 1e-10):
        ours = derivative(method, x, h)
        package = [cr.numerical_gradient(lambda v: f(v[0]), x[k:k + 1], method=method, h=h)[0] for k in range(5)]
        # same operations in the same order; only Richardson's h/2 step is rounded differently
        assert np.allclose(ours, package, rtol=1e-14 if method != "richardson" else 1e-6, atol=0)


@pytest.mark.parametrize(("method", "order"), [("forward", 1), ("central", 2), ("richardson", 4), ("complex", 2)])
def test_truncation_error_falls_as_h_to_the_order(errors, method: str, order: int) -> None:
    h, error = errors["h"], errors[method]
    # truncation dominates where h^order is far above round-off eps / h: h >= 1e-2 for all four
    large = h >= 1e-2
    assert loglog_slope(h[large], error[large]) == pytest.approx(order, abs=0.05)


@pytest.mark.parametrize("method", ["forward", "central", "richardson"])
def test_round_off_error_grows_as_one_over_h(errors, method: str) -> None:
    h, error = errors["h"], errors[method]
    small = h <= 1e-10  # round-off eps |f| / h >= 2e-6 dwarfs every truncation term
    assert loglog_slope(h[small], error[small]) == pytest.approx(-1.0, abs=0.1)
    # and its level is eps |f| / (h |f'|) within a factor of 10 (|f| / |f'| is between 0.3 and 0.8 here)
    assert np.all((error[small] > 0.01 * EPS / h[small]) & (error[small] < 10 * EPS / h[small]))


@pytest.mark.parametrize(("method", "best_step", "best_error"), [
    ("forward", EPS ** (1 / 2), EPS ** (1 / 2)),  # 1.5e-8
    ("central", EPS ** (1 / 3), EPS ** (2 / 3)),  # 6e-6, 4e-11
    ("richardson", EPS ** (1 / 5), EPS ** (4 / 5)),  # 7e-4, 3e-13
])
def test_best_step_and_error_follow_the_error_model(errors, method: str, best_step: float, best_error: float) -> None:
    h, error = errors["h"], errors[method]
    best = np.argmin(error)
    # the V's bottom within a factor of 10 of eps^(1/(p+1)); its error within a factor of 30 of eps^(p/(p+1))
    # (the model bounds round-off by eps |f|; typical rounding is a few times smaller)
    assert best_step / 10 <= h[best] <= best_step * 10
    assert best_error / 30 <= error[best] <= best_error * 10


def test_complex_step_has_no_round_off_floor(errors) -> None:
    h, error = errors["h"], errors["complex"]
    small = h <= 1e-7  # truncation h^2 |f'''| / (6 |f'|) <= 1e-15, and nothing is subtracted
    assert np.all(error[small] < 1e-15)
    # above that it has the central difference's truncation error, to O(h^4)
    large = h >= 1e-4
    assert np.allclose(error[large], errors["central"][large], rtol=2e-2, atol=0)


def test_every_method_is_plotted(errors) -> None:
    assert set(METHODS) <= set(errors) and all(np.all(np.isfinite(errors[m])) for m in METHODS)


def test_float32_moves_the_bottom_of_the_v_up_six_decades(precision) -> None:
    for dtype, eps in (("float64", EPS), ("float32", EPS32)):
        h, error = precision[f"h{dtype[-2:]}"], precision[dtype]
        best = np.argmin(error)
        # the bottom near h ~ eps^(1/3), at an error within a factor of 30 below eps^(2/3) (and not above it)
        assert eps ** (1 / 3) / 10 <= h[best] <= eps ** (1 / 3) * 10
        assert eps ** (2 / 3) / 30 <= error[best] <= eps ** (2 / 3)
    assert precision["float32"].min() > 1e5 * precision["float64"].min()
    # where truncation dominates (h >= 1e-2) the two precisions agree: the error is the formula's
    both = np.isin(precision["h64"], precision["h32"]) & (precision["h64"] >= 1e-2)
    common = np.isin(precision["h32"], precision["h64"][both])
    assert both.sum() == common.sum() == 5  # the steps from 1e-2 to 1e-1, four per decade
    assert np.allclose(precision["float64"][both], precision["float32"][common], rtol=0.1, atol=0)
