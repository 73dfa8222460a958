"""Tests for chainrule.activations: relu, sigmoid and their derivatives."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule import relu, relu_grad, sigmoid, sigmoid_grad
from chainrule.gradcheck import check_grads, numerical_gradient

EPS = np.finfo(np.float64).eps
ACTIVATIONS = [(relu, relu_grad), (sigmoid, sigmoid_grad)]
ALL_FUNCTIONS = [relu, relu_grad, sigmoid, sigmoid_grad]


def check_derivative(fn, fn_grad, z):
    """fn_grad(z) is the elementwise derivative of fn: checked by the complex step and central differences.

    For elementwise fn, d/dz_k sum_j fn(z_j) = fn'(z_k), so the gradient of the sum is the derivative.
    """
    check_grads(lambda v: np.sum(fn(v)), fn_grad, z)


@pytest.mark.parametrize(("fn", "fn_grad"), ACTIVATIONS, ids=["relu", "sigmoid"])
def test_derivative_matches_complex_step_and_central_differences(rng, fn, fn_grad):
    z = rng.choice([-1.0, 1.0], size=(3, 4)) * rng.uniform(0.1, 5.0, size=(3, 4))  # |z| >= 0.1: off relu's kink
    check_derivative(fn, fn_grad, z)


# Off relu's kink by more than the largest central step, 6e-6 * max(1, |z|) <= 3e-4 for |z| <= 50.
off_the_kink = st.one_of(st.floats(1e-3, 50.0), st.floats(-50.0, -1e-3))
small_arrays = hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)


@settings(deadline=None, max_examples=40)
@given(z=hnp.arrays(np.float64, small_arrays, elements=off_the_kink))
def test_relu_grad_matches_numerical_derivatives_anywhere_off_the_kink(z):
    check_derivative(relu, relu_grad, z)


@settings(deadline=None, max_examples=40)
@given(z=hnp.arrays(np.float64, small_arrays, elements=st.floats(-40.0, 40.0)))
def test_sigmoid_grad_matches_numerical_derivatives(z):
    check_derivative(sigmoid, sigmoid_grad, z)


def test_sigmoid_grad_is_itself_complex_step_safe(rng):
    z = rng.uniform(-6, 6, size=10)
    check_derivative(sigmoid_grad, lambda v: sigmoid_grad(v) * (1 - 2 * sigmoid(v)), z)  # sigma'' = sigma'(1 - 2 sigma)


def test_relu_grad_at_zero_is_zero_as_in_torch_and_the_complex_step():
    zero = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    torch.relu(zero).sum().backward()
    assert zero.grad.tolist() == [0.0, 0.0, 0.0]
    assert relu_grad(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert numerical_gradient(lambda v: np.sum(relu(v)), np.zeros(3), method="complex").tolist() == [0.0, 0.0, 0.0]


def test_central_differences_at_relu_kink_give_one_half_so_the_convention_is_a_choice():
    assert numerical_gradient(lambda v: np.sum(relu(v)), np.zeros(2), method="central").tolist() == [0.5, 0.5]


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_dtype_and_shape_are_preserved(fn, dtype):
    z = np.linspace(-3, 3, 12).reshape(3, 4).astype(dtype)
    out = fn(z)
    assert out.dtype == dtype and out.shape == z.shape


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float32_results_are_float64_results_rounded(dtype):
    z = np.linspace(-8, 8, 33)
    for fn in ALL_FUNCTIONS:
        # a handful of float32 operations: relative error a few eps32, 1e-6 is ~8 eps32
        np.testing.assert_allclose(fn(z.astype(dtype)), fn(z), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_sigmoid_does_not_overflow_at_large_inputs(dtype):
    z = np.array([-1e4, -800.0, 0.0, 800.0, 1e4], dtype=dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        probs, slopes = sigmoid(z), sigmoid_grad(z)
    assert probs.real.tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
    assert slopes.real.tolist() == [0.0, 0.0, 0.25, 0.0, 0.0]


def test_sigmoid_grad_keeps_full_relative_precision_in_both_tails():
    z = np.array([-1e4, -300.0, -30.0, 30.0, 300.0, 1e4])  # not +/-700: h * sigma' = 1e-20 * 1e-304 underflows
    # The complex step of the stable sigmoid is accurate to a few roundings even where sigma ~ 1;
    # sigma * (1 - sigma) would keep only 3 digits at z = 30 (1 - sigma cancels).
    complex_step = numerical_gradient(lambda v: np.sum(sigmoid(v)), z, method="complex")
    np.testing.assert_allclose(sigmoid_grad(z), complex_step, rtol=4 * EPS, atol=0)
    np.testing.assert_array_equal(sigmoid_grad(z), sigmoid_grad(-z))  # sigma' is even


def test_sigmoid_keeps_full_relative_precision_in_the_left_tail():
    z = np.linspace(0, 700, 71)
    # sigma(-z) / sigma(z) = e^{-z} exactly; the naive 1 - sigma(z) would be 0 beyond z ~ 37.
    np.testing.assert_allclose(sigmoid(-z) / sigmoid(z), np.exp(-z), rtol=4 * EPS)  # 4 roundings


def test_sigmoid_matches_torch():
    z = np.linspace(-50, 50, 201)
    expected = torch.sigmoid(torch.from_numpy(z)).numpy()
    np.testing.assert_allclose(sigmoid(z), expected, rtol=4 * EPS, atol=0)  # two implementations, a few roundings each


@pytest.mark.parametrize("fn", ALL_FUNCTIONS, ids=lambda fn: fn.__name__)
@pytest.mark.parametrize("bad", [np.arange(3), np.array([True, False]), np.array(["a"])], ids=["int", "bool", "str"])
def test_non_floating_input_is_rejected(fn, bad):
    with pytest.raises(TypeError, match=r"x must be a floating-point array \(float32 or float64; complex for"):
        fn(bad)


def test_relu_complex_step_at_the_kink_and_beside_it_agrees_with_relu_grad():
    kink = np.array([0.0, 1.0])  # at z = 0 the complex step drops the imaginary part: slope 0
    assert numerical_gradient(lambda v: relu(v).sum(), kink, method="complex").tolist() == [0.0, 1.0]
    assert relu_grad(kink).tolist() == [0.0, 1.0]


def test_sigmoid_grad_at_30_keeps_full_precision_where_one_minus_sigma_cancels():
    z = np.array([30.0])
    exact = np.exp(-z) / (1 + np.exp(-z)) ** 2  # no cancellation: a few roundings
    np.testing.assert_allclose(sigmoid_grad(z), exact, rtol=1e-15, atol=0)
    s = sigmoid(z)
    assert not np.allclose(s * (1 - s), exact, rtol=1e-4, atol=0)  # 1 - s keeps ~3 digits
