"""What the forward-vs-reverse-mode figure of the chain-rule page shows, asserted."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from chainrule import numerical_gradient
from chainrule_site.figures.modes import (
    WIDTHS,
    dense_chain,
    derivative_flops,
    forward_mode_gradient,
    modes_cost_data,
    recorded_modes_data,
    reverse_mode_gradient,
    sum_of_squares_loss,
)


@pytest.fixture(scope="module")
def data() -> dict:
    """The table the figure plots: what `make bench` measured (the build times nothing)."""
    return recorded_modes_data()


def test_the_recorded_table_is_what_the_current_code_counts(data: dict) -> None:
    """A stale results file (code changed since `make bench`) fails here: rerun `make bench`."""
    assert tuple(data["widths"]) == WIDTHS
    counted = np.array([derivative_flops(int(n), data["depth"]) for n in data["widths"]]).T
    assert np.array_equal(data["forward_flops"], counted[0]) and np.array_equal(data["reverse_flops"], counted[1])


def test_the_bench_measures_the_columns_the_figure_plots() -> None:
    measured = modes_cost_data(widths=(16, 32), repeats=3, budget=0.01)
    assert set(measured) == set(recorded_modes_data())
    assert measured["forward_flops"].tolist() == [derivative_flops(n)[0] for n in (16, 32)]
    assert np.all(measured["forward_seconds"] > 0) and np.all(measured["reverse_seconds"] > 0)
    assert np.all(measured["max_rel_difference"] < 1e-12)  # same products reordered: ~1e-15


@pytest.mark.parametrize("n", [1, 3, 8])
@pytest.mark.parametrize("depth", [1, 2, 4])
def test_both_modes_equal_the_complex_step_gradient(n: int, depth: int) -> None:
    weights, biases, x = dense_chain(n, depth, seed=n + depth)
    numerical = numerical_gradient(lambda v: sum_of_squares_loss(weights, biases, v), x, method="complex")
    for grad, _ in (forward_mode_gradient(weights, biases, x), reverse_mode_gradient(weights, biases, x)):
        # complex step has no cancellation: both sides carry only a few dozen rounded products
        np.testing.assert_allclose(grad, numerical, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("n", [1, 5, 16])
@pytest.mark.parametrize("depth", [1, 4])
def test_counted_flops_equal_the_closed_forms(n: int, depth: int) -> None:
    weights, biases, x = dense_chain(n, depth)
    _, forward = forward_mode_gradient(weights, biases, x)
    _, reverse = reverse_mode_gradient(weights, biases, x)
    assert (forward, reverse) == derivative_flops(n, depth)


def test_the_table_covers_widths_16_to_512(data: dict) -> None:
    assert tuple(data["widths"]) == WIDTHS == (16, 32, 64, 128, 256, 512)
    assert data["depth"] == 4


def test_reverse_mode_needs_fewer_flops_at_every_width(data: dict) -> None:
    assert np.all(data["reverse_flops"] < data["forward_flops"])


def test_flop_ratio_grows_with_n_and_exceeds_n_by_at_most_one_half(data: dict) -> None:
    ratio = data["forward_flops"] / data["reverse_flops"]
    assert np.all(np.diff(ratio) > 0)
    # F/R = n + (n+1)/(K(2n+1)+1) exactly; the float division adds only ~1e-16 relative
    excess = ratio - data["widths"]
    assert np.all(excess > 0) and np.all(excess <= 0.5)


@pytest.mark.parametrize("n", [1, 2, 16, 512, 10**6])
@pytest.mark.parametrize("depth", [1, 4, 100])
def test_flop_ratio_closed_form(n: int, depth: int) -> None:
    forward, reverse = derivative_flops(n, depth)
    excess = Fraction(forward, reverse) - n  # exact rationals
    assert excess == Fraction(n + 1, depth * (2 * n + 1) + 1)
    assert 0 < excess <= Fraction(1, 2)


def test_both_modes_give_the_same_gradient(data: dict) -> None:
    # same products in a different order: a few hundred rounded terms, error ~1e-15 relative
    assert np.all(data["max_rel_difference"] < 1e-12)


def test_reverse_mode_is_measurably_faster_at_the_largest_width(data: dict) -> None:
    # ~500x fewer flops at n = 512; a factor 5 survives a busy machine and interpreter overhead
    assert data["forward_seconds"][-1] > 5 * data["reverse_seconds"][-1]
    assert np.all(data["forward_seconds"] > 0) and np.all(data["reverse_seconds"] > 0)


def test_the_figure_draws_two_log_log_panels() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from chainrule_site.figures.modes import forward_vs_reverse_mode

    fig = forward_vs_reverse_mode()
    try:
        axes = fig.get_axes()
        assert len(axes) == 2
        assert all(ax.get_xscale() == ax.get_yscale() == "log" for ax in axes)
        assert all(len(ax.get_lines()) == 2 for ax in axes)
    finally:
        plt.close(fig)
