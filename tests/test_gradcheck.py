"""Tests for chainrule.gradcheck: numerical derivatives and the gradient check."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule import (
    MLP,
    GradientCheckError,
    check_gradient,
    cross_entropy,
    cross_entropy_grad,
    numerical_gradient,
    numerical_jacobian,
)
from chainrule.gradcheck import DEFAULT_STEPS, DEFAULT_TOLERANCES, check_grads

EPS = np.finfo(np.float64).eps


def smooth_loss(x: np.ndarray) -> np.ndarray:
    """A smooth, complex-step-safe scalar function with non-trivial higher derivatives."""
    return np.sum(np.exp(x) * np.sin(3 * x))


def smooth_loss_grad(x: np.ndarray) -> np.ndarray:
    return np.exp(x) * (np.sin(3 * x) + 3 * np.cos(3 * x))


# --- numerical_gradient and numerical_jacobian ------------------------------------------

# Worst error each method may show on smooth_loss at |x| <= 2 (|f'''|, |f^(5)| up to ~1e3):
# central  h^2 |f'''| / 6 + eps |f| / h ~ 1e-9;  richardson ~ eps^(4/5) * 1e3 ~ 1e-10;
# complex  a few roundings of f' itself, ~ 10 eps in units of |f'| <= 30.
KNOWN_GRADIENT_ATOL = {"central": 1e-8, "richardson": 1e-10, "complex": 1e-14}


@pytest.mark.parametrize("method", ["central", "richardson", "complex"])
def test_each_method_recovers_a_known_gradient(rng, method):
    x = rng.uniform(-2, 2, size=(2, 3))
    numerical = numerical_gradient(smooth_loss, x, method=method)
    np.testing.assert_allclose(numerical, smooth_loss_grad(x), rtol=0, atol=KNOWN_GRADIENT_ATOL[method])


def test_complex_step_is_exact_to_rounding_where_central_differences_lose_a_third_of_the_digits():
    x = np.linspace(0.5, 1.5, 20)
    complex_error = np.abs(numerical_gradient(lambda v: np.sum(np.exp(v)), x, method="complex") - np.exp(x))
    central_error = np.abs(numerical_gradient(lambda v: np.sum(np.exp(v)), x, method="central") - np.exp(x))
    assert complex_error.max() <= 2 * EPS * np.exp(x).max()  # exp and the division by h: 2 roundings
    assert central_error.max() > 1e3 * complex_error.max()  # central: eps^(2/3), not eps


def test_complex_step_needs_no_lower_limit_on_h_but_central_differences_do():
    x = np.array([0.7, 1.3])
    exact = smooth_loss_grad(x)
    tiny = 1e-200  # far below sqrt(eps): (f(x+h) - f(x-h)) is then pure round-off
    np.testing.assert_allclose(numerical_gradient(smooth_loss, x, method="complex", h=tiny), exact, rtol=4 * EPS)
    with pytest.raises(ValueError, match=r"h=1e-200 is too small to change x\[0\]=.*x \+ h and x - h both round to x"):
        numerical_gradient(smooth_loss, x, method="central", h=tiny)


def test_central_difference_error_is_smallest_near_the_default_step():
    x = np.linspace(0.5, 1.5, 20)  # max over 20 points: round-off luck cannot fake the U-shape

    def worst_error(h):
        return np.abs(numerical_gradient(lambda v: np.sum(np.exp(v)), x, h=h) - np.exp(x)).max()

    default = DEFAULT_STEPS["central"] * 1.5  # max(1, |x_k|) scaling, mid-range of x
    assert worst_error(default) < worst_error(default / 100) / 10  # round-off eps|f|/h grew 100x
    assert worst_error(default) < worst_error(default * 100) / 10  # truncation h^2|f'''|/6 grew 1e4x


def test_richardson_beats_central_differences_at_their_default_steps():
    x = np.random.default_rng(1).uniform(-2, 2, size=20)
    central_error = np.abs(numerical_gradient(smooth_loss, x, method="central") - smooth_loss_grad(x)).max()
    richardson_error = np.abs(numerical_gradient(smooth_loss, x, method="richardson") - smooth_loss_grad(x)).max()
    assert richardson_error < central_error / 10  # predicted eps^(4/5) vs eps^(2/3): ~100x


@pytest.mark.parametrize("method", ["central", "complex"])
def test_numerical_jacobian_uses_numerator_layout(rng, method):
    matrix = rng.normal(size=(4, 6))
    x = rng.normal(size=(2, 3))
    jacobian = numerical_jacobian(lambda v: matrix @ v.ravel(), x, method=method)
    assert jacobian.shape == (4, 2, 3)  # f(x).shape + x.shape: J[i, j, k] = d f_i / d x_jk
    # f is linear, so the only error is round-off of ~6 products: 1e-9 covers central's eps|f|/h.
    np.testing.assert_allclose(jacobian, matrix.reshape(4, 2, 3), rtol=0, atol=1e-9)


def test_jacobian_of_a_scalar_function_is_its_gradient(rng):
    x = rng.normal(size=(3, 2))
    np.testing.assert_array_equal(
        numerical_jacobian(smooth_loss, x, method="complex"), numerical_gradient(smooth_loss, x, method="complex")
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numerical_derivatives_are_computed_in_float64_whatever_the_dtype_of_x(dtype):
    seen = []

    def loss(v):
        seen.append(v.dtype)
        return np.sum(v**2)

    x = np.array([0.1, 0.2], dtype=dtype)
    assert numerical_gradient(loss, x).dtype == np.float64
    numerical_gradient(loss, x, method="complex")
    assert set(seen) == {np.dtype(np.float64), np.dtype(np.complex128)}


def test_numerical_derivatives_leave_x_unchanged(rng):
    x = rng.normal(size=5)
    before = x.copy()
    for method in ("central", "richardson", "complex"):
        numerical_gradient(smooth_loss, x, method=method)
    np.testing.assert_array_equal(x, before)


# --- check_gradient -----------------------------------------------------------------------


def test_check_gradient_passes_a_correct_gradient_and_reports_the_settings(rng):
    x = rng.normal(size=(2, 3))
    report = check_gradient(smooth_loss, smooth_loss_grad, x)
    assert report.passed and report.n_failed == 0
    assert (report.method, report.h) == ("complex", DEFAULT_STEPS["complex"])
    assert (report.rtol, report.atol) == DEFAULT_TOLERANCES["complex"]
    assert report.max_abs_error < 1e-13 and len(report.worst_index) == 2


def test_check_gradient_accepts_the_gradient_as_an_array_or_a_callable(rng):
    x = rng.normal(size=4)
    from_array = check_gradient(smooth_loss, smooth_loss_grad(x), x)
    from_callable = check_gradient(smooth_loss, smooth_loss_grad, x)
    np.testing.assert_array_equal(from_array.analytic, from_callable.analytic)


def test_failure_raises_an_assertion_error_whose_table_starts_at_the_wrong_element(rng):
    x = rng.normal(size=(3, 4))
    wrong = smooth_loss_grad(x)
    wrong[2, 1] += 1e-8
    with pytest.raises(GradientCheckError, match=r"1 of 12 elements fail") as caught:
        check_gradient(smooth_loss, wrong, x)
    assert isinstance(caught.value, AssertionError)
    assert caught.value.report.worst_index == (2, 1)
    table_lines = str(caught.value).splitlines()
    assert table_lines[2].split() == ["index", "analytic", "numerical", "abs", "err", "rel", "err"]
    assert table_lines[3].startswith("(2, 1)")


@settings(deadline=None, max_examples=30)
@given(
    x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4), elements=st.floats(-2, 2)),
    data=st.data(),
)
def test_check_gradient_catches_any_single_element_off_by_a_millionth(x, data):
    index = data.draw(st.tuples(*(st.integers(0, n - 1) for n in x.shape)))
    wrong = smooth_loss_grad(x)
    wrong[index] += 1e-6 * max(1.0, abs(wrong[index]))
    for method in ("complex", "central"):
        with pytest.raises(GradientCheckError) as caught:
            check_gradient(smooth_loss, wrong, x, method=method)
        assert caught.value.report.worst_index == index and caught.value.report.n_failed == 1


@pytest.mark.parametrize("method", ["complex", "central"])
def test_nan_in_the_analytic_gradient_is_a_failure_not_a_crash(method):
    x = np.array([0.5, 1.0])
    with pytest.raises(GradientCheckError, match=r"1 of 2 elements fail"):
        check_gradient(smooth_loss, np.array([np.nan, smooth_loss_grad(x)[1]]), x, method=method)


def test_float32_analytic_gradients_get_tolerances_of_float32_precision():
    x = np.array([0.3, -1.1, 2.0], dtype=np.float32)
    grad32 = np.cos(x)  # correct to float32 rounding, ~6e-8 relative
    report = check_gradient(lambda v: np.sum(np.sin(v)), grad32, x)
    assert report.rtol == report.atol == 1000 * np.finfo(np.float32).eps
    with pytest.raises(GradientCheckError):  # float64 tolerances would reject float32 rounding
        check_gradient(lambda v: np.sum(np.sin(v)), grad32, x, rtol=1e-12, atol=1e-14)


def test_check_grads_checks_each_method_in_one_line(rng):
    reports = check_grads(smooth_loss, smooth_loss_grad, rng.normal(size=3))
    assert [report.method for report in reports] == ["complex", "central"]


def test_default_tolerances_keep_a_factor_of_four_on_random_relu_networks():
    # The claim in check_gradient's Notes: summed cross-entropy (|f| ~ 10) through ReLU MLPs.
    for seed in range(2):
        rng = np.random.default_rng(seed)
        mlp = MLP([4, 16, 8, 3], rng=rng)
        x, targets = 3 * rng.normal(size=(8, 4)), rng.integers(0, 3, size=8)
        grads = mlp.backward(cross_entropy_grad(mlp.forward(x), targets, reduction="sum"))
        for name, value in mlp.params.items():

            def loss(param, name=name):
                mlp.params[name] = param
                return cross_entropy(mlp.forward(x), targets, reduction="sum")

            for method in ("complex", "central"):
                rtol, atol = DEFAULT_TOLERANCES[method]
                check_gradient(loss, grads.params[name], value.copy(), method=method, rtol=rtol / 4, atol=atol / 4)
            mlp.params[name] = value


# --- bad input ----------------------------------------------------------------------------


def test_non_scalar_f_is_rejected_with_a_pointer_to_numerical_jacobian():
    with pytest.raises(ValueError, match=r"f must return a scalar, got an array of shape \(3,\).*numerical_jacobian"):
        numerical_gradient(lambda v: v**2, np.ones(3))


@pytest.mark.parametrize("method", ["central", "complex"])
def test_non_finite_f_near_x_is_rejected(method):
    def finite_only_at_x(v):
        return np.sum(v * np.where(v == 1.0, 1.0, np.nan))

    with pytest.raises(ValueError, match=r"f returned a non-finite value at x \+.*index \(0,\)"):
        numerical_gradient(finite_only_at_x, np.ones(2), method=method)


def test_non_finite_f_at_x_is_rejected():
    with pytest.raises(ValueError, match=r"f returned a non-finite value at x;"):
        numerical_gradient(lambda v: np.inf, np.ones(2))


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match=r"method must be one of 'central', 'complex' or 'richardson', got 'forward'"):
        check_gradient(smooth_loss, smooth_loss_grad, np.ones(2), method="forward")


def test_gradient_of_the_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"grad has shape \(2,\) but x has shape \(3,\) \(expected the same shape\)"):
        check_gradient(smooth_loss, np.ones(2), np.ones(3))


@pytest.mark.parametrize("x", [np.arange(3), np.ones(3, dtype=np.complex128), np.array([True])], ids=str)
def test_x_that_is_not_real_floating_point_is_rejected(x):
    with pytest.raises(TypeError, match=r"x must be a floating-point array \(float32 or float64\), got"):
        numerical_gradient(smooth_loss, x)


def test_non_finite_x_is_rejected():
    with pytest.raises(ValueError, match=r"x must be finite"):
        numerical_gradient(smooth_loss, np.array([1.0, np.nan]))


# Every function that takes a step: a step of the wrong kind (a bool, a string) is a TypeError,
# a number that is not a positive finite step a ValueError.
STEP_TAKERS = {
    "numerical_gradient": lambda h: numerical_gradient(smooth_loss, np.ones(2), h=h),
    "numerical_jacobian": lambda h: numerical_jacobian(np.sin, np.ones(2), h=h),
    "check_gradient": lambda h: check_gradient(smooth_loss, smooth_loss_grad, np.ones(2), h=h),
}


@pytest.mark.parametrize("function", STEP_TAKERS)
@pytest.mark.parametrize(
    ("h", "error", "message"),
    [
        (True, TypeError, "h must be a positive finite number, got bool True"),
        ("0.1", TypeError, "h must be a positive finite number, got str '0.1'"),
        (0.0, ValueError, "h must be a positive finite number, got 0.0"),
        (-1e-6, ValueError, "h must be a positive finite number, got -1e-06"),
        (np.inf, ValueError, "h must be a positive finite number, got inf"),
        (np.nan, ValueError, "h must be a positive finite number, got nan"),
    ],
)
def test_a_step_of_the_wrong_kind_is_a_type_error_and_a_bad_step_a_value_error(function, h, error, message):
    with pytest.raises(error) as caught:
        STEP_TAKERS[function](h)
    assert type(caught.value) is error and str(caught.value) == message


@pytest.mark.parametrize("name", ["rtol", "atol"])
@pytest.mark.parametrize(
    ("value", "error", "shown"),
    [
        (True, TypeError, "bool True"),  # not a tolerance of 1
        (False, TypeError, "bool False"),
        ("0", TypeError, "str '0'"),
        ([1e-3], TypeError, "list [0.001]"),
        (-1, ValueError, "-1.0"),
        (np.inf, ValueError, "inf"),  # would pass every element
        (np.nan, ValueError, "nan"),
    ],
)
def test_a_tolerance_must_be_a_finite_non_negative_number(name, value, error, shown):
    with pytest.raises(error) as caught:
        check_gradient(smooth_loss, smooth_loss_grad, np.ones(2), **{name: value})
    assert type(caught.value) is error
    assert str(caught.value) == f"{name} must be a finite non-negative number, got {shown}"


@pytest.mark.parametrize(("rtol", "atol"), [(0, 1e-3), (np.float32(1e-6), 0), (1, 0.0)])
def test_tolerances_given_as_numbers_of_any_real_type_are_used_as_floats(rtol, atol):
    report = check_gradient(smooth_loss, smooth_loss_grad, np.ones(2), rtol=rtol, atol=atol)
    assert (report.rtol, report.atol) == (float(rtol), float(atol))
    assert type(report.rtol) is float and type(report.atol) is float


def test_richardson_names_its_half_step_when_it_is_too_small():
    # Richardson evaluates D(h/2) first; at x = 1e30 neither 0.5 nor 1 moves x.
    with pytest.raises(ValueError) as caught:
        numerical_gradient(lambda v: np.sum(v), np.array([1e30]), method="richardson", h=1.0)
    assert str(caught.value) == (
        "Richardson's half step h/2=0.5 (h=1) is too small to change x[0]=1e+30: x + h/2 and x - h/2 "
        "both round to x (expected h/2 > 2.22e-16 * |x_k|; the default steps avoid this)"
    )


def test_richardson_names_its_half_step_where_f_misbehaves():
    # f changes shape off x; D(h/2) is the first evaluation off x. Default step 7.4e-4 * max(1, |x_0|) at x_0 = 2.
    with pytest.raises(ValueError) as caught:
        numerical_jacobian(lambda v: v if v[0] == 2.0 else v[:1], np.array([2.0, 1.0]), method="richardson")
    h = DEFAULT_STEPS["richardson"] * 2.0
    assert str(caught.value) == (
        f"f returned shape (1,) at x +/- h/2*e_k for index (0,), Richardson's half step h/2={h / 2:.3g} "
        f"(h={h:.3g}) but shape (2,) at x (expected the same shape everywhere)"
    )


def test_central_differences_name_their_step_h():
    with pytest.raises(ValueError, match=r"^h=1 is too small to change x\[0\]=1e\+30: x \+ h and x - h both round"):
        numerical_gradient(lambda v: np.sum(v), np.array([1e30]), method="central", h=1.0)


@pytest.mark.parametrize(
    ("methods", "error", "message"),
    [
        ("complex", TypeError, "methods must be a sequence of method names such as ('complex', 'central'), got str 'complex' (for one method write methods=('complex',))"),
        ("central", TypeError, "methods must be a sequence of method names such as ('complex', 'central'), got str 'central' (for one method write methods=('central',))"),
        (None, TypeError, "methods must be a sequence of method names such as ('complex', 'central'), got NoneType None"),
        ((), ValueError, "methods must name at least one method such as ('complex', 'central'), got ()"),
        (("complex", "exact"), ValueError, "methods[1] must be one of 'central', 'complex' or 'richardson', got 'exact'"),
        (("complex", None), TypeError, "methods[1] must be one of 'central', 'complex' or 'richardson', got NoneType None"),
    ],
    ids=["string", "another-string", "none", "empty", "unknown", "not-a-string"],
)
def test_check_grads_rejects_methods_that_are_not_a_sequence_of_method_names(methods, error, message):
    with pytest.raises(error) as caught:
        check_grads(smooth_loss, smooth_loss_grad, np.ones(2), methods=methods)
    assert type(caught.value) is error and str(caught.value) == message


def test_check_grads_checks_every_method_name_before_running_any_check():
    calls = []

    def counted_loss(v):
        calls.append(v)
        return smooth_loss(v)

    with pytest.raises(ValueError, match=r"methods\[1\] must be one of"):
        check_grads(counted_loss, smooth_loss_grad, np.ones(2), methods=["complex", "exact"])
    assert calls == []  # the complex-step check did not run first


@pytest.mark.parametrize("methods", [["richardson"], ("complex", "central", "richardson"), np.array(["central"])])
def test_check_grads_takes_any_sequence_of_method_names(methods):
    reports = check_grads(smooth_loss, smooth_loss_grad, np.ones(2), methods=methods)
    assert [report.method for report in reports] == list(methods)


@pytest.mark.parametrize("function", ["numerical_gradient", "numerical_jacobian", "check_gradient"])
def test_a_method_that_is_not_a_string_is_a_type_error(function):
    call = {
        "numerical_gradient": lambda: numerical_gradient(smooth_loss, np.ones(2), method=None),
        "numerical_jacobian": lambda: numerical_jacobian(np.sin, np.ones(2), method=None),
        "check_gradient": lambda: check_gradient(smooth_loss, smooth_loss_grad, np.ones(2), method=None),
    }[function]
    with pytest.raises(TypeError) as caught:
        call()
    assert str(caught.value) == "method must be one of 'central', 'complex' or 'richardson', got NoneType None"


@pytest.mark.parametrize("not_analytic", [np.abs, np.real], ids=["abs", "real"])
def test_complex_step_refuses_f_that_drops_the_imaginary_part(not_analytic):
    with pytest.raises(TypeError, match=r"f is not complex-step safe"):
        numerical_gradient(lambda v: np.sum(not_analytic(v)), np.ones(2), method="complex")


def test_f_that_changes_its_output_shape_is_rejected():
    with pytest.raises(ValueError, match=r"f returned shape \(2,\) at x \+/- h\*e_k .* but shape \(1,\) at x"):
        numerical_jacobian(lambda v: np.ones(1) if v[0] == 1 else np.ones(2), np.ones(1))
