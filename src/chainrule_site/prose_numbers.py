r"""Numbers in a page's prose must come from its code: each is asserted by a block on the page.

A sentence such as "central differences agree to about $10^{-8}$" or
"$p_1 \approx 0.59$" makes a claim about what the code computes.  The guard in
``tests/test_prose_numbers.py`` finds every *measured-looking* number in the
prose of a page (text and inline math, not code, not display equations, which
the equation checks cover) and requires the same value as a literal in one of
the page's Python blocks, where an ``assert`` states it (``round(p[0], 2) ==
0.59``, ``rtol=1e-8``).  Measured-looking means: a decimal with a point
(``0.59``), a power of ten (``10^{-13}``, ``1e-4``), a mantissa times a power
of ten (``2.2\times10^{-16}``) or a percentage (``97 %``).  Whole numbers such
as sizes and counts ("$C = 4$ classes", "26 drills") are not measurements and
are not matched, nor is a version after a capitalised name ("CC BY 4.0").
Links, HTML comments and image addresses are not prose.  A notebook's
Markdown cells are its prose and its code cells its code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from chainrule_site.fences import expose_nested_blocks

__all__ = ["ProseNumber", "code_literals", "prose_numbers", "unbacked_numbers"]

_FENCE = re.compile(r"^(?P<mark>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=mark)[ ]*$", re.M | re.S)
_DISPLAY = re.compile(r"^\$\$[ ]*\n.*?^\$\$[ ]*$", re.M | re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|!\[[^\]]*\]\([^)]*\)")
_NUMBER = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<mant>\d+(?:\.\d+)?)\s*(?:\\times|\\cdot|×)\s*10\^\{?(?P<exp1>[-−]?\d+)\}?"  # 2.2\times10^{-16}
    r"|10\^\{?(?P<exp2>[-−]?\d+)\}?"  # 10^{-13}
    r"|(?P<sci>\d+(?:\.\d+)?[eE][-−+]?\d+)"  # 1e-4
    r"|(?P<pct>\d+(?:\.\d+)?)\s*(?:\\?%)"  # 97 %
    r"|(?P<dec>\d*\.\d+)"  # 0.59, .5
    r")(?![\w])"
)
_VERSION_BEFORE = re.compile(r"(?<![\w$\\])[A-Z][A-Za-z-]*[ ]$")
_LITERAL = re.compile(r"(?<![\w.])(\d+\.\d*(?:[eE][-+]?\d+)?|\d*\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+)(?![\w.])")


@dataclass(frozen=True)
class ProseNumber:
    """A number written in the prose of a page."""

    line: int
    text: str
    value: float


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group())


def prose_numbers(markdown: str) -> list[ProseNumber]:
    """The measured-looking numbers in the prose of a page, with their lines."""
    text = expose_nested_blocks(markdown)
    for pattern in (_FENCE, _DISPLAY, _COMMENT, _INLINE_CODE, _LINK_TARGET):
        text = pattern.sub(_blank, text)
    found = []
    for match in _NUMBER.finditer(text):
        if _VERSION_BEFORE.search(text, 0, match.start()):
            continue  # "CC BY 4.0", "Python 3.11": a version, not a measurement
        if match["mant"] is not None:
            value = float(f"{match['mant']}e{match['exp1'].replace('−', '-')}")
        elif match["exp2"] is not None:
            value = 10.0 ** int(match["exp2"].replace("−", "-"))
        elif match["sci"] is not None:
            value = float(match["sci"].replace("−", "-"))
        elif match["pct"] is not None:
            value = float(match["pct"]) / 100
        else:
            value = float(match["dec"])
        found.append(ProseNumber(text.count("\n", 0, match.start()) + 1, match.group().strip(), value))
    return found


def code_literals(markdown: str) -> set[float]:
    """Every float literal in the page's code blocks (and a percentage's value as a fraction)."""
    values: set[float] = set()
    for fence in _FENCE.finditer(expose_nested_blocks(markdown)):
        for literal in _LITERAL.findall(fence["body"]):
            values.add(float(literal))
    return values


def _matches(value: float, literals: set[float]) -> bool:
    return any(abs(value - lit) <= 1e-12 * max(abs(value), abs(lit)) or abs(value * 100 - lit) <= 1e-9 * abs(lit)
               for lit in literals)


def unbacked_numbers(path: Path) -> list[ProseNumber]:
    """The numbers in a page's prose (or a notebook's Markdown cells) that no code states."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        prose = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        literals = {float(x) for x in _LITERAL.findall(code)}
        return [number for number in prose_numbers(prose) if not _matches(number.value, literals)]
    markdown = path.read_text(encoding="utf-8")
    literals = code_literals(markdown)
    return [number for number in prose_numbers(markdown) if not _matches(number.value, literals)]
