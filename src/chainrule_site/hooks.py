"""MkDocs hooks of the chainrule site (listed under ``hooks:`` in mkdocs.yml).

Three jobs, each small:

* **Vendored assets.**  KaTeX and mermaid are installed from the npm registry at
  the versions pinned in ``package-lock.json`` and served by the site itself
  under ``vendor/``; nothing is read from a CDN.  They are copied at build time,
  never committed.  ``javascripts/loader.js`` loads them only on pages that
  have math or diagrams.
* **Equation anchors.**  A display equation that carries ``\\label{name}``
  gets a stable anchor ``#eq-name`` and a number ``(n)``; see
  :func:`label_equations`.
* **Figures.**  Every figure registered in :mod:`chainrule_site.figures` is
  drawn by its code during the build and served as ``figures/<name>.svg``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"

#: Site path -> path inside node_modules.  Only woff2 fonts: every browser the
#: site supports picks woff2 first, so the others would never be requested.
VENDORED = {
    "vendor/katex/katex.min.js": "katex/dist/katex.min.js",
    "vendor/katex/katex.min.css": "katex/dist/katex.min.css",
    "vendor/mermaid/mermaid.min.js": "mermaid/dist/mermaid.min.js",
}
KATEX_FONTS = "katex/dist/fonts"


def vendored_assets() -> dict[str, Path]:
    """Map each vendored site path to its file in ``node_modules``.

    Raises
    ------
    mkdocs.exceptions.PluginError
        If the front-end packages are not installed (run ``make`` or ``npm ci``).
    """
    assets = {site: NODE_MODULES / src for site, src in VENDORED.items()}
    fonts = NODE_MODULES / KATEX_FONTS
    assets.update({f"vendor/katex/fonts/{f.name}": f for f in sorted(fonts.glob("*.woff2"))})
    missing = [str(path) for path in assets.values() if not path.is_file()]
    if missing or not fonts.is_dir():
        raise PluginError(
            "front-end assets are missing (expected KaTeX and mermaid in node_modules/, "
            f"got none at {missing[:2] or [str(fonts)]}); run `make` or `npm ci` first"
        )
    return assets


def on_files(files: Files, config: Any) -> Files:
    """Add the vendored assets and the generated figures to the site."""
    for site_path, source in vendored_assets().items():
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    from chainrule_site.figures import render_all

    for name, svg in render_all().items():
        files.append(File.generated(config, f"figures/{name}.svg", content=svg))
    return files


_DISPLAY_MATH = re.compile(r"^(?P<indent>[ ]*)\$\$[ ]*\n(?P<body>.*?)^(?P=indent)\$\$[ ]*$", re.M | re.S)
_LABEL = re.compile(r"\\label\{(?P<name>[a-z0-9][a-z0-9-]*)\}")


def label_equations(markdown: str) -> str:
    r"""Give each labelled display equation an anchor and a number.

    Parameters
    ----------
    markdown : str
        Page source.  A display equation is a ``$$`` line, the TeX, and a
        closing ``$$`` line at the same indentation.

    Returns
    -------
    str
        The source with ``\label{name}`` replaced by ``\tag{n}`` and an empty
        element with ``id="eq-name"`` placed before the equation, so that
        ``[(n)](#eq-name)`` links to it and MkDocs validates the anchor.

    Raises
    ------
    mkdocs.exceptions.PluginError
        If a label is used twice on one page.
    """
    seen: set[str] = set()

    def number(match: re.Match[str]) -> str:
        labels = _LABEL.findall(match["body"])
        if not labels:
            return match[0]
        if len(labels) > 1:
            raise PluginError(f"one display equation has several labels {labels}; give each its own $$ block")
        name = labels[0]
        if name in seen:
            raise PluginError(f"equation label {name!r} is used twice on one page")
        seen.add(name)
        indent = match["indent"]
        body = _LABEL.sub(lambda _: f"\\tag{{{len(seen)}}}", match["body"])
        return f'{indent}<div class="eq-anchor" id="eq-{name}"></div>\n\n{indent}$$\n{body}{indent}$$'

    return _DISPLAY_MATH.sub(number, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Number and anchor the labelled display equations of every page."""
    return label_equations(markdown)
