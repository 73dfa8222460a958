"""Printed output shown on a page is checked: ``#>`` lines under a ``print``.

A code block on a page shows what it prints the way pytest-examples does,
with ``#>`` comments right under the statement that prints::

    print(np.round(probs, 3))
    #> [0.586 0.097 0.291 0.026]

When the block runs as a test (pytest-markdown-docs; this module's two hooks
use only public interfaces: the plugin's ``pytest_markdown_docs_globals`` hook
and pytest's ``pytest_runtest_call``), every ``print`` call writes into the
``#>`` block after its statement instead of the terminal, and the test fails
when what was printed differs from what the page shows, or when a block
prints something the page does not show (a block that only prints proves
nothing: what it prints must be on the page).  The failure shows both texts,
so fixing the page is a copy.  Trailing spaces are ignored.
"""

from __future__ import annotations

import ast
import io
import sys
from collections import defaultdict
from typing import Any

import pytest

__all__ = ["OutputMismatch", "expected_outputs", "pytest_markdown_docs_globals", "pytest_runtest_call"]

OUTPUT_PREFIX = "#>"


class OutputMismatch(AssertionError):
    """A block printed something other than the ``#>`` lines under the print."""


def expected_outputs(source: str) -> dict[int, tuple[int, str]]:
    """Map the line of each ``print`` call to its ``#>`` block.

    Parameters
    ----------
    source : str
        The Python of a code block.

    Returns
    -------
    dict
        ``{call line: (first line of the #> block, expected text)}``; the
        block is the run of ``#>`` lines right after the statement that
        contains the call (empty text when there is none).
    """
    lines = source.split("\n")
    tree = ast.parse(source)
    found: dict[int, tuple[int, str]] = {}
    for statement in ast.walk(tree):
        if not isinstance(statement, ast.stmt) or isinstance(statement, (ast.For, ast.While, ast.If, ast.With,
                                                                         ast.FunctionDef, ast.Try)):
            continue
        calls = [node for node in ast.walk(statement) if isinstance(node, ast.Call)
                 and isinstance(node.func, ast.Name) and node.func.id == "print"]
        if not calls:
            continue
        # the #> block follows the outermost statement that holds the call (a loop prints into one block)
        outer = _outermost(tree, statement)
        block_start = outer.end_lineno + 1
        expected = []
        n = block_start
        while n <= len(lines) and lines[n - 1].strip().startswith(OUTPUT_PREFIX):
            text = lines[n - 1].strip()[len(OUTPUT_PREFIX):]
            expected.append(text[1:] if text.startswith(" ") else text)
            n += 1
        for call in calls:
            found[call.lineno] = (block_start, "\n".join(expected))
    return found


def _all_blocks(source: str) -> dict[int, str]:
    """Every run of ``#>`` lines in ``source``: ``{first line: text}``."""
    blocks: dict[int, str] = {}
    lines = source.split("\n")
    for n, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(OUTPUT_PREFIX) and not (n > 1 and lines[n - 2].strip().startswith(OUTPUT_PREFIX)):
            run = []
            for following in lines[n - 1:]:
                if not following.strip().startswith(OUTPUT_PREFIX):
                    break
                text = following.strip()[len(OUTPUT_PREFIX):]
                run.append(text[1:] if text.startswith(" ") else text)
            blocks[n] = "\n".join(run)
    return blocks


def _outermost(tree: ast.Module, statement: ast.stmt) -> ast.stmt:
    for top in tree.body:
        if top.lineno <= statement.lineno and statement.end_lineno <= top.end_lineno:
            return top
    return statement


class _Recorder:
    """Collects what one block prints, by the ``#>`` block each ``print`` writes into."""

    def __init__(self, source: str, filename: str) -> None:
        self.source, self.filename = source, filename
        self.expected = expected_outputs(source)
        self.printed: dict[int, io.StringIO] = defaultdict(io.StringIO)

    def print(self, *values: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None,
              flush: bool = False) -> None:
        """``print`` for the block: to stdout goes into the ``#>`` block under the calling statement."""
        if file is not None and file is not sys.stdout:
            print(*values, sep=sep, end=end, file=file, flush=flush)
            return
        frame = sys._getframe(1)
        while frame is not None and frame.f_code.co_filename != self.filename:
            frame = frame.f_back
        line = frame.f_lineno if frame is not None else -1
        print(*values, sep=sep, end=end, file=self.printed[self.expected.get(line, (line, ""))[0]])

    def check(self) -> None:
        """Raise :class:`OutputMismatch` unless every ``#>`` block holds exactly what was printed into it."""
        blocks = _all_blocks(self.source)  # every #> block, printed into or not
        blocks.update({start: text for start, text in self.expected.values()})
        problems = []
        for start in sorted(set(blocks) | set(self.printed)):
            want = "\n".join(line.rstrip() for line in blocks.get(start, "").split("\n")).strip("\n")
            got = "\n".join(line.rstrip() for line in self.printed[start].getvalue().split("\n")).strip("\n")
            if want != got:
                shown = "\n".join(f"{OUTPUT_PREFIX} {line}".rstrip() for line in got.split("\n"))
                problems.append(f"line {start}: the page shows\n{want or '(nothing)'}\nbut the code printed\n"
                                f"{got or '(nothing)'}\n(as #> lines:\n{shown})")
        if problems:
            raise OutputMismatch(f"printed output differs from the page ({self.filename}):\n" + "\n\n".join(problems))


#: The block being run, while it runs (pytest runs one test at a time per process).
_current: _Recorder | None = None


@pytest.hookimpl
def pytest_markdown_docs_globals() -> dict[str, Any]:
    """pytest-markdown-docs' public hook: the running block gets our ``print`` when it shows output."""
    return {"print": _current.print} if _current is not None else {}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """Around a markdown-docs block that prints or shows ``#>`` lines: record, run, then compare.

    The block's source is what pytest-markdown-docs records in the item's
    ``user_properties`` (``("code", source)``), a public pytest attribute.
    """
    global _current
    source = dict(item.user_properties).get("code") if item.get_closest_marker("markdown-docs") else None
    if not isinstance(source, str) or ("print" not in source and OUTPUT_PREFIX not in source):
        return (yield)
    _current = recorder = _Recorder(source, str(item.path))
    try:
        result = yield
    finally:
        _current = None
    recorder.check()
    return result
