"""Figures drawn by code at build time.

A figure is a function that returns a :class:`matplotlib.figure.Figure`,
registered with :func:`figure`.  The MkDocs hook renders each one to
``figures/<name>.svg``; a page shows it with ``![alt text](figures/<name>.svg)`` (from a page in docs/).
The data a figure plots comes from functions the page's own code blocks (or the
tests) assert on, so a plot cannot show something the tests do not check.
"""

from __future__ import annotations

import importlib
import inspect
import io
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from chainrule_site import cache
from chainrule_site.paths import RESULTS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

FIGURES: dict[str, Callable[[], "Figure"]] = {}
#: The language figures are being drawn in (set by :func:`render_all`).
_language = "en"


def tr(english: str) -> str:
    """A figure's text in the language being drawn: ``english`` itself, or its entry in :mod:`.es`.

    Every title, axis label, legend entry and annotation of a figure goes through
    this function, so the Spanish pages show Spanish figures.

    Raises
    ------
    KeyError
        If the text has no Spanish translation (the Spanish build fails, naming it).
    """
    if _language == "en":
        return english
    from chainrule_site.figures.es import SPANISH

    try:
        return SPANISH[english]
    except KeyError:
        raise KeyError(f"figure text {english!r} has no Spanish translation in chainrule_site/figures/es.py") from None


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


def render_all(language: str = "en") -> dict[str, str]:
    """Every registered figure as SVG text in ``language`` (``"en"`` or ``"es"``), keyed by name.

    A figure is drawn only when what draws it changed: it is cached under
    ``.cache/figures/`` by the language (and the Spanish texts), the source of
    the module that draws it and of this registry, the files of the ``chainrule`` package,
    the results file of ``make bench`` (which some figures plot) and the
    matplotlib version.  Nothing is timed or measured while drawing: a figure
    that shows timings reads them from the results file.
    """
    from importlib.metadata import version

    global _language
    if language not in ("en", "es"):
        raise ValueError(f"language must be 'en' or 'es', got {language!r}")
    catalogue = Path(__file__).with_name("es.py")
    shared = (language, catalogue.read_bytes() if language == "es" else b"", Path(__file__).read_bytes(), cache.package_digest(),
              RESULTS.read_bytes() if RESULTS.is_file() else b"", version("matplotlib"))
    rendered, todo = {}, {}
    for name, make in sorted(load_all().items()):
        module = Path(inspect.getsourcefile(make) or "")
        entry = cache.path("figures", f"{name}-{language}-{cache.key(name, module.read_bytes(), *shared)}.svg")
        if entry.is_file():
            rendered[name] = entry.read_text(encoding="utf-8")
        else:
            todo[name] = (make, entry)
    if todo:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        plt.rcParams.update({"svg.hashsalt": "chainrule", "svg.fonttype": "path"})
        for name, (make, entry) in todo.items():
            _language = language
            try:
                fig = make()
            finally:
                _language = "en"
            buffer = io.StringIO()
            fig.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
            plt.close(fig)
            rendered[name] = buffer.getvalue()
            for stale in entry.parent.glob(f"{name}-{language}-{'?' * 24}.svg"):
                stale.unlink(missing_ok=True)
            cache.write_atomically(entry, rendered[name])
    return rendered
