"""Figures of the MLP backprop page (docs/mlp-backprop.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainrule import relu
from chainrule_site.figures import figure, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def relu_central_difference_data(h: float = 1e-3, n_points: int = 401) -> dict[str, np.ndarray]:
    r"""Central-difference estimates of ReLU' at points near the kink.

    Parameters
    ----------
    h : float, default 1e-3
        The finite-difference step.
    n_points : int, default 401 (odd, so that the kink itself is sampled)
        Number of offsets, evenly spaced in ``[-2h, 2h]``.

    Returns
    -------
    dict
        ``"offset_over_h"``: the offsets :math:`z/h`, shape (n_points,);
        ``"estimate"``: :math:`(\operatorname{ReLU}(z + h) - \operatorname{ReLU}(z - h)) / 2h`,
        which is 0 for :math:`z \le -h`, 1 for :math:`z \ge h`, and the ramp
        :math:`(1 + z/h)/2` in between (1/2 at the kink).
    """
    offset_over_h = np.linspace(-2.0, 2.0, n_points)
    z = offset_over_h * h
    estimate = (relu(z + h) - relu(z - h)) / (2 * h)
    return {"offset_over_h": offset_over_h, "estimate": estimate}


@figure("relu-kink-central-difference")
def relu_kink_central_difference() -> Figure:
    """Central difference of ReLU against the distance from the kink, in steps h."""
    import matplotlib.pyplot as plt

    data = relu_central_difference_data()
    fig, ax = plt.subplots(figsize=(6.4, 4), facecolor="white")
    ax.plot(data["offset_over_h"], data["estimate"], color="#3f51b5", lw=2, label=tr("central difference"))
    ax.axvspan(-1, 1, color="#ff9800", alpha=0.15, label=tr("stencil straddles the kink"))
    ax.plot([0], [0.5], "o", color="#d32f2f", label=tr("at the kink: 1/2"))
    ax.axhline(0, color="grey", lw=0.8, ls=":")
    ax.axhline(1, color="grey", lw=0.8, ls=":")
    ax.set_xlabel(tr("distance of z from the kink, in units of the step h"), fontsize=11)
    ax.set_ylabel(tr("estimate of ReLU′(z)"), fontsize=11)
    ax.set_title(tr("Central differences near ReLU's kink"), fontsize=12)
    ax.set_ylim(-0.1, 1.1)
    ax.tick_params(labelsize=10)
    ax.legend(fontsize=10, loc="upper left")
    fig.tight_layout()
    return fig
