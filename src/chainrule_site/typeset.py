"""Typeset TeX to HTML + MathML at build time with the site's pinned KaTeX.

Pages then need only KaTeX's stylesheet and fonts, no script: math appears
with the page, without a layout shift, and screen readers get MathML.
A TeX error is a build error that names the page and the formula.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

from chainrule_site import cache
from chainrule_site.paths import NODE_MODULES

SCRIPT = Path(__file__).with_name("katex_render.cjs")

#: What pymdownx.arithmatex (generic mode) writes: \( \) inline, \[ \] display.
ARITHMATEX = re.compile(
    r'<(?P<tag>span|div) class="arithmatex">(?P<open>\\\(|\\\[)(?P<tex>.*?)(?:\\\)|\\\])</(?P=tag)>', re.S
)

#: A markdown cell rendered by nbconvert (mkdocs-jupyter): its math is left as $...$ / $$...$$ text.
_NOTEBOOK_MARKDOWN = re.compile(r'(<div class="[^"]*\bjp-RenderedMarkdown\b[^"]*"[^>]*>)(.*?)(</div>)', re.S)
_DISPLAY_PARAGRAPH = re.compile(r"<p>\s*\$\$(?P<tex>.+?)\$\$\s*</p>", re.S)
_DISPLAY = re.compile(r"\$\$(?P<tex>.+?)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?P<tex>[^$\n]+?)\$")

_cache: dict[tuple[str, bool], str] = {}


class TeXError(ValueError):
    """A formula KaTeX cannot typeset."""


def katex_version() -> str:
    """The version of the KaTeX in node_modules (part of every formula's cache key)."""
    package = NODE_MODULES / "katex" / "package.json"
    if not package.is_file():
        raise TeXError("typesetting math needs KaTeX in node_modules/; run `make` or `npm ci`")
    return json.loads(package.read_text())["version"]


def _entry(tex: str, display: bool, version: str) -> Path:
    return cache.path("katex", cache.key(version, "display" if display else "inline", tex) + ".html")


def katex(formulas: list[tuple[str, bool]]) -> list[str]:
    """Typeset ``(tex, display)`` pairs; return their HTML in the same order.

    Each formula is typeset once: its HTML is kept in memory and on disk
    (``.cache/katex/``, keyed by the TeX, the mode and the KaTeX version), so
    a rebuild starts no Node process unless a formula is new.

    Raises
    ------
    TeXError
        If KaTeX rejects a formula; the message quotes it.
    """
    todo = sorted({item for item in formulas if item not in _cache})
    if todo:
        version = katex_version()
        missing = []
        for item in todo:
            entry = _entry(*item, version)
            if entry.is_file():
                _cache[item] = exclude_from_search(entry.read_text(encoding="utf-8"))
            else:
                missing.append(item)
        if missing:
            node = shutil.which("node")
            if node is None:
                raise TeXError("typesetting math needs Node.js; run `make` or install Node.js and `npm ci`")
            result = subprocess.run(
                [node, str(SCRIPT), str(NODE_MODULES)],
                input=json.dumps([{"tex": tex, "display": display} for tex, display in missing]),
                capture_output=True, text=True, check=True, timeout=300,
            )
            for item, out in zip(missing, json.loads(result.stdout), strict=True):
                if "error" in out:
                    raise TeXError(f"KaTeX cannot typeset {item[0]!r}: {out['error']}")
                _cache[item] = exclude_from_search(out["html"])
                cache.write_atomically(_entry(*item, version), out["html"])
    return [_cache[item] for item in formulas]


#: KaTeX writes each formula three times: MathML (for screen readers) with its TeX
#: source inside, and the HTML readers see. ``data-search-exclude`` on ``<math>`` keeps
#: the first two out of Material's search index, which then holds each formula once, as
#: the text of its HTML. (Not the other way round: Material's search parser matches the
#: excluded element by tag name, so an excluded ``<span>`` ends at its first nested
#: ``</span>``; ``<math>`` has no ``<math>`` inside.)
_MATHML_OPEN = '<math xmlns="http://www.w3.org/1998/Math/MathML"'


def exclude_from_search(math_html: str) -> str:
    """Mark the MathML of one KaTeX formula ``data-search-exclude``.

    Raises
    ------
    TeXError
        If KaTeX's output has not exactly one ``<math>`` (a KaTeX upgrade changed its markup).
    """
    if math_html.count(_MATHML_OPEN) != 1:
        raise TeXError(f"expected one {_MATHML_OPEN}...> in KaTeX's output, found {math_html.count(_MATHML_OPEN)}")
    return math_html.replace(_MATHML_OPEN, _MATHML_OPEN + " data-search-exclude", 1)


def notebook_math_to_arithmatex(content: str) -> str:
    r"""Mark up the math of notebook markdown cells the way pymdownx.arithmatex does.

    nbconvert leaves ``$...$`` and ``$$...$$`` as (HTML-escaped) text for MathJax;
    rewriting them to ``<span class="arithmatex">\(...\)</span>`` and
    ``<div class="arithmatex">\[...\]</div>`` lets :func:`typeset_html` render them
    with the same KaTeX, at build time, as every other page.
    """

    def cell(match: re.Match[str]) -> str:
        body = _DISPLAY_PARAGRAPH.sub(lambda m: f'<div class="arithmatex">\\[{m["tex"]}\\]</div>', match[2])
        body = _DISPLAY.sub(lambda m: f'<span class="arithmatex">\\[{m["tex"]}\\]</span>', body)
        body = _INLINE.sub(lambda m: f'<span class="arithmatex">\\({m["tex"]}\\)</span>', body)
        return match[1] + body + match[3]

    return _NOTEBOOK_MARKDOWN.sub(cell, content)


def typeset_html(content: str) -> str:
    """Replace every arithmatex element in ``content`` by its KaTeX rendering."""
    matches = list(ARITHMATEX.finditer(content))
    if not matches:
        return content
    rendered = katex([(html.unescape(m["tex"]).strip(), m["open"] == "\\[") for m in matches])
    pieces, last = [], 0
    for match, math in zip(matches, rendered, strict=True):
        pieces += [content[last:match.start()], f'<{match["tag"]} class="arithmatex">{math}</{match["tag"]}>']
        last = match.end()
    pieces.append(content[last:])
    return "".join(pieces)
