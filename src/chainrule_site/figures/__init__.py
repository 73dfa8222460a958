"""Figures drawn by code at build time.

A figure is a function that returns a :class:`matplotlib.figure.Figure`,
registered with :func:`figure`.  The MkDocs hook renders each one to
``figures/<name>.svg``; a page shows it with ``![alt text](figures/<name>.svg)`` (from a page in docs/).
The data a figure plots comes from functions the page's own code blocks (or the
tests) assert on, so a plot cannot show something the tests do not check.
"""

from __future__ import annotations

import importlib
import io
import pkgutil
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURES: dict[str, Callable[[], "Figure"]] = {}


def figure(name: str) -> Callable[[Callable[[], "Figure"]], Callable[[], "Figure"]]:
    """Register a figure function under ``name`` (served as ``figures/<name>.svg``)."""

    def register(make: Callable[[], "Figure"]) -> Callable[[], "Figure"]:
        if name in FIGURES:
            raise ValueError(f"figure name {name!r} is registered twice")
        FIGURES[name] = make
        return make

    return register


def load_all() -> dict[str, Callable[[], "Figure"]]:
    """Import every module of this package so that its figures register."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
    return FIGURES


def render_all() -> dict[str, str]:
    """Render every registered figure to SVG text, keyed by name."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "chainrule", "svg.fonttype": "path"})
    rendered = {}
    for name, make in sorted(load_all().items()):
        fig = make()
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
        plt.close(fig)
        rendered[name] = buffer.getvalue()
    return rendered
