"""Find the Python fences of a Markdown page, including those nested in blocks.

Material for MkDocs nests content in admonitions (``!!! note``), collapsible
blocks (``??? success "Solution"``) and content tabs (``=== "NumPy"``) by
indenting it four spaces.  CommonMark sees an indented fence as an indented
code block, not as a fence, so a plain Markdown parser (and pytest-markdown-docs
with it) silently skips every drill solution.  :func:`expose_nested_blocks`
removes the block markers and the indentation *without changing the number of
lines*, so a fence inside a block becomes a top-level fence and a failing test
still reports the right line of the page.
"""

from __future__ import annotations

import re

__all__ = ["CONTAINER_MARKER", "PYTHON_FENCE", "expose_nested_blocks", "python_fence_lines"]

#: A line that opens a Material block whose body is indented by four spaces.
CONTAINER_MARKER = re.compile(r"^(?P<indent> *)(?:!!!|\?\?\?\+?|===\+?!?)(?:\s|$)")

#: The opening line of a Python fence in either syntax pytest-markdown-docs reads:
#: ```python, ```py, ```python3, or the superfences form ```{.python option}.
PYTHON_FENCE = re.compile(r"^ *(?:```|~~~)\s*(?:\{[^}]*\.(?:python3?|py)\b[^}]*\}|(?:python3?|py)\b)")

_FENCE_DELIMITER = re.compile(r"^ *(?P<mark>`{3,}|~{3,})")


def _closes(text: str, fence: str) -> bool:
    """Whether ``text`` closes a fence opened by ``fence`` (same character, at least as long, nothing else)."""
    delimiter = _FENCE_DELIMITER.match(text)
    return bool(delimiter and delimiter["mark"][0] == fence[0] and len(delimiter["mark"]) >= len(fence)
                and not text.strip().strip(fence[0]))


def expose_nested_blocks(markdown: str) -> str:
    """Return ``markdown`` with block markers blanked and block bodies dedented.

    Parameters
    ----------
    markdown : str
        The text of a Markdown page.

    Returns
    -------
    str
        Text with exactly as many lines as ``markdown``.  Every line that opens
        an admonition, collapsible block or tab becomes blank, and every line of
        a block body loses the indentation of the blocks that enclose it.

    Notes
    -----
    Lines inside a fenced code block never open or close a block, so Python
    code that happens to start with ``===`` or ``???`` is left alone.
    """
    out: list[str] = []
    body_indents: list[int] = []  # column where each open block's body starts
    fence: str | None = None  # the delimiter of the fence we are inside, if any
    for line in markdown.splitlines(keepends=True):
        text = line.rstrip("\r\n")
        newline = line[len(text):]
        indent = len(text) - len(text.lstrip(" "))
        if not text.strip():
            out.append(newline or "\n")
            continue
        if fence is None:
            while body_indents and indent < body_indents[-1]:
                body_indents.pop()
        depth = body_indents[-1] if body_indents else 0
        stripped = text[min(depth, indent):]
        delimiter = _FENCE_DELIMITER.match(text)
        if fence is not None:
            if _closes(text, fence):
                fence = None
        elif delimiter:
            fence = delimiter["mark"]
        elif CONTAINER_MARKER.match(text):
            body_indents.append(indent + 4)
            out.append(newline or "\n")
            continue
        out.append(stripped + newline)
    return "".join(out)


def python_fence_lines(markdown: str) -> list[int]:
    """Return the 1-based line numbers of every Python fence's opening line.

    Parameters
    ----------
    markdown : str
        The text of a Markdown page.

    Returns
    -------
    list of int
        One entry per Python fence, nested ones included, in page order.
    """
    lines = expose_nested_blocks(markdown).splitlines()
    found: list[int] = []
    fence: str | None = None
    for number, text in enumerate(lines, start=1):
        delimiter = _FENCE_DELIMITER.match(text)
        if fence is None and delimiter:
            fence = delimiter["mark"]
            if PYTHON_FENCE.match(text):
                found.append(number)
        elif fence is not None and _closes(text, fence):
            fence = None
    return found
