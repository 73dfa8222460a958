"""Read the display equations of the pages and the checks written beside them.

An author checks an equation with an HTML comment right after its ``$$``
block (blank lines between are fine; the comment is removed from the built
page)::

    $$
    J_{ij} = p_i\\,(\\delta_{ij} - p_j) \\label{softmax-jacobian-entries}
    $$
    <!-- eq:check softmax
    ranges(i=C, j=C)
    -->

The first line names the kind and, for a check, the setups it uses; the
following lines are Python that binds the equation's symbols (see
:mod:`chainrule_site.equations.evaluate` for the helpers).  A setup is a
named block of such lines that any check on the page can use::

    <!-- eq:setup softmax
    C = 4
    z = randn(C)
    p = softmax(z)
    -->

An equation that states no result (it defines a symbol or fixes notation) is
marked instead, so the guard in ``tests/test_equations.py`` knows it was not
forgotten: ``<!-- eq:definition -->`` or ``<!-- eq:notation -->``.
"""

from __future__ import annotations

import json
import re
import textwrap
import zlib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DIRECTIVE", "Equation", "Page", "read_page", "strip_directives"]

_DISPLAY = re.compile(r"^(?P<indent>[ ]*)\$\$[ ]*\n(?P<body>.*?)\n(?P=indent)\$\$[ ]*$", re.M | re.S)
#: An equation-check comment: ``<!-- eq:kind args`` then Python lines, then ``-->``.
DIRECTIVE = re.compile(r"^(?P<indent>[ ]*)<!--[ ]*eq:(?P<kind>[a-z]+)(?P<args>[^\n]*?)(?:\n(?P<code>.*?))?[ ]*-->[ ]*\n?",
                       re.M | re.S)
_LABEL = re.compile(r"\\label\{(?P<name>[a-z0-9][a-z0-9-]*)\}")
KINDS = ("check", "definition", "notation", "setup")


@dataclass
class Equation:
    """One display equation of a page and what is written after it."""

    page: str
    line: int
    latex: str
    label: str | None
    kind: str | None = None  # "check", "definition", "notation" or None (unmarked)
    uses: list[str] = field(default_factory=list)
    code: str = ""
    check_line: int = 0

    @property
    def anchor(self) -> str:
        """Where a reader finds the equation: ``page.md#eq-label`` or ``page.md:line``."""
        return f"{self.page}#eq-{self.label}" if self.label else f"{self.page}:{self.line}"

    @property
    def seed(self) -> int:
        """A seed that depends only on the page and the equation's text."""
        return zlib.crc32(f"{self.page}\n{self.latex}".encode())


@dataclass
class Page:
    """The equations and named setups of one Markdown page."""

    path: str
    equations: list[Equation]
    setups: dict[str, str]

    def bindings(self, equation: Equation) -> str:
        """The Python of the setups an equation's check uses, then its own lines."""
        parts = []
        for name in equation.uses:
            if name not in self.setups:
                raise KeyError(f"{equation.anchor}: no setup named {name!r} on {self.path}")
            parts.append(self.setups[name])
        parts.append(equation.code)
        return "\n".join(parts)


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def read_page(path: Path | str, name: str | None = None, text: str | None = None) -> Page:
    """Find every display equation of a page and the check or mark after it.

    Parameters
    ----------
    path : Path or str
        The Markdown file, or a notebook (its Markdown cells are read).
    name : str, optional
        How to name the page in messages (default: the file name).
    text : str, optional
        The page's text, if already read (or edited, as the mutation script does).

    Returns
    -------
    Page
    """
    path = Path(path)
    name = name or path.name
    if text is None and path.suffix == ".ipynb":  # a notebook's prose is its Markdown cells
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "markdown")
        name = f"{name} (Markdown cells)"
    text = path.read_text(encoding="utf-8") if text is None else text
    setups: dict[str, str] = {}
    directives = []
    for match in DIRECTIVE.finditer(text):
        kind = match["kind"]
        if kind not in KINDS:
            raise ValueError(f"{name}:{_line(text, match.start())}: unknown directive eq:{kind} (expected one of {KINDS})")
        code = textwrap.dedent(match["code"] or "")
        if kind == "setup":
            setups[match["args"].strip()] = code
        else:
            directives.append(match)
    equations = []
    for match in _DISPLAY.finditer(text):
        body = textwrap.dedent(match["body"])
        label = _LABEL.search(body)
        eq = Equation(name, _line(text, match.start()), body, label["name"] if label else None)
        after = text[match.end():]
        following = DIRECTIVE.match(after.lstrip("\n"))
        if following and following["kind"] != "setup":
            eq.kind = following["kind"]
            eq.uses = following["args"].split() if eq.kind == "check" else []
            eq.code = textwrap.dedent(following["code"] or "") if eq.kind == "check" else ""
            eq.check_line = _line(text, match.end() + (len(after) - len(after.lstrip("\n"))) + following.start())
        equations.append(eq)
    return Page(name, equations, setups)


def strip_directives(markdown: str) -> str:
    """The page without its equation-check comments (for the built site)."""
    return DIRECTIVE.sub("", markdown)
