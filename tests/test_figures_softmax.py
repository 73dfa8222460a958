"""The properties the softmax page's figures show, asserted on their data functions."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule_site.figures.softmax import (
    fd_error_data,
    jacobian_heatmap_data,
    loglog_slope,
)


@pytest.fixture(scope="module")
def fd_errors() -> dict[str, np.ndarray]:
    return fd_error_data()


def test_heatmap_shows_the_softmax_jacobian_with_positive_diagonal_and_negative_off_diagonal() -> None:
    data = jacobian_heatmap_data()
    J, p = data["J"], data["p"]
    # Both sides are a handful of rounded products of p: a few eps.
    assert np.allclose(J, np.diag(p) - np.outer(p, p), rtol=0, atol=1e-15)
    off_diagonal = ~np.eye(len(p), dtype=bool)
    assert np.all(np.diag(J) > 0) and np.all(J[off_diagonal] < 0)
    assert np.allclose(J.sum(axis=1), 0, atol=1e-15)  # rows sum to 0 up to round-off


def test_central_difference_error_falls_as_h_squared_in_the_truncation_regime(fd_errors) -> None:
    h, error = fd_errors["h"], fd_errors["central"]
    large = h >= 1e-3  # truncation h^2 |L'''| / 6 >= 1e-8 dwarfs round-off eps / h <= 2e-13
    assert loglog_slope(h[large], error[large]) == pytest.approx(2.0, abs=0.05)


def test_central_difference_error_grows_as_one_over_h_in_the_round_off_regime(fd_errors) -> None:
    h, error = fd_errors["h"], fd_errors["central"]
    small = h <= 1e-8  # round-off eps / h >= 2e-8 dwarfs truncation h^2 / 6 <= 2e-17
    # Round-off is noisy point to point; over five decades the fitted slope is still -1.
    assert loglog_slope(h[small], error[small]) == pytest.approx(-1.0, abs=0.15)


def test_central_difference_is_best_near_the_cube_root_of_eps(fd_errors) -> None:
    h, error = fd_errors["h"], fd_errors["central"]
    best = np.argmin(error)
    eps = np.finfo(np.float64).eps
    # The V's bottom: h* ~ eps^(1/3) = 6e-6 within a decade, error ~ eps^(2/3) = 4e-11 within 10x.
    assert 1e-6 <= h[best] <= 1e-4
    assert 4e-12 <= error[best] <= 4e-10
    assert error[best] >= 0.1 * eps ** (2 / 3)


def test_complex_step_stays_at_machine_precision_for_every_small_step(fd_errors) -> None:
    h, error = fd_errors["h"], fd_errors["complex"]
    small = h <= 1e-7  # truncation h^2 |L'''| / 6 <= 2e-16, and there is no subtraction to round off
    assert np.all(error[small] < 1e-14)
    # Above that it has the same leading truncation h^2 |L'''| / 6 as the central
    # difference; the two differ only at O(h^4), about 2e-3 relative at h = 0.1.
    large = h >= 1e-3
    assert np.allclose(error[large], fd_errors["central"][large], rtol=1e-2, atol=0)


def test_fd_study_compares_against_p_minus_y() -> None:
    from chainrule_site.figures.softmax import EXAMPLE_LOGITS, EXAMPLE_TARGET

    grad = cr.cross_entropy_grad(EXAMPLE_LOGITS, EXAMPLE_TARGET)
    assert np.allclose(grad, cr.softmax(EXAMPLE_LOGITS) - EXAMPLE_TARGET, rtol=0, atol=1e-16)
