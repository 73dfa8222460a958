"""Draw mermaid diagrams to SVG at build time, so readers download no mermaid.

mermaid needs a real browser to measure text, so the build drives the same
headless Chromium the browser tests use, loads the pinned ``mermaid.min.js``
from ``node_modules`` into a blank page and asks it for each diagram twice: in
the light theme and in the dark theme (the page shows the one matching the
reader's colour scheme).  Results are cached on disk by a hash of mermaid's
version, the theme and the diagram's text, so ``mkdocs serve`` redraws only
what changed.
"""

from __future__ import annotations

import hashlib
import json
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
}


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
        return svg.replace("DIAGRAMID", element_id)

    def close(self) -> None:
        """Close the browser, if one was opened."""
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()
        self._playwright = self._browser = self._page = None
