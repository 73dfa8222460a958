"""pytest plugin: let pytest-markdown-docs see fences nested in Material blocks.

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


class NestedBlockMarkdownIt(MarkdownIt):
    """A CommonMark parser that reads fences nested in admonitions and tabs."""

    def parse(self, src: str, env: Any = None) -> list[Any]:  # noqa: D102
        return super().parse(expose_nested_blocks(src), env)


@pytest.hookimpl(tryfirst=True)
def pytest_markdown_docs_markdown_it() -> MarkdownIt:
    """Give pytest-markdown-docs the nested-block-aware parser."""
    return NestedBlockMarkdownIt(config="commonmark")
