r"""Cross-entropy and its gradient in one fused, cache-blocked pass.

``cross_entropy`` followed by
``cross_entropy_grad`` is the clearest way to write the
loss and its derivative, and the slowest: each builds its own softmax, and
together they make about ten passes over ``(N, C)`` arrays, allocating a
fresh logits-sized temporary for most of them. Both need the same three
things per row, the row maximum \(z_{\max}\), the shifted logits
\(u = z - z_{\max}\mathbf 1\) and the normaliser \(S = \sum_j e^{u_j}\), so
``cross_entropy_value_and_grad`` computes them once and writes the
gradient straight into its output:

1. **one output, no other large temporaries**: \(u\), then \(e^u\),
   then the gradient are written, in place (``out=``), into the gradient
   array itself, so the peak extra memory is that one logits-sized array
   (plus row vectors, NumPy's 64 KiB ufunc buffer per thread, and for
   probability targets one block-sized scratch per thread);
2. **one ``exp`` pass**: the loss needs only \(\log S\) and \(u_c\) at the
   label \(c\), both read before and after the same ``exp``;
3. **blocked over rows**: a block of rows of about 512 KiB is finished
   (max, subtract, exp, sum, scale) while it sits in cache, so the
   logits are read from main memory once and the gradient written once;
4. **all cores**: threads take row blocks from one shared queue; NumPy's
   ufuncs release the GIL while they run, so the threads really run in parallel
   (on a machine whose cores are already busy they gain nothing; the page shows it).

The values are those of ``cross_entropy`` and
``cross_entropy_grad`` (same validation, same
semantics, same non-finite results): any row whose fused loss is not finite
(a \(\pm\infty\) or NaN logit, or a float32 shift that overflows) is
recomputed by the reference formulas. Complex logits (the complex step) go
through the same fused code: the shift is taken from the real part, as in
``chainrule.softmax``, so the imaginary part passes through untouched.

Measured on the site page *Performance* (``docs/performance.md``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from numpy.typing import ArrayLike

from chainrule._validation import check_cross_entropy_args, check_positive_int
from chainrule.losses import Reduction, batch_size, cross_entropy, smoothed_targets
from chainrule.softmax import log_softmax_vjp

__all__ = ["cross_entropy_value_and_grad"]

# A block of rows is about this many bytes of logits. Smaller blocks fit the L2 cache
# (512 KiB a core on the benchmark machine) but pay NumPy's per-call overhead (for each
# of the ~6 ufunc calls a block makes) more often: 512 KiB blocks measured faster than
# 128 KiB ones and no slower than 1 MiB ones. At C = 32000 float32 that is 4 rows.
_BLOCK_BYTES = 512 * 1024
# Below this many logits (256 KiB of float32) one thread does all: the work is too
# small to pay for handing blocks to another thread.
_MIN_THREADED_SIZE = 1 << 16

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _forget_pool_in_forked_child() -> None:
    """A child made by ``os.fork`` inherits the pool but none of its threads: start afresh.

    Without this, a forked child (``multiprocessing`` with the fork start method, a
    data loader's workers) would queue its blocks on a pool whose threads do not
    exist in it and wait for them forever.
    """
    global _pool, _pool_lock
    _pool, _pool_lock = None, threading.Lock()


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forget_pool_in_forked_child)


def _n_threads() -> int:
    """The CPUs this process may run on (``os.sched_getaffinity`` where it exists)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def thread_pool(workers: int) -> ThreadPoolExecutor:
    """The process-wide pool, created on first use, that runs the rows after the caller's own share.

    The pool is replaced by a larger one when more workers are asked for and is
    otherwise reused; its threads are named ``chainrule-fused_<n>``, so a profiler
    shows whose they are. A child made by ``os.fork`` starts a pool of its own.
    Not in ``__all__``: the machinery of ``cross_entropy_value_and_grad``.

    Examples
    --------
    ```python
    from chainrule.fused import thread_pool

    pool = thread_pool(2)
    assert thread_pool(1) is pool  # reused while it is large enough
    ```
    """
    global _pool
    with _pool_lock:
        if _pool is None or _pool._max_workers < workers:
            _pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chainrule-fused")
        return _pool


def _fused_rows(
    logits: np.ndarray,
    target: np.ndarray,
    is_index: bool,
    smoothing: float,
    scale: float,
    grad: np.ndarray,
    losses: np.ndarray,
    blocks: Iterator[int],
    block: int,
) -> None:
    r"""Fill ``grad`` and ``losses`` for each block of rows, starting at the rows that `blocks` yields.

    Threads share one `blocks` iterator, so a thread the OS schedules more
    often simply takes more blocks (on a loaded machine a fixed half-and-half
    split waits for the slower thread).

    Per row, with \(u = z - z_{\max}\mathbf 1\), \(S = \sum_j e^{u_j}\), the
    smoothed target \(y_\alpha\), its total \(\tau = \mathbf 1^\top y_\alpha\)
    and \(\lambda\) = `scale`:
    \(\ell = \tau \log S - y_\alpha^\top u\) and
    \(\partial L/\partial z = \lambda\,(\tau\, e^{u}/S - y_\alpha)\).
    """
    n_classes = logits.shape[1]
    keep = 1.0 - smoothing
    spread = smoothing / n_classes
    scratch = None  # block-sized, for the probability targets' y_alpha only
    # errstate is per thread: rows with inf - inf shifts are NaN, recomputed by the caller.
    with np.errstate(invalid="ignore", over="ignore"):
        for start in blocks:
            stop = min(start + block, logits.shape[0])
            z, out = logits[start:stop], grad[start:stop]
            shift = np.max(z.real, axis=1, keepdims=True)
            np.subtract(z, shift, out=out)  # u = z - z_max, written into the gradient's rows
            if smoothing > 0:
                sum_s = np.sum(out, axis=1)
            if is_index:
                picked = np.arange(stop - start), target[start:stop]
                s_target = out[picked]
            else:
                y = target[start:stop]
                y_total = np.sum(y, axis=1)
                # y^T u without conjugation (the complex step stays analytic)
                y_dot_s = np.einsum("ij,ij->i", y, out)
            np.exp(out, out=out)  # the one exp pass
            total = np.sum(out, axis=1, keepdims=True)
            log_total = np.log(total[:, 0])
            if is_index:
                loss = log_total - s_target  # = -log p_k, as the reference computes it
                if smoothing > 0:
                    loss = keep * loss + spread * (n_classes * log_total - sum_s)
                np.multiply(out, scale / total, out=out)  # 1^T y_alpha = 1: scale * p
                out[picked] -= scale * keep
            else:
                weight = keep * y_total + smoothing  # 1^T y_alpha
                loss = weight * log_total - keep * y_dot_s
                if smoothing > 0:
                    loss -= spread * sum_s
                np.multiply(out, (scale * weight)[:, None] / total, out=out)
                if scratch is None:
                    scratch = np.empty((block, n_classes), dtype=y.dtype)
                y_scaled = np.multiply(y, scale * keep, out=scratch[: stop - start])
                np.subtract(out, y_scaled, out=out)
            if smoothing > 0:
                np.subtract(out, scale * spread, out=out)
            losses[start:stop] = loss


def cross_entropy_value_and_grad(
    logits: ArrayLike,
    target: ArrayLike,
    *,
    reduction: Reduction = "mean",
    label_smoothing: float = 0.0,
    threads: int | None = None,
) -> tuple[np.ndarray | np.inexact, np.ndarray]:
    r"""Cross-entropy and its gradient with respect to `logits`, fused: ``(loss, grad)``.

    Parameters
    ----------
    logits : array_like of shape (C,) or (N, C), float or complex
        Unnormalised scores \(z\); complex only for the complex step.
    target : array_like
        Class indices, integer, of shape () or (N,); or probabilities \(y\),
        floating-point, of the logits' shape. As for [`cross_entropy`][chainrule.losses.cross_entropy].
    reduction : {"mean", "sum", "none"}, default "mean"
    label_smoothing : float in [0, 1], default 0.0
    threads : int, optional
        The most threads to share the rows among; by default every CPU this
        process may run on. ``threads=1`` computes on the caller's thread only.
        The result does not depend on it.

    Returns
    -------
    loss : NumPy scalar, or ndarray of shape (N,) for reduction="none" with (N, C) logits
        ``cross_entropy(logits, target, reduction=..., label_smoothing=...)``.
    grad : ndarray of the shape and dtype of logits
        ``cross_entropy_grad(logits, target, reduction=..., label_smoothing=...)``.

    Raises
    ------
    TypeError, ValueError
        As for [`cross_entropy`][chainrule.losses.cross_entropy], with the same messages;
        and if `threads` is not a positive integer.

    Notes
    -----
    Per row, with \(z_{\max} = \max_j \operatorname{Re} z_j\),
    \(u = z - z_{\max}\mathbf 1\), \(S = \sum_j e^{u_j}\), the smoothed target
    \(y_\alpha = (1 - \alpha)\,y + \frac{\alpha}{C}\mathbf 1\) and its total
    \(\mathbf 1^\top y_\alpha\) (1 for class indices),

    $$
    \ell = (\mathbf 1^\top y_\alpha) \log S - \sum_j (y_\alpha)_j\, u_j , \qquad
    \nabla_z \ell = (\mathbf 1^\top y_\alpha)\,\frac{e^{u}}{S} - y_\alpha
    = (\mathbf 1^\top y_\alpha)\, p - y_\alpha ,
    $$

    which is \(-\sum_j (y_\alpha)_j \log p_j\) with \(\log p = u - \log S\)
    expanded, and the gradient of [`cross_entropy_grad`][chainrule.losses.cross_entropy_grad].
    For a class label \(c\) without smoothing the loss is \(\log S - u_c\).
    ``reduction="mean"`` multiplies the gradient by \(1/N\).

    Cost: one ``exp`` per logit and five cache-resident passes per block of
    rows; memory: the gradient plus small per-row arrays, where the two
    reference functions together hold six logits-sized arrays at their peak.
    Rows whose loss comes out non-finite are recomputed with the reference
    formulas, so non-finite logits give exactly the reference's results.

    Examples
    --------
    ```python
    import numpy as np
    from chainrule.fused import cross_entropy_value_and_grad
    from chainrule.losses import cross_entropy, cross_entropy_grad

    logits, labels = np.array([[2.0, 0.0, -1.0], [0.0, 3.0, -np.inf]]), np.array([0, 1])
    loss, grad = cross_entropy_value_and_grad(logits, labels)
    assert np.isclose(loss, cross_entropy(logits, labels))
    assert np.allclose(grad, cross_entropy_grad(logits, labels))
    ```
    """
    logits, target, is_index, reduction, smoothing = check_cross_entropy_args(
        logits, target, reduction, label_smoothing
    )
    threads = _n_threads() if threads is None else check_positive_int(threads, "threads")
    return _fused(logits, target, is_index, reduction, smoothing, threads)


def _fused(
    logits: np.ndarray,
    target: np.ndarray,
    is_index: bool,
    reduction: str,
    smoothing: float,
    threads: int,
) -> tuple[np.ndarray | np.inexact, np.ndarray]:
    """The fused computation on validated arguments, on up to `threads` threads.

    Whatever the number of threads, the result is the reference's (``tests/test_fused.py``
    checks every target kind, smoothing and reduction, on logits cut into several
    blocks shared among threads, with rows of non-finite logits among them).
    """
    one_row = logits.ndim == 1
    z = logits[None] if one_row else logits
    t = target[None] if one_row else target
    n_rows, n_classes = z.shape
    scale = 1.0 / max(batch_size(logits), 1) if reduction == "mean" else 1.0
    grad = np.empty(z.shape, dtype=z.dtype)
    losses = np.empty(n_rows, dtype=z.dtype)
    block = max(1, _BLOCK_BYTES // (n_classes * z.itemsize))

    # next() on a shared iterator is atomic under the GIL: each block goes to exactly one thread.
    blocks = iter(range(0, n_rows, block))
    threads = max(1, min(threads, -(-n_rows // block)))
    if threads == 1 or z.size < _MIN_THREADED_SIZE:
        _fused_rows(z, t, is_index, smoothing, scale, grad, losses, blocks, block)
    else:
        pool = thread_pool(threads - 1)
        others = [
            pool.submit(_fused_rows, z, t, is_index, smoothing, scale, grad, losses, blocks, block)
            for _ in range(threads - 1)
        ]
        _fused_rows(z, t, is_index, smoothing, scale, grad, losses, blocks, block)
        for job in others:
            job.result()

    bad = ~np.isfinite(losses)
    if np.any(bad):  # non-finite logits: the reference formulas give the documented values
        rows = np.flatnonzero(bad)
        losses[rows] = cross_entropy(
            z[rows], t[rows], reduction="none", label_smoothing=smoothing
        )
        smoothed = smoothed_targets(z[rows], t[rows], is_index, smoothing)
        grad[rows] = log_softmax_vjp(z[rows], -scale * smoothed)

    if one_row:
        grad = grad[0]
    with np.errstate(invalid="ignore"):
        if reduction == "none":
            return (losses[0] if one_row else losses), grad
        summed = np.sum(losses)
        if reduction == "sum":
            return summed, grad
        return summed / batch_size(logits), grad  # N = 0 gives 0/0 = nan, as the reference
