r"""Forward-mode versus reverse-mode differentiation of a scalar loss (chain-rule page).

The model is a chain of :math:`K` dense tanh layers of width :math:`n` followed by a
sum-of-squares loss,

.. math::

    a_0 = x,\qquad a_t = \tanh(W_t a_{t-1} + b_t)\ (t = 1, \dots, K),\qquad L = \lVert a_K\rVert^2 ,

with :math:`W_t \in \mathbb R^{n\times n}`. Both modes compute :math:`\nabla_x L`:

* **forward mode** carries the :math:`n\times n` tangent matrix :math:`T_t = \partial a_t/\partial x`
  from the input to the output (one matrix-matrix product per layer), then
  multiplies by the loss's :math:`1\times n` Jacobian :math:`2a_K^\top`;
* **reverse mode** carries the single vector :math:`\delta_t = \nabla_{a_t} L` from the
  loss back to the input (one matrix-vector product per layer).

Each mode also returns the floating-point operations it spent on derivatives,
counted from the shapes of the arrays it multiplied (a product of a
:math:`p\times q` and a :math:`q\times r` matrix costs :math:`2pqr`; an elementwise
product costs one per entry). The primal pass (the values :math:`a_t` and
:math:`1 - a_t^2`), identical in both modes, is not counted. Closed forms:

.. math::

    F(n, K) = n(2n+1)(Kn+1), \qquad R(n, K) = n\bigl(K(2n+1)+1\bigr),
    \qquad \frac{F}{R} = n + \frac{n+1}{K(2n+1)+1} \in \bigl(n, n + \tfrac12\bigr].

:func:`modes_cost_data` tabulates both counts and measured wall-clock times as
the width grows; ``tests/test_figures_modes.py`` asserts what the plot shows.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from typing import TYPE_CHECKING

import numpy as np

from chainrule_site.figures import figure, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "DEPTH",
    "WIDTHS",
    "dense_chain",
    "derivative_flops",
    "forward_mode_gradient",
    "modes_cost_data",
    "recorded_modes_data",
    "reverse_mode_gradient",
    "sum_of_squares_loss",
]

WIDTHS: tuple[int, ...] = (16, 32, 64, 128, 256, 512)
DEPTH = 4


def dense_chain(n: int, depth: int = DEPTH, seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    r"""Random weights, biases and an input for a chain of `depth` tanh layers of width `n`.

    Returns
    -------
    weights : list of `depth` ndarrays of shape (n, n)
        Entries :math:`\mathcal N(0, 1/n)`, so pre-activations stay of order 1 and
        tanh is neither saturated nor linear.
    biases : list of `depth` ndarrays of shape (n,)
    x : ndarray of shape (n,)
    """
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal((n, n)) / np.sqrt(n) for _ in range(depth)]
    biases = [0.1 * rng.standard_normal(n) for _ in range(depth)]
    return weights, biases, rng.standard_normal(n)


def sum_of_squares_loss(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray) -> np.ndarray:
    r""":math:`L = \lVert a_K\rVert^2` for the chain; complex-step safe (a scalar, complex for complex `x`)."""
    a = x
    for W, b in zip(weights, biases):
        a = np.tanh(W @ a + b)
    return np.sum(a * a)


def _primal(weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray) -> list[np.ndarray]:
    """Activations a_0 = x, a_1, ..., a_K of the chain."""
    activations = [x]
    for W, b in zip(weights, biases):
        activations.append(np.tanh(W @ activations[-1] + b))
    return activations


def _matmul_flops(left_shape: tuple[int, ...], right_shape: tuple[int, ...]) -> int:
    """2pqr for a (p, q) @ (q, r) product; a vector counts as one column (or one row on the left)."""
    p = left_shape[0] if len(left_shape) == 2 else 1
    q = left_shape[-1]
    r = right_shape[1] if len(right_shape) == 2 else 1
    return 2 * p * q * r


def forward_mode_gradient(
    weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray
) -> tuple[np.ndarray, int]:
    r""":math:`\nabla_x L` by accumulating the Jacobian from the input side.

    Returns
    -------
    grad : ndarray of shape (n,)
    flops : int
        Derivative work: per layer :math:`W_t T` (:math:`2n^3`) and the row scaling by
        :math:`1 - a_t^2` (:math:`n^2`); at the end :math:`2a_K` (:math:`n`) and
        :math:`(2a_K)^\top T_K` (:math:`2n^2`).
    """
    tangent = np.eye(x.shape[0])  # T_0 = da_0/dx = I, shape (n, n)
    a, flops = x, 0
    for W, b in zip(weights, biases):
        a = np.tanh(W @ a + b)
        flops += _matmul_flops(W.shape, tangent.shape)
        tangent = W @ tangent  # (n, n) @ (n, n): n JVPs at once
        flops += tangent.size
        tangent = (1.0 - a * a)[:, None] * tangent  # diag(tanh') T
    upstream = 2.0 * a  # dL/da_K, the loss's Jacobian as a column
    flops += upstream.size
    flops += _matmul_flops(upstream.shape[::-1], tangent.shape)
    return upstream @ tangent, flops  # (1, n) @ (n, n)


def reverse_mode_gradient(
    weights: list[np.ndarray], biases: list[np.ndarray], x: np.ndarray
) -> tuple[np.ndarray, int]:
    r""":math:`\nabla_x L` by one backward sweep of vector-Jacobian products.

    Returns
    -------
    grad : ndarray of shape (n,)
    flops : int
        Derivative work: :math:`2a_K` (:math:`n`), then per layer the scaling by
        :math:`1 - a_t^2` (:math:`n`) and :math:`W_t^\top \delta` (:math:`2n^2`).
    """
    activations = _primal(weights, biases, x)
    delta = 2.0 * activations[-1]  # dL/dL = 1 times J_loss^T = 2 a_K
    flops = delta.size
    for W, a in zip(reversed(weights), reversed(activations[1:])):
        delta = (1.0 - a * a) * delta  # through tanh: diagonal Jacobian
        flops += delta.size
        flops += _matmul_flops(W.T.shape, delta.shape)
        delta = W.T @ delta  # through W a + b: J^T = W^T
    return delta, flops


def derivative_flops(n: int, depth: int = DEPTH) -> tuple[int, int]:
    """Closed forms (forward, reverse) of the flop counts the two mode functions return."""
    return n * (2 * n + 1) * (depth * n + 1), n * (depth * (2 * n + 1) + 1)


def _timed(run, repeats: int, budget: float) -> tuple[float, object]:
    """Median seconds of 3 to `repeats` calls of `run` (no more once `budget` s are spent), and its result."""
    times, result = [], None
    while len(times) < 3 or (len(times) < repeats and sum(times) < budget):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def _one_blas_thread():
    """Pin BLAS to one thread while timing (if threadpoolctl is available), so times measure flops, not thread wake-ups."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # timing then uses NumPy's default BLAS threads; only the times change
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _measure(n: int, depth: int, repeats: int, budget: float) -> tuple[int, int, float, float, float]:
    """One row of :func:`modes_cost_data`: flops, median seconds and the gradients' difference at width n."""
    weights, biases, x = dense_chain(n, depth)
    seconds_forward, (grad_forward, flops_forward) = _timed(
        lambda: forward_mode_gradient(weights, biases, x), repeats, budget
    )
    seconds_reverse, (grad_reverse, flops_reverse) = _timed(
        lambda: reverse_mode_gradient(weights, biases, x), repeats, budget
    )
    difference = float(np.max(np.abs(grad_forward - grad_reverse)) / np.max(np.abs(grad_reverse)))
    return flops_forward, flops_reverse, seconds_forward, seconds_reverse, difference


def modes_cost_data(
    widths: tuple[int, ...] = WIDTHS, depth: int = DEPTH, repeats: int = 5, budget: float = 0.1
) -> dict:
    """Flop counts, measured times and gradients of both modes for each width.

    Each gradient computation is timed with :func:`time.perf_counter` at least 3 and
    at most `repeats` times, stopping after 3 once `budget` seconds are spent on it,
    so the whole table (widths 16 to 512, K = 4) takes about a second on one core.

    Returns
    -------
    dict with keys
        ``widths`` (ndarray of int), ``depth`` (int),
        ``forward_flops``, ``reverse_flops`` (ndarray of int, from the shapes),
        ``forward_seconds``, ``reverse_seconds`` (ndarray of float, median time of the
        whole gradient computation, primal pass included),
        ``max_rel_difference`` (ndarray: max |forward - reverse| / max |reverse| per width).
    """
    with _one_blas_thread():
        rows = [_measure(n, depth, repeats, budget) for n in widths]
    columns = list(zip(*rows))
    return {
        "widths": np.array(widths),
        "depth": depth,
        "forward_flops": np.array(columns[0], dtype=np.int64),
        "reverse_flops": np.array(columns[1], dtype=np.int64),
        "forward_seconds": np.array(columns[2]),
        "reverse_seconds": np.array(columns[3]),
        "max_rel_difference": np.array(columns[4]),
    }


def recorded_modes_data() -> dict:
    """What the figure plots: :func:`modes_cost_data` as ``make bench`` recorded it (nothing is timed here).

    Returns
    -------
    dict
        The keys of :func:`modes_cost_data`, read from ``docs/performance/results.json``;
        integer and float columns as ndarrays.

    Raises
    ------
    FileNotFoundError
        If the results file has no ``modes`` entry (run ``make bench``).
    """
    import json

    from chainrule_site.paths import RESULTS

    recorded = json.loads(RESULTS.read_text()).get("modes") if RESULTS.is_file() else None
    if recorded is None:
        raise FileNotFoundError(f"{RESULTS} has no 'modes' entry: run `make bench` to measure both modes")
    data = {k: np.asarray(v) if isinstance(v, list) else v for k, v in recorded.items()}
    for column in ("widths", "forward_flops", "reverse_flops"):
        data[column] = data[column].astype(np.int64)
    return data


@figure("forward-vs-reverse-mode")
def forward_vs_reverse_mode() -> Figure:
    """Log-log plots of flops (top) and measured time (bottom) of both modes against the width n."""
    import matplotlib.pyplot as plt

    data = recorded_modes_data()
    n = data["widths"]
    # stacked, not side by side: a narrow figure keeps its labels readable on a phone
    fig, (ax_flops, ax_time) = plt.subplots(2, 1, figsize=(4.8, 6.4), facecolor="white", constrained_layout=True)
    styles = {"forward": ("#c0392b", "s", "forward mode (n JVPs)"), "reverse": ("#2c5aa0", "o", "reverse mode (1 sweep)")}
    for mode, (colour, marker, label) in styles.items():
        ax_flops.loglog(n, data[f"{mode}_flops"], marker=marker, color=colour, label=tr(label))
        ax_time.loglog(n, data[f"{mode}_seconds"] * 1e3, marker=marker, color=colour, label=tr(label))
    ax_flops.set_title(tr("derivative flops (from shapes)"), fontsize=11)
    ax_time.set_title(tr("measured time (median)"), fontsize=11)
    ax_flops.set_ylabel(tr("flops"), fontsize=11)
    ax_time.set_ylabel(tr("milliseconds"), fontsize=11)
    for ax in (ax_flops, ax_time):
        ax.set_xlabel(tr("width n (K = {depth} tanh layers)").format(depth=data["depth"]), fontsize=11)
        ax.set_xticks(n, [str(w) for w in n])
        ax.minorticks_off()
        ax.tick_params(labelsize=10)
        ax.grid(True, which="major", alpha=0.3)
    ax_flops.legend(fontsize=10, loc="upper left")
    return fig
