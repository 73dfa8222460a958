"""Properties of the softmax cross-entropy and of its gradient."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from chainrule.gradcheck import numerical_jacobian
from chainrule.losses import cross_entropy, cross_entropy_grad
from chainrule.softmax import log_softmax, softmax, softmax_jacobian

EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
INF, NAN = np.inf, np.nan
PROPERTY = settings(deadline=None, max_examples=25)
REDUCTIONS = ["mean", "sum", "none"]


def make_logits(rng: np.random.Generator, shape: tuple[int, ...], dtype=np.float64) -> np.ndarray:
    """Normal logits of scale 3: probabilities from ~1e-4 to ~1, a typical classifier's range."""
    return (3 * rng.standard_normal(shape)).astype(dtype)


def make_target(rng: np.random.Generator, kind: str, shape: tuple[int, ...]) -> np.ndarray:
    """A target for logits of `shape`: class indices, one-hot, soft (rows sum to 1) or unnormalised."""
    n_classes, batch = shape[-1], shape[:-1]
    if kind == "index":
        return rng.integers(0, n_classes, size=batch)
    if kind == "one-hot":
        return np.eye(n_classes)[rng.integers(0, n_classes, size=batch)]
    weights = rng.random(shape)
    if kind == "soft":
        return weights / weights.sum(axis=-1, keepdims=True)
    return 2 * weights  # "unnormalised": rows sum to anything in [0, 2C]


def total(losses) -> float:
    """The scalar whose gradient cross_entropy_grad returns, for every reduction."""
    return np.sum(losses)


# --------------------------------------------------------------------------
# values
# --------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(5,), (1, 5), (4, 3)])
def test_ce_with_a_class_index_is_minus_the_log_probability_of_that_class(rng, shape, dtype):
    logits, labels = make_logits(rng, shape, dtype), make_target(rng, "index", shape)
    expected = -np.take_along_axis(log_softmax(logits), labels[..., None], axis=-1)[..., 0]
    np.testing.assert_array_equal(cross_entropy(logits, labels, reduction="none"), expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("shape", [(5,), (4, 3)])
def test_ce_with_class_indices_equals_ce_with_one_hot_probabilities(rng, shape, reduction, label_smoothing):
    logits, labels = make_logits(rng, shape), make_target(rng, "index", shape)
    one_hot = np.eye(shape[-1])[labels]
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    # The two paths sum the same C terms in a different order: a few eps of the loss (~10) apart.
    np.testing.assert_allclose(
        cross_entropy(logits, labels, **options), cross_entropy(logits, one_hot, **options), rtol=20 * EPS64, atol=0
    )
    np.testing.assert_allclose(
        cross_entropy_grad(logits, labels, **options), cross_entropy_grad(logits, one_hot, **options), rtol=0, atol=4 * EPS64
    )


@pytest.mark.parametrize("kind", ["index", "soft", "unnormalised"])
@pytest.mark.parametrize("label_smoothing", [0.05, 0.5, 1.0])
def test_label_smoothing_mixes_the_target_with_the_uniform_distribution(rng, kind, label_smoothing):
    logits, target = make_logits(rng, (4, 5)), make_target(rng, kind, (4, 5))
    dense = np.eye(5)[target] if kind == "index" else target
    smoothed = (1 - label_smoothing) * dense + label_smoothing / 5
    # Same terms, different association: a few eps of |loss| <~ 50.
    np.testing.assert_allclose(
        cross_entropy(logits, target, label_smoothing=label_smoothing), cross_entropy(logits, smoothed), rtol=20 * EPS64, atol=0
    )
    np.testing.assert_allclose(
        cross_entropy_grad(logits, target, label_smoothing=label_smoothing), cross_entropy_grad(logits, smoothed), rtol=0, atol=4 * EPS64
    )


@pytest.mark.parametrize("kind", ["index", "soft"])
def test_mean_is_the_sum_divided_by_the_batch_size_and_none_sums_to_the_sum(rng, kind):
    logits, target = make_logits(rng, (6, 4)), make_target(rng, kind, (6, 4))
    per_row = cross_entropy(logits, target, reduction="none")
    assert per_row.shape == (6,)
    np.testing.assert_array_equal(cross_entropy(logits, target, reduction="sum"), np.sum(per_row))
    np.testing.assert_array_equal(cross_entropy(logits, target, reduction="mean"), np.sum(per_row) / 6)
    # 1/N is applied before the subtraction p sum(y) - y of terms <= 1/N: a few eps/N apart.
    np.testing.assert_allclose(
        cross_entropy_grad(logits, target, reduction="mean"), cross_entropy_grad(logits, target, reduction="sum") / 6, rtol=0, atol=4 * EPS64 / 6
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["index", "soft", "unnormalised"])
def test_one_dimensional_logits_are_a_batch_of_one(rng, kind, reduction):
    logits, target = make_logits(rng, (5,)), make_target(rng, kind, (5,))
    loss = cross_entropy(logits, target, reduction=reduction)
    assert np.ndim(loss) == 0  # a scalar even for reduction="none"
    np.testing.assert_array_equal(loss, np.sum(cross_entropy(logits[None], target[None], reduction=reduction)))
    np.testing.assert_array_equal(cross_entropy_grad(logits, target, reduction=reduction), cross_entropy_grad(logits[None], target[None], reduction=reduction)[0])


@PROPERTY
@given(
    logits=hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=st.floats(-30, 30)),
    shift=st.floats(-100, 100),
)
def test_ce_is_invariant_to_adding_a_constant_to_every_logit_of_a_row(logits, shift):
    labels = np.zeros(logits.shape[0], dtype=int)
    # z + c rounds each logit by ulp(130)/2 ~ 1.4e-14; the loss (<= 60 + log 6) moves by as much.
    np.testing.assert_allclose(cross_entropy(logits + shift, labels), cross_entropy(logits, labels), rtol=0, atol=1e-12)


@PROPERTY
@given(
    weights=hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(2, 6)), elements=st.floats(0.01, 1.0)),
    data=st.data(),
)
def test_ce_is_at_least_the_entropy_of_the_target_with_equality_at_p_equals_y(weights, data):
    targets = weights / weights.sum(axis=-1, keepdims=True)
    logits = data.draw(hnp.arrays(np.float64, targets.shape, elements=st.floats(-10, 10)))
    entropy = -np.sum(targets * np.log(targets), axis=-1)
    # Gibbs' inequality: H(y, p) >= H(y), equal iff p = y, i.e. logits = log y + const.
    # Both sides sum <= 6 terms of size <= 25: a few eps * 25 apart when equal.
    assert np.all(cross_entropy(logits, targets, reduction="none") >= entropy - 1e-13)
    np.testing.assert_allclose(cross_entropy(np.log(targets) + 3.0, targets, reduction="none"), entropy, rtol=0, atol=1e-13)


def test_ce_is_linear_in_unnormalised_probability_targets(rng):
    logits, targets = make_logits(rng, (3, 4)), make_target(rng, "soft", (3, 4))
    # Scaling by 2.5 is one extra rounding per term: ~eps relative.
    np.testing.assert_allclose(cross_entropy(logits, 2.5 * targets), 2.5 * cross_entropy(logits, targets), rtol=4 * EPS64)


def test_probability_rows_that_do_not_sum_to_one_are_accepted():
    logits = np.array([[0.0, 0.0], [1.0, -1.0]])
    targets = np.array([[0.0, 0.0], [3.0, 0.5]])
    assert cross_entropy(logits, targets, reduction="none")[0] == 0.0  # an all-zero row weighs nothing
    assert np.isfinite(cross_entropy(logits, targets))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
@pytest.mark.parametrize("kind", ["index", "soft"])
def test_loss_and_gradient_keep_the_dtype_of_the_logits(rng, kind, dtype, reduction):
    logits, target = make_logits(rng, (3, 4), dtype), make_target(rng, kind, (3, 4))
    assert np.asarray(cross_entropy(logits, target, reduction=reduction, label_smoothing=0.1)).dtype == dtype
    grad = cross_entropy_grad(logits, target, reduction=reduction, label_smoothing=0.1)
    assert grad.dtype == dtype and grad.shape == logits.shape


@pytest.mark.parametrize("kind", ["index", "soft"])
def test_float32_agrees_with_float64_to_float32_precision(rng, kind):
    logits, target = make_logits(rng, (8, 5)), make_target(rng, kind, (8, 5))
    logits32 = logits.astype(np.float32)
    # Rounding logits (|z| <~ 10) to float32 moves log p by ~10 eps32 absolute; the arithmetic adds a few eps32.
    np.testing.assert_allclose(cross_entropy(logits32, target), cross_entropy(logits, target), rtol=20 * EPS32)
    # Gradient entries are <= 1 in size and change by ~10 eps32 |p| with the logits.
    np.testing.assert_allclose(cross_entropy_grad(logits32, target), cross_entropy_grad(logits, target), rtol=0, atol=20 * EPS32)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ce_is_exact_at_logits_of_1e6(dtype):
    logits = np.array([[1e6, -1e6], [-1e6, 1e6]], dtype=dtype)
    assert cross_entropy(logits, np.array([1, 1]), reduction="none").tolist() == [2e6, 0.0]
    assert cross_entropy_grad(logits, np.array([1, 1]), reduction="sum").tolist() == [[1.0, -1.0], [0.0, 0.0]]
    assert cross_entropy(logits, np.array([[0.5, 0.5], [0.0, 1.0]], dtype=dtype), reduction="sum") == 1e6


# --------------------------------------------------------------------------
# the gradient
# --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["index", "one-hot", "soft"])
def test_ce_grad_is_p_minus_y_when_targets_sum_to_one(rng, kind, reduction):
    logits, target = make_logits(rng, (4, 5)), make_target(rng, kind, (4, 5))
    dense = np.eye(5)[target] if kind == "index" else target
    scale = 1 / 4 if reduction == "mean" else 1.0
    # p sum(y) - y versus p - y: sum(y) is 1 to within C eps.
    np.testing.assert_allclose(cross_entropy_grad(logits, target, reduction=reduction), scale * (softmax(logits) - dense), rtol=0, atol=8 * EPS64)


def test_ce_grad_is_p_sum_y_minus_y_for_unnormalised_targets(rng):
    logits, targets = make_logits(rng, (4, 5)), make_target(rng, "unnormalised", (4, 5))
    expected = softmax(logits) * targets.sum(axis=-1, keepdims=True) - targets
    np.testing.assert_allclose(cross_entropy_grad(logits, targets, reduction="sum"), expected, rtol=0, atol=8 * EPS64)
    # ... which is not p - y:
    assert not np.allclose(cross_entropy_grad(logits, targets, reduction="sum"), softmax(logits) - targets)


@PROPERTY
@given(
    logits=hnp.arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)), elements=st.floats(-30, 30)),
    label_smoothing=st.floats(0, 1),
    data=st.data(),
)
def test_ce_grad_rows_sum_to_zero_when_targets_sum_to_one(logits, label_smoothing, data):
    labels = data.draw(hnp.arrays(np.int64, logits.shape[:1], elements=st.integers(0, logits.shape[1] - 1)))
    grad = cross_entropy_grad(logits, labels, reduction="sum", label_smoothing=label_smoothing)
    # sum_j (p_j - y'_j) = 1 - 1 up to C rounded terms of size <= 1.
    np.testing.assert_allclose(grad.sum(axis=-1), 0.0, rtol=0, atol=8 * EPS64)


@pytest.mark.parametrize(
    "shape, kind, reduction, label_smoothing",
    [
        ((5,), "index", "mean", 0.0),
        ((5,), "soft", "none", 0.2),
        ((1, 1), "index", "sum", 0.0),
        ((4, 3), "index", "mean", 0.0),
        ((4, 3), "index", "sum", 0.1),
        ((4, 3), "index", "none", 1.0),
        ((3, 6), "one-hot", "mean", 0.3),
        ((3, 6), "soft", "sum", 0.0),
        ((3, 6), "soft", "mean", 0.1),
        ((3, 6), "unnormalised", "mean", 0.0),
        ((3, 6), "unnormalised", "none", 0.25),
    ],
)
def test_ce_grad_matches_the_complex_step_and_central_differences(rng, assert_gradient, shape, kind, reduction, label_smoothing):
    logits, target = make_logits(rng, shape), make_target(rng, kind, shape)
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    assert_gradient(lambda z: total(cross_entropy(z, target, **options)), cross_entropy_grad(logits, target, **options), logits)


@pytest.mark.parametrize("kind", ["index", "soft", "unnormalised"])
def test_ce_hessian_is_the_softmax_jacobian_times_the_target_mass(rng, kind):
    logits, target = make_logits(rng, (6,)), make_target(rng, kind, (6,))
    mass = 1.0 if kind == "index" else target.sum()
    # The gradient p * sum(y) - y is complex-step safe too, so its complex-step Jacobian is exact
    # up to the round-off of C-term sums (entries <= mass ~ 6): rtol 1e-13 with a few-eps atol.
    hessian = numerical_jacobian(lambda z: cross_entropy_grad(z, target, reduction="sum"), logits, method="complex")
    np.testing.assert_allclose(hessian, mass * softmax_jacobian(logits), rtol=1e-13, atol=1e-14)


# --------------------------------------------------------------------------
# non-finite logits: PyTorch's values (compared with torch in test_losses_vs_torch.py)
# --------------------------------------------------------------------------

ROW = [-INF, 1.0, 2.0]  # one -inf logit, on class 0


def test_minus_inf_logit_off_the_target_has_zero_gradient_and_a_finite_loss():
    loss, grad = cross_entropy(np.array(ROW), 1), cross_entropy_grad(np.array(ROW), 1)
    assert loss == cross_entropy(np.array(ROW[1:]), 0)
    assert grad[0] == 0.0 and grad[1:].tolist() == cross_entropy_grad(np.array(ROW[1:]), 0).tolist()


def test_minus_inf_logit_on_the_target_gives_infinite_loss_and_finite_gradient():
    assert cross_entropy(np.array(ROW), 0) == INF
    np.testing.assert_array_equal(cross_entropy_grad(np.array(ROW), 0), softmax(np.array(ROW)) - [1.0, 0.0, 0.0])


@pytest.mark.parametrize("target", [1, np.array([0.0, 0.5, 0.5]), np.array([0.0, 0.0, 0.0])])
def test_label_smoothing_makes_any_minus_inf_logit_an_infinite_loss(target):
    assert cross_entropy(np.array(ROW), target, label_smoothing=0.1) == INF
    # y'_0 >= eps / C > 0 meets p_0 = 0: the gradient there is -y'_0 = -eps/C (plus the target's share).
    grad = cross_entropy_grad(np.array(ROW), target, label_smoothing=0.1)
    assert np.all(np.isfinite(grad)) and grad[0] == -0.1 / 3


@pytest.mark.parametrize(
    "target, expected",
    [
        pytest.param(np.array([0.0, 0.5, 0.5]), NAN, id="zero-mass-on-minus-inf-is-0-times-inf-nan"),
        pytest.param(np.array([0.1, 0.4, 0.5]), INF, id="mass-on-minus-inf-is-inf"),
        pytest.param(np.array([0.0, 0.0, 0.0]), NAN, id="all-zero-row-is-nan"),
    ],
)
def test_probability_targets_on_minus_inf_logits_give_torchs_inf_or_nan(target, expected):
    np.testing.assert_array_equal(cross_entropy(np.array(ROW), target), expected)
    np.testing.assert_array_equal(cross_entropy_grad(np.array(ROW), target), softmax(np.array(ROW)) * target.sum() - target)


def test_full_smoothing_with_minus_inf_on_the_target_is_zero_times_inf_nan():
    assert np.isnan(cross_entropy(np.array(ROW), 0, label_smoothing=1.0))
    assert cross_entropy(np.array(ROW), 1, label_smoothing=1.0) == INF


@pytest.mark.parametrize("row", [[INF, 1.0, 2.0], [NAN, 1.0, 2.0], [-INF, -INF, -INF]], ids=["plus-inf", "nan", "all-minus-inf"])
@pytest.mark.parametrize("target", [1, np.array([0.2, 0.3, 0.5])], ids=["index", "soft"])
def test_a_row_without_finite_maximum_is_nan_and_leaves_other_rows_alone(row, target):
    logits = np.array([row, [0.5, -1.0, 2.0]])
    targets = np.stack([target, target]) if np.ndim(target) else np.array([target, target])
    assert np.isnan(cross_entropy(logits, targets, reduction="none")[0])
    grad = cross_entropy_grad(logits, targets, reduction="none")
    assert np.isnan(grad[0]).all()
    np.testing.assert_array_equal(grad[1], cross_entropy_grad(logits[1], targets[1]))


def test_non_finite_logits_raise_no_floating_point_warning():
    logits = np.array([[INF, 1.0, 2.0], [-INF, -INF, -INF], ROW, [NAN, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for target in (np.array([0, 1, 0, 2]), np.full((4, 3), 0.0), np.full((4, 3), 0.5)):
            for label_smoothing in (0.0, 0.3, 1.0):
                cross_entropy(logits, target, label_smoothing=label_smoothing)
                cross_entropy_grad(logits, target, label_smoothing=label_smoothing)


def test_an_empty_batch_has_nan_mean_zero_sum_and_an_empty_gradient():
    logits, labels = np.zeros((0, 3)), np.zeros(0, dtype=int)
    assert np.isnan(cross_entropy(logits, labels)) and cross_entropy(logits, labels, reduction="sum") == 0.0
    assert cross_entropy(logits, labels, reduction="none").shape == (0,)
    assert cross_entropy_grad(logits, labels).shape == (0, 3)


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

LOGITS = np.zeros((2, 5))
LABELS = np.array([0, 4])


@pytest.mark.parametrize("function", [cross_entropy, cross_entropy_grad])
@pytest.mark.parametrize(
    "logits, target, options, error, message",
    [
        (np.zeros((2, 5), dtype=int), LABELS, {}, TypeError, r"^logits must be a floating-point array \(float32 or float64; complex for the complex step\), got int64$"),
        (np.zeros((2, 3, 5)), LABELS, {}, ValueError, r"^logits must be 1-D of shape \(C,\) or 2-D of shape \(N, C\), got shape \(2, 3, 5\)$"),
        (np.float64(0.0), 0, {}, ValueError, r"^logits must be 1-D of shape \(C,\) or 2-D of shape \(N, C\), got shape \(\)$"),
        (np.zeros((2, 0)), LABELS, {}, ValueError, r"^logits is empty along axis 1 \(expected at least one entry\), got shape \(2, 0\)$"),
        (LOGITS, np.array([0, 7]), {}, ValueError, r"^target has label 7 but logits have 5 classes \(expected 0 <= label < 5\)$"),
        (LOGITS, np.array([-1, 0]), {}, ValueError, r"^target has label -1 but logits have 5 classes \(expected 0 <= label < 5\)$"),
        (LOGITS, np.array([-100, 0]), {}, ValueError, r"^target has label -100 but logits have 5 classes"),  # torch's ignore_index
        (np.zeros(5), 5, {}, ValueError, r"^target has label 5 but logits have 5 classes"),
        (LOGITS, np.array([0, 1, 2]), {}, ValueError, r"^target has shape \(3,\) but logits have shape \(2, 5\) \(expected class indices of shape \(2,\) or probabilities of shape \(2, 5\)\)$"),
        (LOGITS, 0, {}, ValueError, r"^target has shape \(\) but logits have shape \(2, 5\)"),
        (np.zeros(5), np.array([1]), {}, ValueError, r"^target has shape \(1,\) but logits have shape \(5,\) \(expected class indices of shape \(\) or probabilities of shape \(5,\)\)$"),
        (LOGITS, np.zeros((2, 4)), {}, ValueError, r"^target has shape \(2, 4\) but logits have shape \(2, 5\)"),
        (LOGITS, np.array([0.0, 4.0]), {}, TypeError, r"^target has dtype float64 and shape \(2,\), but class indices must be integers and probability targets must have the logits' shape \(2, 5\)$"),
        (np.zeros(5), 1.0, {}, TypeError, r"^target has dtype float64 and shape \(\), but class indices must be integers"),
        (LOGITS, np.zeros((2, 5), dtype=int), {}, TypeError, r"^target has integer dtype int64 and the logits' shape \(2, 5\), but probability targets must be floating-point and class indices must have shape \(2,\)$"),
        (LOGITS, np.array([[0.5, -0.5, 0, 0, 1], [1, 0, 0, 0, 0]]), {}, ValueError, r"^target must hold finite, non-negative probabilities in the logits' dtype float64, got -0.5 at index \(0, 1\)$"),
        (LOGITS, np.array([[1, 0, 0, 0, 0], [0, 0, NAN, 0, 1]]), {}, ValueError, r"^target must hold finite, non-negative probabilities in the logits' dtype float64, got nan at index \(1, 2\)$"),
        (LOGITS, np.array([[1, 0, 0, 0, INF], [1, 0, 0, 0, 0]]), {}, ValueError, r"^target must hold finite, non-negative probabilities in the logits' dtype float64, got inf at index \(0, 4\)$"),
        (LOGITS.astype(np.float32), np.full((2, 5), 1e300), {}, ValueError, r"^target must hold finite, non-negative probabilities in the logits' dtype float32, got 1e\+300 at index \(0, 0\)$"),
        (LOGITS, np.array([True, False]), {}, TypeError, r"^target must be integer class indices or floating-point probabilities, got dtype bool$"),
        (LOGITS, np.ones((2, 5), dtype=complex), {}, TypeError, r"^target must be integer class indices or floating-point probabilities, got dtype complex128$"),
        (LOGITS, np.array(["a", "b"]), {}, TypeError, r"^target must be integer class indices .*, got dtype <U1$"),
        (LOGITS, LABELS, {"reduction": "avg"}, ValueError, r"^reduction must be one of 'mean', 'sum' or 'none', got 'avg'$"),
        (LOGITS, LABELS, {"reduction": None}, TypeError, r"^reduction must be one of 'mean', 'sum' or 'none', got NoneType None$"),
        (LOGITS, LABELS, {"label_smoothing": 1.5}, ValueError, r"^label_smoothing must be a finite number in \[0, 1\], got 1.5$"),
        (LOGITS, LABELS, {"label_smoothing": -0.1}, ValueError, r"^label_smoothing must be a finite number in \[0, 1\], got -0.1$"),
        (LOGITS, LABELS, {"label_smoothing": NAN}, ValueError, r"^label_smoothing must be a finite number in \[0, 1\], got nan$"),
        (LOGITS, LABELS, {"label_smoothing": "0.1"}, TypeError, r"^label_smoothing must be a real number in \[0, 1\], got str '0.1'$"),
        (LOGITS, LABELS, {"label_smoothing": True}, TypeError, r"^label_smoothing must be a real number in \[0, 1\], got bool True$"),
    ],
)
def test_invalid_arguments_raise_a_sentence_naming_the_argument(function, logits, target, options, error, message):
    with pytest.raises(error, match=message):
        function(logits, target, **options)
