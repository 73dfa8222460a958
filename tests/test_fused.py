"""The fused ``cross_entropy_value_and_grad`` equals the reference pair, and PyTorch.

The reference is ``cross_entropy`` + ``cross_entropy_grad`` (chainrule.losses), itself
tested against PyTorch; PyTorch is checked here again as the independent engine.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
import tracemalloc
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from chainrule.fused import cross_entropy_value_and_grad, thread_pool
from chainrule.gradcheck import numerical_gradient
from chainrule.losses import cross_entropy, cross_entropy_grad

INF, NAN = np.inf, np.nan
REDUCTIONS = ["mean", "sum", "none"]

#: (rtol, atol) against the reference, per dtype. Same formulas, reassociated: the fused loss
#: is sigma log S - sum y' s instead of -sum y' (s - log S) (both sides sums of non-negative
#: terms, no cancellation), and p = e^s * (scale / S) instead of (e^s / S) * scale: a few eps
#: per entry plus the reordering of sums over C <= 50 terms, <~ 50 eps.
TOLERANCES = {np.float64: (1e-13, 1e-16), np.float32: (1e-5, 1e-8)}

_rng = np.random.default_rng(20261127)
Z2 = 3 * _rng.standard_normal((6, 9))
LABELS = _rng.integers(0, 9, 6)
SOFT = _rng.random((6, 9))
SOFT /= SOFT.sum(axis=1, keepdims=True)
UNNORMALISED = 3 * _rng.random((6, 9))
ROW = [-INF, 1.0, 2.0]
BAD_BATCH = np.array([[INF, 1.0, 2.0], [-INF, -INF, -INF], [NAN, 0.0, 1.0], [0.5, -1.0, 2.0], ROW, ROW])
BIG = np.array([[1e6, -1e6, 0.0], [-1e6, 1e6, 1e6 - 3], [5e5, -5e5, 0.0]])

TARGETS = {
    "index": LABELS,
    "one-hot": np.eye(9)[LABELS],
    "soft": SOFT,
    "unnormalised": UNNORMALISED,
}

NON_FINITE = [
    # id: (logits, target) -- every case of the reference's Notes, mixed with finite rows
    ("-inf-off-and-on-target", (BAD_BATCH, np.array([1, 0, 2, 1, 1, 0]))),
    ("-inf-soft-zero-and-positive", (BAD_BATCH, np.array([[1 / 3] * 3] * 4 + [[0.0, 0.5, 0.5], [0.1, 0.4, 0.5]]))),
    ("-inf-all-zero-probability-row", ([ROW, [0.0, 1.0, 2.0]], np.array([[0.0, 0.0, 0.0], [0.2, 0.3, 0.5]]))),
    ("-inf-1d-index", (ROW, 2)),
    ("-inf-1d-soft", (ROW, np.array([0.0, 0.25, 0.75]))),
    ("huge-index", (BIG, np.array([1, 2, 0]))),
    ("huge-soft", (BIG, np.array([[0.5, 0.5, 0.0], [0.0, 0.3, 0.7], [1.0, 0.0, 0.0]]))),
]


def reference(logits, target, **options):
    """The unfused pair: what the fused call must return."""
    return cross_entropy(logits, target, **options), cross_entropy_grad(logits, target, **options)


def assert_same(actual, expected, dtype):
    """Loss and gradient agree within TOLERANCES; NaN where NaN, infinities in place and sign."""
    rtol, atol = TOLERANCES[dtype]
    for ours, theirs in zip(actual, expected):
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype
        assert np.shape(ours) == np.shape(theirs)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True, strict=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.1, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", TARGETS)
def test_fused_equals_the_reference_for_every_target_kind_reduction_and_smoothing(kind, reduction, label_smoothing, dtype):
    logits = Z2.astype(dtype)
    target = TARGETS[kind] if kind == "index" else TARGETS[kind].astype(dtype)
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    assert_same(cross_entropy_value_and_grad(logits, target, **options), reference(logits, target, **options), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["index", "soft"])
def test_one_dimensional_logits_give_what_the_reference_gives(kind, reduction, dtype):
    logits = Z2[0].astype(dtype)
    target = LABELS[0] if kind == "index" else SOFT[0].astype(dtype)
    assert_same(cross_entropy_value_and_grad(logits, target, reduction=reduction), reference(logits, target, reduction=reduction), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2, 1.0])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("logits, target", [case for _, case in NON_FINITE], ids=[name for name, _ in NON_FINITE])
def test_non_finite_logits_give_the_references_inf_and_nan(logits, target, reduction, label_smoothing, dtype):
    logits = np.asarray(logits, dtype=dtype)
    target = np.asarray(target)
    target = target.astype(dtype) if target.dtype.kind == "f" else target
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no floating-point RuntimeWarning from the fused call either
        fused = cross_entropy_value_and_grad(logits, target, **options)
    assert_same(fused, reference(logits, target, **options), dtype)


@pytest.mark.parametrize("kind", ["index", "soft"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_an_empty_batch_gives_what_the_reference_gives(kind, reduction):
    logits = np.zeros((0, 3))
    target = np.zeros(0, dtype=np.int64) if kind == "index" else np.zeros((0, 3))
    assert_same(cross_entropy_value_and_grad(logits, target, reduction=reduction), reference(logits, target, reduction=reduction), np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kind", ["index", "soft"])
def test_many_blocks_on_several_threads_give_the_reference_and_do_not_depend_on_the_thread_count(rng, kind, dtype):
    # 64 x 4096: 256 Ki logits (threaded above 64 Ki), blocks of 16 or 32 rows, so 2-4 blocks.
    logits = (4 * rng.standard_normal((64, 4096))).astype(dtype)
    logits[5, 17] = -INF  # one row through the reference fallback, inside a threaded block
    target = rng.integers(0, 4096, 64) if kind == "index" else rng.dirichlet(np.ones(4096), 64).astype(dtype)
    one_thread = cross_entropy_value_and_grad(logits, target, label_smoothing=0.1, threads=1)
    three_threads = cross_entropy_value_and_grad(logits, target, label_smoothing=0.1, threads=3)
    # each block is computed by the same code whichever thread takes it: bitwise equal
    np.testing.assert_array_equal(one_thread[0], three_threads[0])
    np.testing.assert_array_equal(one_thread[1], three_threads[1])
    # sums over C = 4096 terms, reassociated (einsum vs pairwise): <~ sqrt(C) eps in practice,
    # C eps = 5e-4 (float32) at worst; 2e-5 / 1e-12 hold with 10x headroom here.
    rtol = 2e-5 if dtype == np.float32 else 1e-12
    expected = reference(logits, target, reduction="mean", label_smoothing=0.1)
    np.testing.assert_allclose(one_thread[0], expected[0], rtol=rtol, strict=True)
    np.testing.assert_allclose(one_thread[1], expected[1], rtol=rtol, atol=rtol / (64 * 4096), strict=True)


@pytest.mark.parametrize("kind", ["index", "soft", "unnormalised"])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_fused_gradient_equals_the_complex_step_derivative_of_the_fused_loss(kind, label_smoothing):
    target = TARGETS[kind]
    loss = lambda z: cross_entropy_value_and_grad(z, target, reduction="sum", label_smoothing=label_smoothing)[0]
    numerical = numerical_gradient(loss, Z2, method="complex")
    _, grad = cross_entropy_value_and_grad(Z2, target, reduction="sum", label_smoothing=label_smoothing)
    # complex step: no cancellation, only the round-off of a 9-class softmax (~10 eps)
    np.testing.assert_allclose(grad, numerical, rtol=1e-13, atol=1e-14)


def test_complex_logits_go_through_the_fused_path_like_the_reference():
    logits = Z2 + 1e-20j * np.eye(6, 9)
    assert_same(cross_entropy_value_and_grad(logits, LABELS, reduction="none"), reference(logits, LABELS, reduction="none"), np.float64)


def test_peak_extra_memory_is_the_gradient_plus_per_row_scratch(rng):
    logits = rng.standard_normal((256, 1000))  # 2 MB of float64
    labels = rng.integers(0, 1000, 256)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        result = cross_entropy_value_and_grad(logits, labels)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result[1].nbytes == logits.nbytes
    # the gradient itself; then per thread NumPy's 64 KiB ufunc buffer (it buffers broadcast
    # operations over short rows) and a few block-row vectors (shifts, sums, losses: < 16 KiB)
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert peak - before <= logits.nbytes + cpus * 80 * 1024


def test_invalid_arguments_raise_the_references_errors():
    cases = [
        (np.zeros((2, 5), dtype=int), np.array([0, 1]), {}),
        (np.zeros((2, 5)), np.array([0, 7]), {}),
        (np.zeros((2, 5)), np.array([0.0, 1.0]), {}),
        (np.zeros((2, 5)), np.array([[0.5, -0.5, 0, 0, 1], [1, 0, 0, 0, 0]]), {}),
        (np.zeros((2, 5)), np.array([0, 1]), {"reduction": "avg"}),
        (np.zeros((2, 5)), np.array([0, 1]), {"label_smoothing": 1.5}),
    ]
    for logits, target, options in cases:
        with pytest.raises((TypeError, ValueError)) as expected:
            cross_entropy(logits, target, **options)
        with pytest.raises(expected.type, match=f"^{__import__('re').escape(str(expected.value))}$"):
            cross_entropy_value_and_grad(logits, target, **options)


TORCH_TOLERANCES = {
    # as tests/test_losses_vs_torch.py: same formulas differently associated, vectorised exp/log
    np.float64: (1e-10, 1e-13),
    np.float32: (1e-5, 1e-6),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("kind", ["index", "soft", "unnormalised", "non-finite"])
def test_fused_matches_torch(kind, reduction, label_smoothing, dtype):
    if kind == "non-finite":
        logits, target = BAD_BATCH.astype(dtype), np.array([1, 0, 2, 1, 1, 0])
    else:
        logits = Z2.astype(dtype)
        target = TARGETS[kind] if kind == "index" else TARGETS[kind].astype(dtype)
    loss, grad = cross_entropy_value_and_grad(logits, target, reduction=reduction, label_smoothing=label_smoothing)
    logits_t = torch.tensor(logits, requires_grad=True)
    torch_loss = F.cross_entropy(logits_t, torch.tensor(target), reduction=reduction, label_smoothing=label_smoothing)
    torch_loss.backward(torch.ones_like(torch_loss))
    rtol, atol = TORCH_TOLERANCES[dtype]
    np.testing.assert_allclose(loss, torch_loss.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True, strict=True)
    np.testing.assert_allclose(grad, logits_t.grad.numpy(), rtol=rtol, atol=atol, equal_nan=True, strict=True)


def exit_code_of_forked_child(check, timeout=60.0):
    """Run `check()` in a child made by os.fork; its exit code: 0 if it returned True, 1 if False or raised.

    A child that has not finished after `timeout` seconds (one waiting forever on a pool whose
    threads did not survive the fork) is killed and the test fails.
    """
    pid = os.fork()
    if pid == 0:  # the child reports by its exit status and never returns here
        code = 1
        try:
            code = 0 if check() else 1
        finally:
            os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"the forked child did not finish in {timeout:.0f} s (it waited on the parent's pool)")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_gets_its_own_thread_pool_instead_of_waiting_forever(rng):
    # The parent's pool exists (its threads do not survive a fork); the child must not use it.
    logits, labels = rng.normal(size=(300, 1000)), rng.integers(0, 1000, size=300)
    expected = cross_entropy_value_and_grad(logits, labels, threads=3)

    def threaded_pass_gives_the_parents_result():
        got = cross_entropy_value_and_grad(logits, labels, threads=3)
        return got[0] == expected[0] and np.array_equal(got[1], expected[1])

    assert exit_code_of_forked_child(threaded_pass_gives_the_parents_result) == 0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_a_forked_child_makes_a_pool_of_its_own_that_runs_jobs():
    pool = thread_pool(1)
    assert exit_code_of_forked_child(lambda: thread_pool(1) is not pool and thread_pool(1).submit(int, "7").result() == 7) == 0


def test_the_thread_pool_is_reused_while_large_enough_and_replaced_when_more_workers_are_asked_for():
    pool = thread_pool(3)
    assert thread_pool(1) is pool and thread_pool(3) is pool and pool._max_workers >= 3
    assert thread_pool(pool._max_workers + 1)._max_workers == pool._max_workers + 1
    name = thread_pool(1).submit(lambda: threading.current_thread().name).result()
    assert name.startswith("chainrule-fused_")


# --- many blocks, several threads, every option: the reference's values ------------------------


@functools.cache
def blocked_case():
    """Logits of five blocks of 65 rows (512 KiB each), labels, probabilities, and non-finite rows."""
    rng = np.random.default_rng(0)
    finite = rng.normal(size=(300, 1000))
    labels = rng.integers(0, 1000, size=300)
    probs = 1.5 * rng.dirichlet(np.ones(1000), size=300)  # rows summing to 1.5
    non_finite = finite.copy()
    non_finite[7, labels[7]] = -INF  # loss +inf: recomputed by the reference
    non_finite[8, labels[8] - 1] = -INF  # finite loss, unless smoothed
    non_finite[290, 0] = INF  # a NaN row in the last block
    return finite, non_finite, {"index": labels, "probabilities": probs}


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize(("logits_kind", "reduction"), [("finite", "mean"), ("finite", "sum"), ("finite", "none"), ("non-finite", "none")])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("kind", ["index", "probabilities"])
def test_blocks_shared_among_threads_give_the_reference(kind, label_smoothing, logits_kind, reduction, threads):
    finite, non_finite, targets = blocked_case()
    logits, target = (finite if logits_kind == "finite" else non_finite), targets[kind]
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    loss, grad = reference(logits, target, **options)
    fused = cross_entropy_value_and_grad(logits, target, **options, threads=threads)
    # the same float64 formulas reassociated over C = 1000 terms: <~ C eps ~ 2e-13 relative
    assert np.allclose(fused[0], loss, rtol=1e-12, atol=0, equal_nan=True)
    assert np.allclose(fused[1], grad, rtol=1e-12, atol=1e-15, equal_nan=True)
    assert fused[1].shape == logits.shape and np.shape(fused[0]) == np.shape(loss)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.5])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [1, np.array([0.2, 0.0, 0.8])], ids=["index", "probabilities"])
def test_one_row_of_shape_c_gives_the_reference_for_every_option(target, reduction, label_smoothing):
    logits = np.array([2.0, 0.0, -1.0])
    options = dict(reduction=reduction, label_smoothing=label_smoothing)
    loss, grad = cross_entropy_value_and_grad(logits, target, **options)
    # three classes: a few roundings apart
    assert np.isclose(loss, cross_entropy(logits, target, **options), rtol=1e-14, atol=0)
    assert np.allclose(grad, cross_entropy_grad(logits, target, **options), rtol=1e-14, atol=1e-16)
    assert np.ndim(loss) == 0 and grad.shape == (3,)


@pytest.mark.parametrize(
    ("threads", "error", "message"),
    [(0, ValueError, "threads must be a positive integer, got 0"), (2.0, TypeError, "threads must be a positive integer, got float 2.0")],
    ids=["zero", "float"],
)
def test_threads_must_be_a_positive_integer(threads, error, message):
    with pytest.raises(error, match=f"^{__import__('re').escape(message)}$"):
        cross_entropy_value_and_grad(Z2, LABELS, threads=threads)
