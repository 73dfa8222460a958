"""Two whole-page restyles the theme's start-up script causes, avoided.

When Material's ``bundle.js`` starts, two of its first steps make the browser
recompute the style of every element of the page, which on a long page
(20,000 elements, most of them typeset math) costs more than everything else
the script does (measured with Chromium's trace on chain-rule/ and
softmax-cross-entropy/: six whole-page restyles at start-up, three after these
two changes; style and layout time while loading, median of three, errors/
912 -> 592 ms and softmax-cross-entropy/ 3196 -> 2187 ms):

* It swaps the class ``no-js`` of ``<html>`` for ``js`` (the theme's
  stylesheet has selectors under ``.no-js`` whose invalidation covers the
  whole document), and its focus-visible polyfill marks ``<html>`` with the
  class ``js-focus-visible`` and the attribute ``data-js-focus-visible``.
  :data:`HEAD_SCRIPT` makes the same changes in ``<head>``, before the body
  exists, where they cost nothing; the bundle's are then no-ops.  No
  stylesheet styles ``js-focus-visible`` itself.  A reader without JavaScript
  keeps ``no-js``.
* Its palette component sets ``data-md-color-switching`` on ``<body>`` and
  removes it a frame later, at start-up as on every change of scheme; the
  rule ``[data-md-color-switching] *`` in ``palette.css`` (no transitions
  while the colours change) makes each of the two a whole-page restyle.
  :func:`defer_switching_rule` takes that rule out of the built
  ``palette.css``, and :data:`HEAD_SCRIPT` adds it back, as a ``<style>``,
  the first time the reader changes the scheme, which is when it matters.

Both depend on the theme's internals, so both check them: the build fails
(:class:`ThemeChanged`) if ``palette.css`` no longer holds the rule exactly
once, and the browser tests check that the scheme toggle still works and the
rule is in force once the reader switches.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Material's rule (palette.css), verbatim: no transitions while the scheme changes.
SWITCHING_RULE = (
    "[data-md-color-switching] *,[data-md-color-switching] :after,"
    "[data-md-color-switching] :before{transition-duration:0s!important}"
)
#: ``id`` of the ``<style>`` that carries :data:`SWITCHING_RULE` once the reader switches.
SWITCHING_STYLE_ID = "__palette_switching"

#: Inline, first in ``<head>`` (no global names: everything inside one function).
HEAD_SCRIPT = (
    "<script>(function(){"
    'var h=document.documentElement;h.classList.replace("no-js","js");'
    'h.classList.add("js-focus-visible");h.setAttribute("data-js-focus-visible","");'
    'addEventListener("change",function(e){'
    f'if(e.target.name!=="__palette"||document.getElementById("{SWITCHING_STYLE_ID}"))return;'
    'var s=document.createElement("style");'
    f's.id="{SWITCHING_STYLE_ID}";s.textContent={json.dumps(SWITCHING_RULE)};'
    "document.head.appendChild(s)},true)"
    "})()</script>"
)


class ThemeChanged(RuntimeError):
    """The theme's files no longer look the way :mod:`chainrule_site.startup` expects."""


def insert_head_script(page_html: str) -> str:
    """Put :data:`HEAD_SCRIPT` first in the page's ``<head>``.

    Raises
    ------
    ThemeChanged
        If the page has no ``<head>`` or no ``<html ... class="no-js">``.
    """
    if 'class="no-js"' not in page_html or page_html.count("<head>") != 1:
        raise ThemeChanged('expected one <head> and <html class="no-js"> in every page of the theme')
    return page_html.replace("<head>", "<head>" + HEAD_SCRIPT, 1)


def defer_switching_rule(site_dir: Path) -> Path:
    """Remove :data:`SWITCHING_RULE` from the built site's ``palette.*.css``; return that file.

    Raises
    ------
    ThemeChanged
        If there is not exactly one palette stylesheet holding the rule exactly once.
    """
    sheets = sorted((site_dir / "assets" / "stylesheets").glob("palette.*.css"))
    if len(sheets) != 1:
        raise ThemeChanged(f"expected one assets/stylesheets/palette.*.css, found {[s.name for s in sheets]}")
    text = sheets[0].read_text(encoding="utf-8")
    if text.count(SWITCHING_RULE) != 1:
        raise ThemeChanged(
            f"{sheets[0].name} holds the scheme-switching rule {text.count(SWITCHING_RULE)} times, "
            f"expected once: {SWITCHING_RULE}"
        )
    sheets[0].write_text(text.replace(SWITCHING_RULE, ""), encoding="utf-8")
    return sheets[0]
