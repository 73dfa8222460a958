"""Figures of the Performance page, drawn from the committed ``docs/performance/results.json``.

Nothing is timed here: ``make bench`` (:mod:`chainrule_site.bench`) measures and writes
the results file; these functions only read it, so the site builds in seconds and
shows the numbers that the page's own blocks assert on.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from chainrule_site.figures import figure, tr

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["RESULTS", "framework_table", "load_results"]

RESULTS = Path(__file__).resolve().parents[3] / "docs" / "performance" / "results.json"

#: contender key in results.json -> (label on the plots, in English: tr() translates it when drawn, colour)
CONTENDERS = {
    "chainrule_fused": ("chainrule fused", "#2c5aa0"),
    "chainrule_fused_1thread": ("fused, 1 thread", "#7a9cc6"),
    "torch": ("PyTorch CPU", "#c0392b"),
    "jax_jit": ("JAX jit CPU", "#8e44ad"),
    "chainrule_reference": ("chainrule unfused", "#7f8c8d"),
    "numpy_exp": ("exps alone, in cache", "#b8b8b8"),
}


@cache
def load_results(path: Path = RESULTS) -> dict:
    """The benchmark results (see :mod:`chainrule_site.bench` for the keys)."""
    return json.loads(Path(path).read_text())


def framework_table(results: dict | None = None) -> dict[str, dict[str, float]]:
    """Median wall-clock milliseconds per dtype and contender: ``{"float32": {"torch": 123.4, ...}}``."""
    results = load_results() if results is None else results
    return {
        dtype: {name: 1e3 * entry["times"][name]["wall_s"] for name in CONTENDERS if name in entry["times"]}
        for dtype, entry in results["frameworks"]["dtypes"].items()
    }


def _style(ax) -> None:
    ax.tick_params(labelsize=10)
    ax.grid(True, which="major", alpha=0.3)


@figure("performance-frameworks")
def performance_frameworks() -> Figure:
    """Horizontal bars: median ms of each contender, one panel per dtype (linear axis: lengths are ratios)."""
    import matplotlib.pyplot as plt

    table = framework_table()
    n_rows, n_classes = load_results()["frameworks"]["shape"]
    fig, axes = plt.subplots(1, len(table), figsize=(7.2, 3.6), facecolor="white", constrained_layout=True, sharey=True)
    for ax, (dtype, times) in zip(axes, table.items()):
        names = list(times)[::-1]
        ax.barh(
            [tr(CONTENDERS[name][0]) for name in names],
            [times[name] for name in names],
            color=[CONTENDERS[name][1] for name in names],
        )
        for y, name in enumerate(names):
            ax.text(times[name], y, f" {times[name]:.0f}", va="center", fontsize=9)
        ax.set_xlim(0, max(times.values()) * 1.3)
        ax.set_title(f"{dtype}, N = {n_rows}, C = {n_classes}", fontsize=11)
        ax.set_xlabel(tr("loss + gradient, ms (median)"), fontsize=11)
        _style(ax)
        ax.grid(False, axis="y")
    return fig


@figure("performance-jacobian-vs-fused")
def performance_jacobian_vs_fused() -> Figure:
    """Log-log: time (left) and peak memory (right) of the explicit-Jacobian and fused gradients against C."""
    import matplotlib.pyplot as plt

    data = load_results()["jacobian_vs_fused"]
    classes = data["classes"]
    fig, (ax_time, ax_memory) = plt.subplots(1, 2, figsize=(7.2, 3.6), facecolor="white", constrained_layout=True)
    routes = {"jacobian": ("#c0392b", "s", "explicit Jacobian, O(C²)"), "fused": ("#2c5aa0", "o", "fused, O(C)")}
    for route, (colour, marker, label) in routes.items():
        ax_time.loglog(classes, [1e3 * t for t in data[f"{route}_s"]], marker=marker, color=colour, label=tr(label))
        ax_memory.loglog(classes, [b / 2**20 for b in data[f"{route}_peak_bytes"]], marker=marker, color=colour, label=tr(label))
    ax_time.set_ylabel(tr("milliseconds (median)"), fontsize=11)
    ax_memory.set_ylabel(tr("peak extra memory, MiB"), fontsize=11)
    for ax in (ax_time, ax_memory):
        ax.set_xlabel(tr("classes C ({rows} rows, {dtype})").format(rows=data["rows"], dtype=data["dtype"]), fontsize=11)
        _style(ax)
    ax_time.legend(fontsize=9, loc="upper left")
    return fig


@figure("performance-modes")
def performance_modes() -> Figure:
    """Log-log: measured time of forward- and reverse-mode gradients against the number of inputs n."""
    import matplotlib.pyplot as plt

    data = load_results()["modes"]
    widths = data["widths"]
    fig, ax = plt.subplots(figsize=(6.4, 3.8), facecolor="white", constrained_layout=True)
    ax.loglog(widths, [1e3 * t for t in data["forward_seconds"]], marker="s", color="#c0392b", label=tr("forward mode (n JVPs)"))
    ax.loglog(widths, [1e3 * t for t in data["reverse_seconds"]], marker="o", color="#2c5aa0", label=tr("reverse mode (1 VJP sweep)"))
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.minorticks_off()
    ax.set_xlabel(tr("inputs n (K = {depth} tanh layers of width n)").format(depth=data["depth"]), fontsize=11)
    ax.set_ylabel(tr("gradient, ms (median)"), fontsize=11)
    _style(ax)
    ax.legend(fontsize=10, loc="upper left")
    return fig


@figure("performance-backward-forward")
def performance_backward_forward() -> Figure:
    """Bars: the gradient's extra time as a multiple of the loss's time, per library."""
    import matplotlib.pyplot as plt

    ratios = load_results()["backward_forward"]["backward_over_forward"]
    labels = {"chainrule": ("chainrule fused", "#2c5aa0"), "torch": ("PyTorch", "#c0392b"), "jax": ("JAX jit", "#8e44ad")}
    names = [name for name in labels if name in ratios]
    fig, ax = plt.subplots(figsize=(6.4, 2.8), facecolor="white", constrained_layout=True)
    ax.barh([tr(labels[n][0]) for n in names][::-1], [ratios[n] for n in names][::-1], color=[labels[n][1] for n in names][::-1])
    for y, name in enumerate(names[::-1]):
        ax.text(ratios[name], y, f" {ratios[name]:.2f}", va="center", fontsize=10)
    ax.axvline(1.0, color="black", linewidth=0.8, linestyle="--")
    ax.set_xlim(0, max(ratios.values()) * 1.2)
    ax.set_xlabel(tr("(loss + gradient − loss) / loss"), fontsize=11)
    _style(ax)
    ax.grid(False, axis="y")
    return fig
