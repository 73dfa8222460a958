"""Properties of softmax, log-softmax, log-sum-exp and the softmax Jacobian products."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule.gradcheck import numerical_jacobian
from chainrule.softmax import (
    log_softmax,
    log_softmax_vjp,
    logsumexp,
    softmax,
    softmax_jacobian,
    softmax_jvp,
    softmax_vjp,
)

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
INF, NAN = np.inf, np.nan
PROPERTY = settings(deadline=None, max_examples=25)

#: Batches of logits of moderate size: any leading shape, 1..6 classes, |z| <= 30.
logit_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6),
    elements=st.floats(-30, 30),
)


def rows(rng: np.random.Generator, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """Normal logits of scale 3: probabilities from ~1e-4 to ~1, a typical classifier's range."""
    return (3 * rng.standard_normal(shape)).astype(dtype)


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(1,), (5,), (4, 3), (2, 3, 7)])
def test_softmax_is_exp_over_sum_of_exp(rng, shape):
    logits = rows(rng, shape)
    naive = np.exp(logits) / np.exp(logits).sum(axis=-1, keepdims=True)
    # Both round a C-term sum and one division: a few eps apart.
    np.testing.assert_allclose(softmax(logits), naive, rtol=10 * EPS64, atol=0)


@PROPERTY
@given(logits=logit_arrays)
def test_softmax_rows_are_probabilities(logits):
    probs = softmax(logits)
    assert np.all(probs >= 0) and np.all(probs <= 1)
    # Summing C <= 6 rounded terms: error <= C eps.
    np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=0, atol=6 * EPS64)


@PROPERTY
@given(logits=logit_arrays)
def test_log_softmax_is_log_of_softmax(logits):
    # |z| <= 30 over <= 6 classes keeps every p >= e^-60: no underflow, log is well conditioned;
    # log p errs by ~|z - m| eps <= 60 eps absolute.
    np.testing.assert_allclose(log_softmax(logits), np.log(softmax(logits)), rtol=0, atol=100 * EPS64)


@PROPERTY
@given(logits=logit_arrays)
def test_logsumexp_is_log_of_sum_of_exp(logits):
    naive = np.log(np.exp(logits).sum(axis=-1))  # e^30 * 6 is far from overflow
    # One log of a C-term sum: a few eps relative, plus the absolute eps of log near lse ~ 0.
    np.testing.assert_allclose(logsumexp(logits), naive, rtol=10 * EPS64, atol=10 * EPS64)


@PROPERTY
@given(
    steps=hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6), elements=st.integers(-2**15, 2**15)),
    shift_steps=st.integers(-(2**30), 2**30),
)
def test_softmax_is_exactly_shift_invariant_for_exactly_representable_shifts(steps, shift_steps):
    # On a grid of 2^-10 every z + c (|c| <= 1e6) is exact in float64, and so is (z + c) - max(z + c),
    # so the shifted computation is bit-for-bit the unshifted one.
    logits, shift = steps / 1024.0, shift_steps / 1024.0
    np.testing.assert_array_equal(softmax(logits + shift), softmax(logits))
    np.testing.assert_array_equal(log_softmax(logits + shift), log_softmax(logits))


@PROPERTY
@given(logits=logit_arrays, shift=st.floats(-1e6, 1e6))
def test_logsumexp_moves_with_a_shift_and_softmax_does_not(logits, shift):
    # z + c rounds each logit by ulp(1e6)/2 ~ 6e-11 absolute, which moves p relatively by as much.
    np.testing.assert_allclose(logsumexp(logits + shift), logsumexp(logits) + shift, rtol=4 * EPS64, atol=1e-9)
    np.testing.assert_allclose(softmax(logits + shift), softmax(logits), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_family_is_exact_at_logits_of_1e6(dtype):
    logits = np.array([[1e6, -1e6, 0.0], [1e6, 1e6, -1e6]], dtype=dtype)
    assert softmax(logits).tolist() == [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]
    assert log_softmax(logits)[0].tolist() == [0.0, -2e6, -1e6]
    # 1e6 + log 2 rounds to the nearest representable number of that dtype.
    assert logsumexp(logits)[1] == dtype(1e6) + dtype(np.log(2.0))


def test_log_softmax_keeps_log_probabilities_whose_probabilities_underflow():
    logits = np.array([0.0, -800.0])
    assert softmax(logits)[1] == 0.0  # e^-800 underflows
    assert log_softmax(logits)[1] == -800.0


@pytest.mark.parametrize("function", [softmax, log_softmax])
def test_axis_selects_the_class_axis(rng, function):
    logits = rows(rng, (3, 4, 5))
    np.testing.assert_array_equal(function(logits, axis=1), np.swapaxes(function(np.swapaxes(logits, 1, 2)), 1, 2))
    np.testing.assert_array_equal(function(logits, axis=0), function(logits, axis=-3))


def test_logsumexp_keepdims_broadcasts_against_its_input(rng):
    logits = rows(rng, (2, 3, 4))
    kept = logsumexp(logits, axis=1, keepdims=True)
    assert kept.shape == (2, 1, 4)
    np.testing.assert_array_equal(kept[:, 0, :], logsumexp(logits, axis=1))
    # log_softmax = z - lse, the same arithmetic up to one rounding of the subtraction.
    np.testing.assert_allclose(logits - kept, log_softmax(logits, axis=1), rtol=0, atol=8 * EPS64 * np.abs(logits).max())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("function", [softmax, log_softmax, logsumexp, softmax_jacobian])
def test_functions_keep_the_dtype_of_their_input(rng, function, dtype):
    assert function(rows(rng, (2, 3)).astype(dtype)).dtype == dtype


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
@pytest.mark.parametrize("function", [softmax_jvp, softmax_vjp, log_softmax_vjp])
def test_products_keep_the_common_dtype_of_their_inputs(rng, function, dtype):
    logits = rows(rng, (2, 3)).astype(dtype)
    assert function(logits, np.ones((2, 3), dtype=dtype)).dtype == dtype


def test_python_sequences_of_floats_become_float64():
    probs = softmax([[0.0, 1.0], [2.0, 2.0]])
    assert probs.dtype == np.float64 and probs[1].tolist() == [0.5, 0.5]


def test_float32_results_agree_with_float64_to_float32_precision(rng):
    logits = rows(rng, (6, 5))
    # Rounding the inputs to float32 moves p by ~|z| eps32 relative, the arithmetic by a few eps32 more.
    np.testing.assert_allclose(softmax(logits.astype(np.float32)), softmax(logits), rtol=40 * EPS32, atol=0)


# --------------------------------------------------------------------------
# non-finite logits: PyTorch's values (checked against torch in test_losses_vs_torch.py)
# --------------------------------------------------------------------------


def test_minus_inf_logit_gets_probability_zero_and_log_probability_minus_inf():
    logits = np.array([-INF, 0.0, np.log(3.0)])
    assert softmax(logits).tolist() == [0.0, 0.25, 0.75]
    assert log_softmax(logits)[0] == -INF and np.isfinite(log_softmax(logits)[1:]).all()
    assert logsumexp(logits) == np.log(4.0)


@pytest.mark.parametrize(
    "row, expected_logsumexp",
    [
        pytest.param([INF, 1.0, 2.0], INF, id="plus-inf"),
        pytest.param([INF, INF, 0.0], INF, id="two-plus-inf"),
        pytest.param([-INF, -INF, -INF], -INF, id="all-minus-inf"),
        pytest.param([NAN, 1.0, 2.0], NAN, id="nan"),
        pytest.param([INF, -INF, 0.0], INF, id="plus-and-minus-inf"),
    ],
)
def test_rows_without_a_finite_maximum_are_nan_in_softmax_and_a_limit_in_logsumexp(row, expected_logsumexp):
    logits = np.array([row, [0.0, 1.0, 2.0]])
    assert np.isnan(softmax(logits)[0]).all() and np.isnan(log_softmax(logits)[0]).all()
    np.testing.assert_array_equal(logsumexp(logits)[0], expected_logsumexp)
    # the other row is untouched
    np.testing.assert_array_equal(softmax(logits)[1], softmax(logits[1]))


def test_non_finite_logits_raise_no_floating_point_warning():
    logits = np.array([[INF, 1.0], [-INF, -INF], [NAN, 0.0], [-INF, 0.0], [INF, 1e300]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for function in (softmax, log_softmax, logsumexp, softmax_jacobian):
            function(logits)
        softmax_vjp(logits, np.ones_like(logits))
        log_softmax_vjp(logits, np.ones_like(logits))


# --------------------------------------------------------------------------
# derivatives: the Jacobian and its products
# --------------------------------------------------------------------------


@pytest.mark.parametrize("n_classes", [1, 2, 5, 8])
@pytest.mark.parametrize(
    "method, rtol, atol",
    [
        # Complex step: exact up to the round-off of C-term sums, <~ C eps; entries ~0 keep a few eps.
        ("complex", 1e-13, 1e-15),
        # Central: eps^(2/3) (|p| + |p'''|) ~ 4e-11 with p, p''' = O(1).
        ("central", 1e-7, 1e-9),
    ],
)
def test_softmax_jacobian_matches_the_numerical_jacobian(rng, n_classes, method, rtol, atol):
    logits = rows(rng, (n_classes,))
    numerical = numerical_jacobian(softmax, logits, method=method)
    np.testing.assert_allclose(softmax_jacobian(logits), numerical, rtol=rtol, atol=atol)


def test_batched_jacobian_stacks_the_jacobian_of_each_row(rng):
    logits = rows(rng, (2, 3, 4))
    jacobians = softmax_jacobian(logits)
    assert jacobians.shape == (2, 3, 4, 4)
    np.testing.assert_array_equal(jacobians[1, 2], softmax_jacobian(logits[1, 2]))


@PROPERTY
@given(logits=logit_arrays)
def test_softmax_jacobian_is_symmetric_with_zero_row_sums(logits):
    jacobian = softmax_jacobian(logits)
    np.testing.assert_array_equal(jacobian, np.swapaxes(jacobian, -1, -2))  # p_i p_j rounds the same either way
    # Row i sums p_i - p_i * sum_j p_j: cancellation leaves ~C eps p_i.
    np.testing.assert_allclose(jacobian.sum(axis=-1), 0.0, rtol=0, atol=8 * EPS64)


@PROPERTY
@given(logits=logit_arrays)
def test_softmax_jacobian_is_positive_semidefinite(logits):
    # v^T J v = Var_p(v) >= 0; eigvalsh of entries <= 1 is accurate to ~C eps absolute.
    assert np.linalg.eigvalsh(softmax_jacobian(logits)).min() >= -8 * EPS64


@PROPERTY
@given(logits=logit_arrays, data=st.data())
def test_jvp_and_vjp_equal_the_jacobian_times_a_vector(logits, data):
    vector = data.draw(hnp.arrays(np.float64, logits.shape, elements=st.floats(-10, 10)))
    product = (softmax_jacobian(logits) @ vector[..., None])[..., 0]
    # Both sum C <= 6 products of size <= |v|: ~C eps |v| absolute.
    np.testing.assert_allclose(softmax_jvp(logits, vector), product, rtol=0, atol=100 * EPS64)
    np.testing.assert_allclose(softmax_vjp(logits, vector), product, rtol=0, atol=100 * EPS64)


def test_jvp_and_vjp_are_one_formula_because_the_jacobian_is_symmetric(rng):
    logits, vector = rows(rng, (3, 5)), rng.standard_normal((3, 5))
    np.testing.assert_array_equal(softmax_jvp(logits, vector), softmax_vjp(logits, vector))


def test_vjp_satisfies_the_dot_product_identity(rng):
    logits, tangent, cotangent = rows(rng, (4, 6)), rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    # <u, J v> = <J^T u, v>: two sums of 24 O(1) products, ~24 eps apart.
    np.testing.assert_allclose(
        np.sum(cotangent * softmax_jvp(logits, tangent)), np.sum(softmax_vjp(logits, cotangent) * tangent), rtol=0, atol=1e-14
    )


@pytest.mark.parametrize("shape", [(1,), (6,), (3, 4)])
def test_softmax_vjp_is_the_gradient_of_the_upstream_dot_softmax(rng, assert_gradient, shape):
    logits, upstream = rows(rng, shape), rng.standard_normal(shape)
    assert_gradient(lambda z: np.sum(upstream * softmax(z)), softmax_vjp(logits, upstream), logits)


@pytest.mark.parametrize("shape", [(1,), (6,), (3, 4)])
def test_softmax_jvp_is_the_directional_derivative(rng, assert_gradient, shape):
    logits, direction, weights = rows(rng, shape), rng.standard_normal(shape), rng.standard_normal(shape)
    # d/dt <w, softmax(z + t v)> at t = 0 is <w, J v>: a scalar function of t, checked like a gradient.
    directional = np.array([np.sum(weights * softmax_jvp(logits, direction))])
    assert_gradient(lambda t: np.sum(weights * softmax(logits + t[0] * direction)), directional, np.zeros(1))


@pytest.mark.parametrize("shape", [(1,), (6,), (3, 4)])
def test_logsumexp_gradient_is_the_softmax(rng, assert_gradient, shape):
    logits = rows(rng, shape)
    assert_gradient(lambda z: np.sum(logsumexp(z)), softmax(logits), logits)


@pytest.mark.parametrize("shape", [(1,), (6,), (3, 4)])
def test_log_softmax_vjp_is_the_gradient_of_the_upstream_dot_log_softmax(rng, assert_gradient, shape):
    logits, upstream = rows(rng, shape), rng.standard_normal(shape)
    assert_gradient(lambda z: np.sum(upstream * log_softmax(z)), log_softmax_vjp(logits, upstream), logits)


def test_complex_step_through_softmax_is_exact_at_large_logits(assert_gradient):
    # The shift is taken from the real part, so a real shift of 1e3 cannot swallow the i*1e-20 step.
    logits = np.array([1000.0, 999.0, 998.5, -1000.0])
    assert_gradient(lambda z: logsumexp(z), softmax(logits), logits)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

Z = np.zeros((2, 3))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: softmax([1, 2, 3]), TypeError, r"^z must be a floating-point array \(float32 or float64; complex for the complex step\), got int64$"),
        (lambda: log_softmax(np.array([True, False])), TypeError, r"^z must be a floating-point array .*, got bool$"),
        (lambda: logsumexp(np.array(["a", "b"])), TypeError, r"^z must be a floating-point array .*, got <U1$"),
        (lambda: softmax(np.float64(1.0)), ValueError, r"^z must have at least one axis to normalise over, got a 0-d array$"),
        (lambda: softmax(Z, axis=2), ValueError, r"^axis 2 is out of range for an array of ndim 2 \(expected -2 <= axis < 2\)$"),
        (lambda: logsumexp(Z, axis=-3), ValueError, r"^axis -3 is out of range for an array of ndim 2"),
        (lambda: log_softmax(Z, axis=1.0), TypeError, r"^axis must be an integer, got float 1.0$"),
        (lambda: softmax(np.zeros((2, 0))), ValueError, r"^z is empty along axis 1 \(expected at least one entry\), got shape \(2, 0\)$"),
        (lambda: softmax_jacobian(np.zeros(0)), ValueError, r"^z is empty along axis 0"),
        (lambda: softmax_jvp(Z, np.zeros(3)), ValueError, r"^tangent has shape \(3,\) but z has shape \(2, 3\) \(expected the same shape\)$"),
        (lambda: softmax_vjp(Z, np.zeros((3, 2))), ValueError, r"^grad_out has shape \(3, 2\) but z has shape \(2, 3\)"),
        (lambda: softmax_vjp(Z, np.ones((2, 3), dtype=int)), TypeError, r"^grad_out must be a floating-point array .*, got int64$"),
        (lambda: log_softmax_vjp(Z, np.zeros(3)), ValueError, r"^grad_out has shape \(3,\) but z has shape \(2, 3\)"),
    ],
)
def test_invalid_arguments_raise_a_sentence_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
