"""pytest plugin: nested fences for pytest-markdown-docs, and the equation checks of the pages.

Registered by the repository's root ``conftest.py``.  pytest-markdown-docs asks
the ``pytest_markdown_docs_markdown_it`` hook for its Markdown parser; we hand
it a CommonMark parser that first applies
:func:`chainrule_site.fences.expose_nested_blocks`, so a fence inside
``??? success "Solution"`` is collected and run like any other, at its true
line number.
"""

from __future__ import annotations

from typing import Any

import pytest
from markdown_it import MarkdownIt

from chainrule_site.fences import expose_nested_blocks
from chainrule_site.printed import pytest_markdown_docs_globals, pytest_runtest_call  # noqa: F401  (hooks: #> output)


class NestedBlockMarkdownIt(MarkdownIt):
    """A CommonMark parser that reads fences nested in admonitions and tabs."""

    def parse(self, src: str, env: Any = None) -> list[Any]:  # noqa: D102
        return super().parse(expose_nested_blocks(src), env)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    """Give pytest-markdown-docs the nested-block-aware parser."""
    return NestedBlockMarkdownIt(config="commonmark")


# -- equation checks: every display equation of a page is a test -----------------------

class EquationItem(pytest.Item):
    """The check written after one display equation (see :mod:`chainrule_site.equations`)."""

    def __init__(self, *, page: Any, equation: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.page, self.equation = page, equation

    def runtest(self) -> None:
        from chainrule_site.equations.check import check_equation

        failures = check_equation(self.page, self.equation)
        if failures:
            raise EquationMismatch("\n".join(failures))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:  # noqa: D102
        if isinstance(excinfo.value, EquationMismatch):
            return f"equation check failed ({self.equation.anchor}, check at line {self.equation.check_line}):\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Any, int, str]:  # noqa: D102
        return self.path, self.equation.line - 1, f"equation {self.equation.anchor}"


class EquationGuardItem(pytest.Item):
    """Fails when a display equation of the page is neither checked nor marked as a definition or notation."""

    def __init__(self, *, page: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.page = page

    def runtest(self) -> None:
        unmarked = [f"{eq.page}:{eq.line} ({eq.anchor}): {eq.latex.strip().splitlines()[0][:70]}"
                    for eq in self.page.equations if eq.kind is None]
        if unmarked:
            raise EquationMismatch(
                "display equations with neither a check (<!-- eq:check ... -->) nor a mark "
                "(<!-- eq:definition --> or <!-- eq:notation -->) right after them:\n" + "\n".join(unmarked))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:  # noqa: D102
        return str(excinfo.value) if isinstance(excinfo.value, EquationMismatch) else super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Any, int, str]:  # noqa: D102
        return self.path, 0, "every display equation is checked or marked"


class EquationMismatch(AssertionError):
    """An equation does not hold with its check's bindings, or is not marked."""


class EquationFile(pytest.File):
    """The equation checks of one Markdown page under ``docs/``."""

    def collect(self) -> Any:  # noqa: D102
        from chainrule_site.equations.source import read_page

        page = read_page(self.path, str(self.path.relative_to(self.config.rootpath / "docs")))
        if not page.equations:
            return
        yield EquationGuardItem.from_parent(self, name="equations-marked", page=page)
        for equation in page.equations:
            if equation.kind == "check":
                name = f"eq-{equation.label}" if equation.label else f"equation-line-{equation.line}"
                yield EquationItem.from_parent(self, name=name, page=page, equation=equation)


def pytest_collect_file(file_path: Any, parent: Any) -> Any:
    """Collect the equation checks of every page under ``docs/``."""
    docs = parent.config.rootpath / "docs"
    if file_path.suffix in (".md", ".ipynb") and docs in file_path.parents:
        return EquationFile.from_parent(parent, path=file_path)
    return None
