"""Typeset TeX to MathML at build time with the site's pinned Temml.

Pages carry no math script and no math layout of their own: each formula is
one ``<math>`` element, which the browser lays out itself (MathML Core, in
every current browser), in one math font the site serves: Latin Modern Math,
cut down at build time to the glyphs the site's formulas use
(:func:`subset_font`).  Screen readers read the same MathML.  A TeX error is
a build error that names the page and the formula.

Temml, not KaTeX: KaTeX draws each formula a second time as nested ``<span>``
boxes positioned by its own stylesheet and fonts, which made formulas 70-80 %
of a long page's elements and its fonts the last thing a page waited for.
Temml writes MathML meant for MathML Core (bold symbols as Unicode bold
letters, equation numbers in a table row), from the same TeX.
"""

from __future__ import annotations

import functools
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

from chainrule_site import cache
from chainrule_site.paths import NODE_MODULES

SCRIPT = Path(__file__).with_name("temml_render.cjs")
#: Latin Modern Math (GUST Font License, fonts/README.md), the whole font; the site serves a subset.
FONT = Path(__file__).with_name("fonts") / "latinmodern-math.woff2"

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
#: The characters the formulas typeset by :func:`typeset_html` draw (the hooks clear it when a build starts).
drawn: set[str] = set()


class TeXError(ValueError):
    """A formula Temml cannot typeset."""


def temml_version() -> str:
    """The version of the Temml in node_modules (part of every formula's cache key)."""
    package = NODE_MODULES / "temml" / "package.json"
    if not package.is_file():
        raise TeXError("typesetting math needs Temml in node_modules/; run `make` or `npm ci`")
    return json.loads(package.read_text())["version"]


def _entry(tex: str, display: bool, version: str) -> Path:
    return cache.path("mathml", cache.key("temml", version, "wrap==", "display" if display else "inline", tex) + ".html")


def mathml(formulas: list[tuple[str, bool]]) -> list[str]:
    """Typeset ``(tex, display)`` pairs; return their MathML in the same order.

    Each formula is typeset once: its MathML is kept in memory and on disk
    (``.cache/mathml/``, keyed by the TeX, the mode and the Temml version), so
    a rebuild starts no Node process unless a formula is new.

    Raises
    ------
    TeXError
        If Temml rejects a formula; the message quotes it.
    """
    todo = sorted({item for item in formulas if item not in _cache})
    if todo:
        version = temml_version()
        missing = []
        for item in todo:
            entry = _entry(*item, version)
            if entry.is_file():
                _cache[item] = with_tex(entry.read_text(encoding="utf-8"), item[0])
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
                    raise TeXError(f"Temml cannot typeset {item[0]!r}: {out['error']}")
                _cache[item] = with_tex(out["mathml"], item[0])
                cache.write_atomically(_entry(*item, version), out["mathml"])
    return [_cache[item] for item in formulas]


def with_tex(math: str, tex: str) -> str:
    """Keep a formula's TeX on its ``<math>`` element, as ``data-tex``.

    An attribute, not MathML's ``<annotation>``: Temml breaks a long inline
    formula over lines (before a second top-level "=") only without one, and
    an attribute is not text, so the TeX stays out of Material's search index
    (which holds each formula once, as the text of its MathML) and out of
    what a screen reader reads.

    Raises
    ------
    TeXError
        If the MathML has not exactly one ``<math>`` (a Temml upgrade changed its markup).
    """
    if math.count("<math") != 1 or not math.startswith("<math"):
        raise TeXError(f"expected one <math> element from Temml, found {math.count('<math')} in {math[:60]!r}")
    return math.replace("<math", f'<math data-tex="{html.escape(tex, quote=True)}"', 1)


_TAG = re.compile(r"<[^>]*>")
#: Chromium and Firefox draw a one-letter ``<mi>`` in the font's italic letters
#: (MathML Core's ``text-transform: math-auto``), which are other code points:
#: the mathematical italic Latin and Greek letters (italic h is U+210E; U+1D455
#: is unassigned), dotless i and j.
MATH_ITALIC = frozenset(
    [chr(c) for c in range(0x1D434, 0x1D468) if c != 0x1D455] + [chr(c) for c in range(0x1D6E2, 0x1D71C)]
    + ["\u210e", "\U0001d6a4", "\U0001d6a5"]
)


@functools.lru_cache(maxsize=None)
def characters(math: str) -> frozenset[str]:
    """The characters one formula's MathML draws (the text of its elements)."""
    return frozenset(html.unescape(_TAG.sub("", math)))


def subset_font(chars: set[str]) -> bytes:
    """Latin Modern Math cut down to ``chars`` (and the italic letters), as woff2.

    The subset keeps the font's MATH table and, for each character, the larger
    variants and pieces it stretches with (fontTools' glyph closure), so a
    tall bracket or sum sign is drawn by the font.  The subset's names say it
    is a derived font, as the GUST Font License asks.  Cached by the font and
    the characters: 82 KB for either edition, where the full font is 391 KB.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    wanted = sorted(ord(c) for c in set(chars) | MATH_ITALIC if not c.isspace())
    source = FONT.read_bytes()
    entry = cache.path("fonts", cache.key(source, json.dumps(wanted)) + ".woff2")
    if entry.is_file():
        return entry.read_bytes()
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]
    font = TTFont(io.BytesIO(source))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 3, 4, 6, 16):
            text = "LatinModernMath-chainrule-subset" if record.nameID == 6 else "Latin Modern Math (chainrule subset)"
            record.string = text
    out = io.BytesIO()
    font.flavor = "woff2"
    font.save(out)
    cache.write_atomically(entry, out.getvalue())
    return out.getvalue()


def notebook_math_to_arithmatex(content: str) -> str:
    r"""Mark up the math of notebook markdown cells the way pymdownx.arithmatex does.

    nbconvert leaves ``$...$`` and ``$$...$$`` as (HTML-escaped) text for MathJax;
    rewriting them to ``<span class="arithmatex">\(...\)</span>`` and
    ``<div class="arithmatex">\[...\]</div>`` lets :func:`typeset_html` render them
    with the same Temml, at build time, as every other page.
    """

    def cell(match: re.Match[str]) -> str:
        body = _DISPLAY_PARAGRAPH.sub(lambda m: f'<div class="arithmatex">\\[{m["tex"]}\\]</div>', match[2])
        body = _DISPLAY.sub(lambda m: f'<span class="arithmatex">\\[{m["tex"]}\\]</span>', body)
        body = _INLINE.sub(lambda m: f'<span class="arithmatex">\\({m["tex"]}\\)</span>', body)
        return match[1] + body + match[3]

    return _NOTEBOOK_MARKDOWN.sub(cell, content)


def typeset_html(content: str) -> str:
    """Replace every arithmatex element in ``content`` by its MathML; remember the characters drawn."""
    matches = list(ARITHMATEX.finditer(content))
    if not matches:
        return content
    rendered = mathml([(html.unescape(m["tex"]).strip(), m["open"] == "\\[") for m in matches])
    pieces, last = [], 0
    for match, math in zip(matches, rendered, strict=True):
        drawn.update(characters(math))
        pieces += [content[last:match.start()], f'<{match["tag"]} class="arithmatex">{math}</{match["tag"]}>']
        last = match.end()
    pieces.append(content[last:])
    return "".join(pieces)
