"""Cross-entropy values and gradients against ``torch.nn.functional.cross_entropy`` + autograd.

PyTorch is the independent engine: every case below is one line of a table, run in
float32 and float64, comparing the loss and dL/dlogits (for ``reduction="none"``
the gradient of the summed losses, ``loss.backward(ones)``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from chainrule.losses import cross_entropy, cross_entropy_grad
from chainrule.softmax import log_softmax, logsumexp, softmax

INF, NAN = np.inf, np.nan

#: (rtol, atol) per dtype; an element agrees when |ours - torch| <= atol + rtol |torch|.
TOLERANCES = {
    # Same formulas in float64, differently associated (torch reduces before it mixes in the
    # smoothing term, and its exp/log are vectorised): ~10 eps ~ 2e-15 relative apart. 1e-10 is
    # the agreement we promise; atol covers gradient entries that are round-off around 0 (p ~ 1 minus 1).
    np.float64: (1e-10, 1e-13),
    # float32 (eps32 = 1.2e-7): torch's and NumPy's exp/log differ by ~1 ulp, and sums of up to
    # N*C = 24 terms are reassociated: <~ 30 eps32 ~ 4e-6 relative; entries near 0 keep ~eps32 absolute.
    np.float32: (1e-5, 1e-6),
}

_rng = np.random.default_rng(20261126)
Z1 = 3 * _rng.standard_normal(5)  # (C,) logits
Z2 = 3 * _rng.standard_normal((4, 6))  # (N, C) logits
LABEL = 3  # class index for Z1
LABELS = np.array([0, 5, 2, 2])  # class indices for Z2
_weights1, _weights2 = _rng.random(5), _rng.random((4, 6))
SOFT1 = _weights1 / _weights1.sum()
SOFT2 = _weights2 / _weights2.sum(axis=1, keepdims=True)
UNNORMALISED2 = 3 * _weights2  # rows sum to anything in [0, 18]
ONE_HOT2 = np.eye(6)[LABELS]
BIG = np.array([[1e6, -1e6, 0.0], [-1e6, 1e6, 1e6 - 3], [5e5, -5e5, 0.0]])
ROW = [-INF, 1.0, 2.0]  # one -inf logit, on class 0
BAD_BATCH = np.array([[INF, 1.0, 2.0], [-INF, -INF, -INF], [NAN, 0.0, 1.0], [0.5, -1.0, 2.0]])

CASES = [
    # id: (logits, target, reduction, label_smoothing)
    ("index-2d-mean", (Z2, LABELS, "mean", 0.0)),
    ("index-2d-sum", (Z2, LABELS, "sum", 0.0)),
    ("index-2d-none", (Z2, LABELS, "none", 0.0)),
    ("index-2d-mean-smooth", (Z2, LABELS, "mean", 0.1)),
    ("index-2d-sum-smooth", (Z2, LABELS, "sum", 0.3)),
    ("index-2d-none-smooth", (Z2, LABELS, "none", 0.1)),
    ("index-2d-full-smoothing", (Z2, LABELS, "mean", 1.0)),
    ("index-1d-mean", (Z1, LABEL, "mean", 0.0)),
    ("index-1d-sum", (Z1, LABEL, "sum", 0.0)),
    ("index-1d-none", (Z1, LABEL, "none", 0.0)),
    ("index-1d-smooth", (Z1, LABEL, "mean", 0.2)),
    ("one-hot-2d-mean", (Z2, ONE_HOT2, "mean", 0.0)),
    ("one-hot-2d-smooth", (Z2, ONE_HOT2, "mean", 0.1)),
    ("soft-2d-mean", (Z2, SOFT2, "mean", 0.0)),
    ("soft-2d-sum", (Z2, SOFT2, "sum", 0.0)),
    ("soft-2d-none", (Z2, SOFT2, "none", 0.0)),
    ("soft-2d-mean-smooth", (Z2, SOFT2, "mean", 0.15)),
    ("soft-2d-none-smooth", (Z2, SOFT2, "none", 0.15)),
    ("soft-1d-mean", (Z1, SOFT1, "mean", 0.0)),
    ("soft-1d-none-smooth", (Z1, SOFT1, "none", 0.25)),
    ("unnormalised-2d-mean", (Z2, UNNORMALISED2, "mean", 0.0)),
    ("unnormalised-2d-sum-smooth", (Z2, UNNORMALISED2, "sum", 0.2)),
    ("unnormalised-2d-none", (Z2, UNNORMALISED2, "none", 0.0)),
    ("big-index", (BIG, np.array([1, 2, 0]), "none", 0.0)),
    ("big-index-smooth", (BIG, np.array([1, 2, 0]), "mean", 0.1)),
    ("big-soft", (BIG, np.array([[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [1.0, 0.0, 0.0]]), "none", 0.0)),
    ("big-soft-smooth", (BIG, np.array([[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [1.0, 0.0, 0.0]]), "sum", 0.1)),
    ("-inf-off-target", ([ROW], np.array([1]), "mean", 0.0)),
    ("-inf-on-target", ([ROW], np.array([0]), "mean", 0.0)),
    ("-inf-off-target-smooth", ([ROW], np.array([1]), "mean", 0.1)),
    ("-inf-on-target-smooth", ([ROW], np.array([0]), "none", 0.1)),
    ("-inf-on-target-full-smoothing", ([ROW], np.array([0]), "mean", 1.0)),
    ("-inf-off-target-1d", (ROW, 2, "none", 0.0)),
    ("-inf-zero-probability", ([ROW], np.array([[0.0, 0.5, 0.5]]), "mean", 0.0)),
    ("-inf-positive-probability", ([ROW], np.array([[0.1, 0.4, 0.5]]), "mean", 0.0)),
    ("-inf-zero-probability-smooth", ([ROW], np.array([[0.0, 0.5, 0.5]]), "mean", 0.1)),
    ("-inf-all-zero-row", ([ROW], np.array([[0.0, 0.0, 0.0]]), "sum", 0.0)),
    ("-inf-all-zero-row-smooth", ([ROW], np.array([[0.0, 0.0, 0.0]]), "sum", 0.1)),
    ("-inf-1d-probability", (ROW, np.array([0.0, 0.25, 0.75]), "none", 0.0)),
    ("bad-rows-index-none", (BAD_BATCH, np.array([1, 0, 2, 1]), "none", 0.0)),
    ("bad-rows-index-mean", (BAD_BATCH, np.array([1, 0, 2, 1]), "mean", 0.0)),
    ("bad-rows-index-smooth", (BAD_BATCH, np.array([0, 1, 2, 0]), "none", 0.2)),
    ("bad-rows-soft-none", (BAD_BATCH, np.full((4, 3), 1 / 3), "none", 0.0)),
    ("bad-rows-soft-sum-smooth", (BAD_BATCH, np.full((4, 3), 1 / 3), "sum", 0.2)),
    ("empty-batch-index-mean", (np.zeros((0, 3)), np.zeros(0, dtype=np.int64), "mean", 0.0)),
    ("empty-batch-index-sum", (np.zeros((0, 3)), np.zeros(0, dtype=np.int64), "sum", 0.1)),
    ("empty-batch-soft-mean", (np.zeros((0, 3)), np.zeros((0, 3)), "mean", 0.0)),
    ("empty-batch-soft-none", (np.zeros((0, 3)), np.zeros((0, 3)), "none", 0.0)),
]


def torch_cross_entropy(logits: np.ndarray, target: np.ndarray, reduction: str, label_smoothing: float):
    """PyTorch's loss and its autograd gradient with respect to the logits, as NumPy arrays."""
    logits_t = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(logits_t, torch.tensor(target), reduction=reduction, label_smoothing=label_smoothing)
    loss.backward(torch.ones_like(loss))
    return loss.detach().numpy(), logits_t.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("logits, target, reduction, label_smoothing", [case for _, case in CASES], ids=[name for name, _ in CASES])
def test_loss_and_gradient_match_torch(logits, target, reduction, label_smoothing, dtype):
    logits = np.asarray(logits, dtype=dtype)
    target = np.asarray(target)
    if target.dtype.kind == "f":
        target = target.astype(dtype)  # probabilities in the logits' precision, as torch requires
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    loss, grad = cross_entropy(logits, target, **options), cross_entropy_grad(logits, target, **options)
    torch_loss, torch_grad = torch_cross_entropy(logits, target, reduction, label_smoothing)
    rtol, atol = TOLERANCES[dtype]
    assert np.asarray(loss).dtype == dtype and grad.dtype == dtype
    # equal_nan: NaN where torch has NaN; infinities must match in position and sign.
    np.testing.assert_allclose(loss, torch_loss, rtol=rtol, atol=atol, equal_nan=True, strict=True)
    np.testing.assert_allclose(grad, torch_grad, rtol=rtol, atol=atol, equal_nan=True, strict=True)


NON_FINITE_ROWS = [
    pytest.param([-INF, 0.0, 1.0], id="one-minus-inf"),
    pytest.param([INF, 0.0, 1.0], id="plus-inf"),
    pytest.param([INF, INF, 1.0], id="two-plus-inf"),
    pytest.param([INF, -INF, 1.0], id="plus-and-minus-inf"),
    pytest.param([-INF, -INF, -INF], id="all-minus-inf"),
    pytest.param([NAN, 0.0, 1.0], id="nan"),
    pytest.param([1e6, -1e6, 0.0], id="huge"),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("row", NON_FINITE_ROWS)
@pytest.mark.parametrize(
    "ours, theirs",
    [(softmax, torch.softmax), (log_softmax, torch.log_softmax), (logsumexp, torch.logsumexp)],
    ids=["softmax", "log_softmax", "logsumexp"],
)
def test_softmax_family_matches_torch_on_extreme_rows(ours, theirs, row, dtype):
    logits = np.array([row, [0.5, -1.0, 2.0]], dtype=dtype)
    rtol, atol = TOLERANCES[dtype]
    expected = theirs(torch.tensor(logits), -1).numpy()
    np.testing.assert_allclose(ours(logits), expected, rtol=rtol, atol=atol, equal_nan=True, strict=True)
