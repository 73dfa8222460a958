r"""Figures of the page "Softmax and cross-entropy" (docs/softmax-cross-entropy.md).

Each figure has a data function beside it; ``tests/test_figures_softmax.py``
and the page's own code blocks assert the property the figure shows, so the
picture cannot claim something the tests do not check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

import chainrule as cr
from chainrule_site.figures import figure, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The example logits of the heat map and the finite-difference study (C = 4).
EXAMPLE_LOGITS = np.array([1.5, -0.3, 0.8, -2.0])
#: The one-hot target of the finite-difference study: class 2.
EXAMPLE_TARGET = np.array([0.0, 0.0, 1.0, 0.0])
#: Errors that come out exactly 0 are drawn at this floor, so a log axis can show them.
ERROR_FLOOR = 1e-17


def jacobian_heatmap_data() -> dict[str, np.ndarray]:
    r"""The softmax Jacobian at :data:`EXAMPLE_LOGITS`.

    Returns
    -------
    dict with keys
        ``"z"`` : ndarray of shape (C,), the logits;
        ``"p"`` : ndarray of shape (C,), :math:`\operatorname{softmax}(z)`;
        ``"J"`` : ndarray of shape (C, C), :math:`J = \operatorname{diag}(p) - p p^\top`.
    """
    z = EXAMPLE_LOGITS.copy()
    return {"z": z, "p": cr.softmax(z), "J": cr.softmax_jacobian(z)}


@figure("softmax-jacobian-heatmap")
def jacobian_heatmap() -> Figure:
    """Heat map of the softmax Jacobian: positive diagonal, negative off-diagonal."""
    import matplotlib.pyplot as plt

    data = jacobian_heatmap_data()
    J, p = data["J"], data["p"]
    C = len(p)
    limit = float(np.max(np.abs(J)))
    fig, ax = plt.subplots(figsize=(6.4, 4.6), facecolor="white")
    image = ax.imshow(J, cmap="RdBu_r", vmin=-limit, vmax=limit)
    for i in range(C):
        for j in range(C):
            ax.text(j, i, f"{J[i, j]:+.3f}", ha="center", va="center", fontsize=11,
                    color="white" if abs(J[i, j]) > 0.6 * limit else "black")
    ticks = range(C)
    ax.set_xticks(ticks, [f"$z_{j + 1}$" for j in ticks], fontsize=11)
    ax.set_yticks(ticks, [f"$p_{i + 1}$" for i in ticks], fontsize=11)
    ax.set_xlabel(tr(r"column $j$: the logit that is nudged"), fontsize=11)
    ax.set_ylabel(tr(r"row $i$: the probability that responds"), fontsize=11)
    z_text = ", ".join(f"{v:g}" for v in data["z"])
    ax.set_title(tr(r"$J_{{ij}} = \partial p_i / \partial z_j$ at $z = ({z})$").format(z=z_text), fontsize=12)
    bar = fig.colorbar(image, ax=ax, shrink=0.85)
    bar.ax.tick_params(labelsize=10)
    fig.tight_layout()
    return fig


def fd_error_data(num: int = 49) -> dict[str, np.ndarray]:
    r"""Error of numerical cross-entropy gradients as a function of the step h.

    The loss is :math:`L(z) = -\sum_i y_i \log \operatorname{softmax}(z)_i` at
    :data:`EXAMPLE_LOGITS` and :data:`EXAMPLE_TARGET`; the exact gradient is
    :math:`p - y`. For each step both methods of :func:`chainrule.numerical_gradient`
    are run with that absolute step.

    Parameters
    ----------
    num : int, default 49
        Number of steps, log-spaced from :math:`10^{-13}` to :math:`10^{-1}`
        (49 gives four per decade).

    Returns
    -------
    dict with keys
        ``"h"`` : ndarray of shape (num,), the steps;
        ``"central"``, ``"complex"`` : ndarray of shape (num,), the relative error
        :math:`\max_k \lvert n_k - g_k\rvert / \max_k \lvert g_k\rvert` of each method,
        floored at :data:`ERROR_FLOOR` (exact zeros occur for the complex step).
    """
    z, y = EXAMPLE_LOGITS.copy(), EXAMPLE_TARGET.copy()
    exact = cr.softmax(z) - y
    scale = np.max(np.abs(exact))

    def loss(logits: np.ndarray) -> np.ndarray:
        return cr.cross_entropy(logits, y)

    steps = np.logspace(-13, -1, num)
    errors = {"central": np.empty(num), "complex": np.empty(num)}
    for index, h in enumerate(steps):
        for method, out in errors.items():
            numerical = cr.numerical_gradient(loss, z, method=method, h=float(h))
            out[index] = np.max(np.abs(numerical - exact)) / scale
    return {"h": steps, **{k: np.maximum(v, ERROR_FLOOR) for k, v in errors.items()}}


def loglog_slope(h: np.ndarray, error: np.ndarray) -> float:
    """Least-squares slope of log10(error) against log10(h): the order p in error ~ h^p."""
    return float(np.polyfit(np.log10(h), np.log10(error), 1)[0])
