r"""Figures of the page "Numerical derivatives and gradient checking" (docs/numerical-derivatives.md).

Both figures plot the relative error of a numerical derivative of
:math:`f(x) = e^x \sin x` against the step :math:`h`, as the median over
:data:`N_POINTS` points drawn from :data:`POINT_RANGE` (one point alone gives a
ragged curve: round-off is sometimes lucky).  The data functions compute the
page's formulas with NumPy, vectorised over the points; ``tests/test_figures_numerics.py``
checks that they agree with :func:`chainrule.numerical_gradient` and asserts
every property the figures show (slopes, best steps, floors).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from chainrule_site.figures import figure, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: How many points the median is taken over, and where they are drawn from.
N_POINTS = 64
POINT_RANGE = (0.5, 1.5)
#: Errors that come out exactly 0 (the complex step, often) are drawn at this floor.
ERROR_FLOOR = 1e-17
#: The four methods, in the order of the legend.
METHODS = ("forward", "central", "richardson", "complex")


def f(x: np.ndarray) -> np.ndarray:
    r"""The example function :math:`f(x) = e^x \sin x`, elementwise, in the dtype of `x`."""
    return np.exp(x) * np.sin(x)


def f_prime(x: np.ndarray) -> np.ndarray:
    r"""Its derivative :math:`f'(x) = e^x(\sin x + \cos x)`."""
    return np.exp(x) * (np.sin(x) + np.cos(x))


def points(dtype: type = np.float64) -> np.ndarray:
    """The :data:`N_POINTS` points, drawn once with a fixed seed, in `dtype`."""
    return np.random.default_rng(0).uniform(*POINT_RANGE, N_POINTS).astype(dtype)


def derivative(method: str, x: np.ndarray, h: float) -> np.ndarray:
    r"""The numerical derivative of :func:`f` at every point of `x` with step `h`.

    Parameters
    ----------
    method : {"forward", "central", "richardson", "complex"}
    x : ndarray of shape (n,), float64 or float32
        The points; the arithmetic is done in their dtype (complex64 for
        float32 points and the complex step).
    h : float
        The step. As in :func:`chainrule.numerical_gradient`, finite
        differences divide by the representable step, ``(x + h) - (x - h)``.

    Returns
    -------
    ndarray of shape (n,), the dtype of `x`
    """
    step = x.dtype.type(h)
    if method == "forward":
        ahead = x + step
        return (f(ahead) - f(x)) / (ahead - x)
    if method == "central":
        ahead, behind = x + step, x - step
        return (f(ahead) - f(behind)) / (ahead - behind)
    if method == "richardson":  # cancels the h^2 term of the central difference
        return (4 * derivative("central", x, h / 2) - derivative("central", x, h)) / 3
    if method == "complex":
        complex_dtype = np.result_type(x.dtype, np.complex64)
        return (f(x.astype(complex_dtype) + complex_dtype.type(1j) * step).imag / step).astype(x.dtype)
    raise ValueError(f"method is {method!r}, expected one of {METHODS}")


def median_relative_error(method: str, h: float, dtype: type = np.float64) -> float:
    """Median over the points of |numerical - f'| / |f'|, with f' in float64."""
    x = points(dtype)
    exact = f_prime(x.astype(np.float64))
    numerical = derivative(method, x, h).astype(np.float64)
    return float(np.median(np.abs(numerical - exact) / np.abs(exact)))


def step_error_data(num: int = 49) -> dict[str, np.ndarray]:
    r"""Relative error of the four methods in float64, for steps from :math:`10^{-13}` to :math:`10^{-1}`.

    Parameters
    ----------
    num : int, default 49
        Number of steps, log-spaced (49 gives four per decade).

    Returns
    -------
    dict with keys
        ``"h"`` : ndarray of shape (num,), the steps;
        one key per method of :data:`METHODS` : ndarray of shape (num,), the
        median relative error, floored at :data:`ERROR_FLOOR`.
    """
    steps = np.logspace(-13, -1, num)
    data = {"h": steps}
    for method in METHODS:
        errors = np.array([median_relative_error(method, float(h)) for h in steps])
        data[method] = np.maximum(errors, ERROR_FLOOR)
    return data


def precision_data() -> dict[str, np.ndarray]:
    r"""Relative error of central differences in float64 and in float32.

    float64 steps run from :math:`10^{-9}` to :math:`10^{-1}`; float32 steps start at
    :math:`10^{-6}`, since below about :math:`\epsilon_{32} \approx 1.2 \cdot 10^{-7}`
    the step no longer changes :math:`x` (four steps per decade in both).

    Returns
    -------
    dict with keys ``"h64"``, ``"float64"`` (ndarrays of shape (33,)) and
    ``"h32"``, ``"float32"`` (shape (21,)).
    """
    h64, h32 = np.logspace(-9, -1, 33), np.logspace(-6, -1, 21)
    return {
        "h64": h64,
        "float64": np.array([median_relative_error("central", float(h), np.float64) for h in h64]),
        "h32": h32,
        "float32": np.array([median_relative_error("central", float(h), np.float32) for h in h32]),
    }


def loglog_slope(h: np.ndarray, error: np.ndarray) -> float:
    """Least-squares slope of log10(error) against log10(h): the order p in error ~ h^p."""
    return float(np.polyfit(np.log10(h), np.log10(error), 1)[0])


_STYLE = {
    "forward": {"color": "#6d4c41", "marker": "^", "label": "forward difference"},
    "central": {"color": "#3949ab", "marker": "o", "label": "central difference"},
    "richardson": {"color": "#2e7d32", "marker": "D", "label": "Richardson"},
    "complex": {"color": "#e65100", "marker": "s", "label": "complex step"},
}


@figure("numerical-derivative-error")
def step_error_plot() -> Figure:
    """Log-log plot of error against step for the four methods: three Vs and a flat line."""
    import matplotlib.pyplot as plt

    data = step_error_data()
    h = data["h"]
    eps = float(np.finfo(np.float64).eps)
    fig, ax = plt.subplots(figsize=(6.4, 4.4), facecolor="white")
    # Where truncation dominates, the complex step and the central difference have the
    # same error h^2 |f'''| / 6: draw the complex step as a wide pale band underneath.
    complex_style = _STYLE["complex"]
    ax.loglog(h, data["complex"], "-", color=complex_style["color"], lw=6, alpha=0.35, solid_capstyle="round")
    ax.loglog(h, data["complex"], complex_style["marker"], color=complex_style["color"], ms=4, mfc="white",
              mew=1.3, label=tr(complex_style["label"]))
    for method in ("forward", "richardson", "central"):
        style = _STYLE[method]
        ax.loglog(h, data[method], "-", marker=style["marker"], color=style["color"], ms=3.5, lw=1.3,
                  label=tr(style["label"]))
    ax.loglog(h, eps / h, "--", color="gray", lw=1.2, label=tr(r"round-off $\epsilon_{\mathrm{mach}} / h$"))
    ax.set_ylim(ERROR_FLOOR / 3, 1.0)
    ax.set_xlabel(tr("step $h$"), fontsize=11)
    ax.set_ylabel(tr("relative error of $f'$ (median)"), fontsize=11)
    ax.set_title(tr(r"Derivative of $e^x \sin x$: error against step"), fontsize=12)
    ax.text(1e-11, 1e-13, tr("left: round-off, slope $-1$\nright: truncation, slope\n1 (forward), 2 (central and\ncomplex), 4 (Richardson)"),
            fontsize=9, ha="center", va="center", bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5})
    ax.tick_params(labelsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9, loc="upper center", framealpha=0.95)
    fig.tight_layout()
    return fig


@figure("central-difference-precision")
def precision_plot() -> Figure:
    """Central differences in float64 and float32: the same V, float32's bottom six decades higher."""
    import matplotlib.pyplot as plt

    data = precision_data()
    fig, ax = plt.subplots(figsize=(6.4, 4.0), facecolor="white")
    ax.loglog(data["h64"], data["float64"], "o-", color="#3949ab", ms=3.5, lw=1.3, label="float64")
    ax.loglog(data["h32"], data["float32"], "v-", color="#c62828", ms=3.5, lw=1.3, label="float32")
    for dtype, color in ((np.float64, "#3949ab"), (np.float32, "#c62828")):
        eps = float(np.finfo(dtype).eps)
        ax.axhline(eps ** (2 / 3), color=color, ls=":", lw=1.1)
    ax.set_xlabel(tr("step $h$"), fontsize=11)
    ax.set_ylabel(tr("relative error of $f'$ (median)"), fontsize=11)
    ax.set_title(tr(r"Central differences: float64 against float32"), fontsize=12)
    ax.text(2e-9, 2.4e-5 * 2.2, r"float32 $\epsilon_{\mathrm{mach}}^{2/3}$", color="#c62828", fontsize=9.5)
    ax.text(2e-9, 3.7e-11 * 2.2, r"float64 $\epsilon_{\mathrm{mach}}^{2/3}$", color="#3949ab", fontsize=9.5)
    ax.tick_params(labelsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=9.5, loc="upper right", framealpha=0.95)
    fig.tight_layout()
    return fig
