"""Draw mermaid diagrams to SVG at build time, so readers download no mermaid.

mermaid needs a real browser to measure text, so the build drives the same
headless Chromium the browser tests use, loads the pinned ``mermaid.min.js``
from ``node_modules`` into a blank page and asks it for each diagram twice: in
the light theme and in the dark theme.  :func:`merge_themes` folds the two
drawings into one SVG whose dark colours apply under Material's dark scheme
(``[data-md-color-scheme="slate"]``), so a page carries each diagram once.
Results are cached on disk by a hash of mermaid's version, the theme and the
diagram's text, so ``mkdocs serve`` redraws only what changed.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
MERMAID = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CACHE = ROOT / ".cache" / "diagrams"
THEMES = ("light", "dark")

#: mermaid settings: SVG text labels (no HTML in foreignObject), the site's font stack.
CONFIG = {
    "startOnLoad": False,
    "securityLevel": "strict",
    "htmlLabels": False,
    "flowchart": {"htmlLabels": False, "useMaxWidth": True},
    "themeVariables": {"fontFamily": "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif", "fontSize": "15px"},
    # mermaid draws some shapes with roughjs, whose jitter is random unless seeded:
    # a fixed seed makes the light and dark drawings the same geometry (and builds reproducible).
    "handDrawnSeed": 1,
}


_PATH_DATA = re.compile(r'(?<=\sd=")[^"]*')
_LONG_DECIMAL = re.compile(r"(-?\d+\.\d{3,})")
_DATA_POINTS = re.compile(r'\sdata-points="[^"]*"')


def compact(svg: str) -> str:
    """Shrink mermaid's SVG without changing what it draws.

    Path coordinates are rounded to a hundredth of a pixel (roughjs writes
    fifteen digits: a rounded node's outline alone is tens of kilobytes), and
    the edges' ``data-points`` (base64 coordinates for mermaid's own scripts,
    which readers never run) are dropped.
    """
    def round_numbers(match: re.Match[str]) -> str:
        return _LONG_DECIMAL.sub(lambda m: f"{float(m[1]):.2f}".rstrip("0").rstrip("."), match[0])

    return _DATA_POINTS.sub("", _PATH_DATA.sub(round_numbers, svg))


class DiagramError(RuntimeError):
    """A diagram that mermaid cannot draw."""


def _version() -> str:
    package = MERMAID.parents[1] / "package.json"
    return json.loads(package.read_text())["version"]


def _key(source: str, theme: str) -> str:
    digest = hashlib.sha256(json.dumps([_version(), theme, CONFIG, source]).encode()).hexdigest()
    return digest[:20]


@dataclass
class Renderer:
    """Draws diagrams, reusing one browser for the whole build."""

    _playwright: Any = None
    _browser: Any = None
    _page: Any = None

    def _open(self) -> Any:
        if self._page is None:
            from playwright.sync_api import sync_playwright

            from chainrule_site.testing import chromium_path

            if not MERMAID.is_file():
                raise DiagramError(f"mermaid is not installed (expected {MERMAID}); run `make` or `npm ci`")
            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=chromium_path(),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
            )
            self._page = self._browser.new_page()
            self._page.set_content("<!doctype html><html><body></body></html>")
            self._page.add_script_tag(path=str(MERMAID))
        return self._page

    def svg(self, source: str, theme: str, element_id: str) -> str:
        """Return the SVG of ``source`` drawn in ``theme`` ("light" or "dark")."""
        path = CACHE / f"{_key(source, theme)}.svg"
        if path.is_file():
            svg = path.read_text()
        else:
            page = self._open()
            result = page.evaluate(
                """async ([source, config, theme]) => {
                    mermaid.initialize({...config, theme: theme === "dark" ? "dark" : "default"});
                    try {
                        await mermaid.parse(source);
                        const { svg } = await mermaid.render("DIAGRAMID", source);
                        return { svg };
                    } catch (err) {
                        return { error: String(err && err.message || err) };
                    }
                }""",
                [source, CONFIG, theme],
            )
            if "error" in result:
                raise DiagramError(f"mermaid cannot draw this diagram: {result['error']}\n{source}")
            svg = result["svg"]
            CACHE.mkdir(parents=True, exist_ok=True)
            path.write_text(svg)
        return compact(svg).replace("DIAGRAMID", element_id)

    def close(self) -> None:
        """Close the browser, if one was opened."""
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
        self._playwright = self._browser = self._page = None


#: The selector prefix under which the dark drawing's colours apply (Material's dark scheme).
DARK_SCOPE = '[data-md-color-scheme="slate"]'
#: Attributes that may differ between the two drawings: presentation attributes,
#: which a CSS rule overrides, so the dark value can live in the stylesheet.
_COLOUR_ATTRIBUTES = frozenset({"fill", "stroke", "flood-color", "stop-color", "color"})
_STYLE = re.compile(r"<style>(?P<css>.*?)</style>", re.S)
_TOKEN = re.compile(r"<[^>]*>|[^<]+")
_ATTRIBUTE = re.compile(r'(?P<name>[a-zA-Z_:][-a-zA-Z0-9_:.]*)="(?P<value>[^"]*)"')


def _css_rules(css: str) -> list[tuple[str, str]]:
    """Split minified CSS into (prelude, body) pairs; an at-rule's body keeps its braces' contents."""
    rules, i = [], 0
    while True:
        start = css.find("{", i)
        if start < 0:
            return rules
        depth, j = 1, start + 1
        while depth:
            depth += {"{": 1, "}": -1}.get(css[j], 0)
            j += 1
        rules.append((css[i:start].strip(), css[start + 1:j - 1]))
        i = j


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list on its top-level commas."""
    parts, depth, last = [], 0, 0
    for k, char in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(prelude[last:k])
            last = k + 1
    return [part.strip() for part in [*parts, prelude[last:]] if part.strip()]


def _tag(token: str) -> tuple[str, dict[str, str]] | None:
    """A start tag's name and attributes, or None for text and end tags."""
    match = re.match(r"<(?P<name>[a-zA-Z][-a-zA-Z0-9:]*)", token)
    if match is None:
        return None
    return match["name"], {m["name"]: m["value"] for m in _ATTRIBUTE.finditer(token[match.end():])}


def merge_themes(light: str, dark: str, element_id: str) -> str | None:
    """Fold a diagram's light and dark drawings into one SVG that follows the colour scheme.

    Parameters
    ----------
    light, dark : str
        The same diagram drawn by :meth:`Renderer.svg` in the light and the
        dark theme, with the same ``element_id``.
    element_id : str
        The id of both drawings' root ``<svg>``, which scopes mermaid's styles.

    Returns
    -------
    str or None
        The light drawing plus, in its ``<style>``, the dark theme's rules that
        differ from the light ones, each scoped to :data:`DARK_SCOPE`; colour
        attributes that differ between the drawings (e.g. a node's ``fill``) are
        given a ``data-dark`` number and their dark value as a scoped rule; defs
        only the dark drawing has (a gradient) are kept.  None if the drawings
        differ in any other way: the caller then keeps both drawings.
    """
    light_style, dark_style = _STYLE.search(light), _STYLE.search(dark)
    if light_style is None or dark_style is None:
        return None
    light_rules = dict(_css_rules(light_style["css"]))
    dark_css = []
    for prelude, body in _css_rules(dark_style["css"]):
        if prelude.startswith("@") or light_rules.get(prelude) == body:
            continue
        selectors = ",".join(f"{DARK_SCOPE} {selector}" for selector in _split_selectors(prelude))
        dark_css.append(f"{selectors}{{{body}}}")

    light_tokens = _TOKEN.findall(light[:light_style.start()] + light[light_style.end():])
    dark_tokens = _TOKEN.findall(dark[:dark_style.start()] + dark[dark_style.end():])
    merged: list[str] = []
    matcher = difflib.SequenceMatcher(None, light_tokens, dark_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            merged += light_tokens[i1:i2]
        elif op == "insert" and all(t.startswith(("<linearGradient", "<stop", "</stop", "</linearGradient"))
                                    or not t.strip() for t in dark_tokens[j1:j2]):
            merged += dark_tokens[j1:j2]
        elif op == "replace" and i2 - i1 == j2 - j1:
            for light_token, dark_token in zip(light_tokens[i1:i2], dark_tokens[j1:j2], strict=True):
                light_tag, dark_tag = _tag(light_token), _tag(dark_token)
                if light_tag is None or dark_tag is None or light_tag[0] != dark_tag[0] \
                        or light_tag[1].keys() != dark_tag[1].keys():
                    return None
                changed = {name: value for name, value in dark_tag[1].items()
                           if name != "d" and value != light_tag[1][name]}  # d: the same shape, jittered
                if not changed.keys() <= _COLOUR_ATTRIBUTES:
                    return None
                if changed:
                    number = len(dark_css)
                    declarations = ";".join(f"{name}:{value}" for name, value in sorted(changed.items()))
                    dark_css.append(f'{DARK_SCOPE} #{element_id} [data-dark="{number}"]{{{declarations}}}')
                    light_token = re.sub(r"^<([-a-zA-Z0-9:]+)", rf'<\1 data-dark="{number}"', light_token)
                merged.append(light_token)
        else:
            return None
    style = f"<style>{light_style['css']}{''.join(dark_css)}</style>"
    # The style goes back where mermaid put it: right after the root <svg ...> tag.
    root_end = merged[0].endswith(">") and merged[0].startswith("<svg")
    if not root_end:
        return None
    return merged[0] + style + "".join(merged[1:])
