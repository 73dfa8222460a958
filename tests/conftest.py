"""Fixtures shared by the package tests. Append new fixtures; keep each one small."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A freshly seeded generator, so every test draws the same numbers on every run."""
    return np.random.default_rng(20261126)


#: Complex step (h = 1e-20): truncation h^2 |f'''| / 6 ~ 1e-40 and no cancellation, so both
#: sides carry only the round-off of a few-term softmax, <~ C * eps ~ 2e-15 for C <= 8;
#: rtol 1e-13 leaves ~50x. Entries that cancel to ~0 (p_j - y_j) keep a few eps absolute.
COMPLEX_STEP_RTOL, COMPLEX_STEP_ATOL = 1e-13, 1e-14
#: Central differences at h = eps^(1/3) max(1, |x_k|): error ~ h^2 |f'''| / 6 + eps |f| / h
#: ~ eps^(2/3) (|f| + |f'''|) ~ 4e-11 |f| with |f'''| <~ |f| here, so atol scales with |f(x)|
#: (25x headroom) and rtol 1e-7 covers O(1) entries.
CENTRAL_RTOL, CENTRAL_ATOL_PER_UNIT_F = 1e-7, 1e-9


@pytest.fixture
def assert_gradient():
    """``assert_gradient(f, grad, x)``: check `grad` at `x` by the complex step AND central differences.

    `f` maps an array to a scalar (complex-step safe); `grad` is an array or a callable.
    Raises chainrule's GradientCheckError, with a table of the worst elements, on failure.
    """
    from chainrule.gradcheck import check_gradient

    def check(f, grad, x) -> None:
        check_gradient(f, grad, x, method="complex", rtol=COMPLEX_STEP_RTOL, atol=COMPLEX_STEP_ATOL)
        scale = max(1.0, abs(float(np.real(f(np.asarray(x, dtype=np.float64))))))
        check_gradient(f, grad, x, method="central", rtol=CENTRAL_RTOL, atol=CENTRAL_ATOL_PER_UNIT_F * scale)

    return check
