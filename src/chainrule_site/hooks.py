"""MkDocs hooks of the chainrule site (listed under ``hooks:`` in mkdocs.yml).

Eight jobs, each small:

* **Math at build time.**  Every formula is typeset by the pinned Temml
  (:mod:`chainrule_site.typeset`) into MathML, so pages carry no math script;
  Temml's stylesheet is served by the site under ``vendor/temml/``, copied
  from ``node_modules`` at build time, with the math font cut down to the
  glyphs this build's formulas draw; never committed, never from a CDN.
* **Diagrams at build time.**  Every ``mermaid`` fence is drawn to one inline
  SVG whose colours follow the reader's scheme (:mod:`chainrule_site.diagrams`),
  so readers download no mermaid (several MB of script).
* **Equation anchors.**  A display equation that carries ``\\label{name}``
  gets a stable anchor ``#eq-name`` and a number ``(n)``; see
  :func:`label_equations`.
* **Figures.**  Every figure registered in :mod:`chainrule_site.figures` is
  drawn by its code during the build and served as ``figures/<name>.svg``.
* **Notebooks run once per content.**  Each notebook is rendered from the
  executed copy that :mod:`chainrule_site.notebooks` caches.
* **The API reference, linked both ways** (:mod:`chainrule_site.reference`):
  its entries are checked against ``chainrule.__all__``, each lists the pages
  whose code uses it, and a page's ``cr.name`` links to its entry.
* **Every page as a notebook** (:mod:`chainrule_site.page_notebooks`),
  generated beside the page and offered for download by the template.
* **Two editions.**  When the English build ends, the Spanish pages of
  ``docs/es/`` are built into ``es/`` (:mod:`chainrule_site.editions`); these
  hooks run in both builds and know which one by the theme's language.

Everything slow is cached on disk by the content it depends on
(:mod:`chainrule_site.cache`), so a rebuild after an edit redoes only what the
edit changed.  The theme itself is customised only through Material's
supported route: the templates in ``src/chainrule_site/overrides/``.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from chainrule_site import editions, page_notebooks, reference, typeset
from chainrule_site.diagrams import THEMES, DiagramError, Renderer, merge_themes
from chainrule_site.equations.source import strip_directives
from chainrule_site.notebooks import NotebookError, executed
from chainrule_site.paths import NODE_MODULES
from chainrule_site.typeset import TeXError, notebook_math_to_arithmatex, typeset_html


#: Site path -> path inside node_modules.  Temml's stylesheet for Latin Modern
#: Math and the one small font it uses for primes; the math font itself is
#: written by :func:`on_post_build`, where the stylesheet expects it.
VENDORED = {
    "vendor/temml/Temml-Latin-Modern.css": "temml/dist/Temml-Latin-Modern.css",
    "vendor/temml/Temml.woff2": "temml/dist/Temml.woff2",
}
MATH_FONT = "vendor/temml/latinmodernmath.woff2"


def vendored_assets() -> dict[str, Path]:
    """Map each vendored site path to its file in ``node_modules``.

    Raises
    ------
    mkdocs.exceptions.PluginError
        If the front-end packages are not installed (run ``make`` or ``npm ci``).
    """
    assets = {site: NODE_MODULES / src for site, src in VENDORED.items()}
    missing = [str(path) for path in assets.values() if not path.is_file()]
    if missing:
        raise PluginError(
            "front-end assets are missing (expected Temml in node_modules/, "
            f"got none at {missing[:2]}); run `make` or `npm ci` first"
        )
    return assets


#: Whether this build is a dirty rebuild (``mkdocs serve --dirty``): the Spanish edition is then one too.
_dirty = False


def on_startup(command: str, dirty: bool) -> None:
    """Remember whether the build is dirty, for the Spanish edition's build."""
    global _dirty
    _dirty = dirty


def on_pre_build(config: Any) -> None:
    """Start this build's list of the characters its formulas draw (a dirty build adds to the last one)."""
    if not _dirty:
        typeset.drawn.clear()


def shared_assets(files: Files, config: Any) -> None:
    """Give the Spanish edition the English edition's stylesheets and data files it does not have itself."""
    present = {file.src_uri for file in files}
    for path in sorted(editions.EDITIONS["en"]["docs"].rglob("*")):
        relative = path.relative_to(editions.EDITIONS["en"]["docs"])
        if (path.is_file() and path.suffix not in (".md", ".ipynb") and relative.parts[0] != "es"
                and not relative.name.startswith(".") and relative.as_posix() not in present):
            files.append(File(relative.as_posix(), str(editions.EDITIONS["en"]["docs"]), config.site_dir, config.use_directory_urls))


def on_files(files: Files, config: Any) -> Files:
    """Add the vendored assets and the generated figures; point each notebook at its executed copy.

    mkdocs-jupyter renders (``execute: false``) and offers for download the
    copy :func:`chainrule_site.notebooks.executed` made, which runs a notebook
    again only when it or the ``chainrule`` package changed.
    """
    for file in files:
        if file.src_uri.endswith(".ipynb") and file.abs_src_path:
            try:
                file.abs_src_path = str(executed(Path(file.abs_src_path)))
            except NotebookError as err:
                raise PluginError(str(err)) from err
    if editions.language(config) != "en":
        shared_assets(files, config)
    for site_path, source in vendored_assets().items():
        files.append(File.generated(config, site_path, abs_src_path=str(source)))
    from chainrule_site.figures import render_all

    try:
        figures = render_all(editions.language(config))
    except KeyError as err:
        raise PluginError(str(err)) from err
    for name, svg in figures.items():
        files.append(File.generated(config, f"figures/{name}.svg", content=svg))
        _figure_sizes[name] = svg_size(svg)
    reference.collect(files, config)  # the API page's entries (a missing one fails the build), the pages' uses
    page_notebooks.add_to_site(files, config)  # each page with Python blocks as a notebook, beside the page
    return files


def on_nav(nav: Any, config: Any, files: Files) -> Any:
    """Remember the reading order, for the API reference's "Used on" lists."""
    reference.remember_nav(nav)
    return nav


#: Figure name -> its intrinsic (width, height) in CSS pixels, filled by on_files.
_figure_sizes: dict[str, tuple[int, int]] = {}
_SVG_TAG = re.compile(r"<svg\b[^>]*>", re.S)
_LENGTH = re.compile(r'\b(?P<attr>width|height)="(?P<value>[0-9.]+)(?P<unit>pt|px)?"')
_FIGURE_IMG = re.compile(r'<img\b(?P<attrs>[^>]*?\bsrc="(?:[^"]*/)?figures/(?P<name>[a-z0-9-]+)\.svg"[^>]*?)\s*/?>')


def svg_size(svg: str) -> tuple[int, int]:
    """The intrinsic size of an SVG in CSS pixels, from its root ``width``/``height``.

    Parameters
    ----------
    svg : str
        SVG text whose root element gives ``width`` and ``height`` in ``pt``
        or ``px`` (matplotlib writes ``pt``).

    Returns
    -------
    tuple[int, int]
        Width and height, rounded to whole pixels (1 pt = 4/3 px).

    Raises
    ------
    mkdocs.exceptions.PluginError
        If the root element lacks either dimension.
    """
    root = _SVG_TAG.search(svg)
    lengths = {m["attr"]: float(m["value"]) * (4 / 3 if m["unit"] == "pt" else 1)
               for m in _LENGTH.finditer(root[0] if root else "")}
    if set(lengths) != {"width", "height"}:
        raise PluginError("a figure's SVG has no width and height on its root element")
    return round(lengths["width"]), round(lengths["height"])


def size_figures(content: str) -> str:
    """Give each ``<img>`` of a generated figure its ``width`` and ``height``, and load it lazily.

    The browser then reserves the figure's box before the SVG arrives, so
    nothing below it moves when it does (no layout shift); the stylesheet
    scales it down to the column (``max-width: 100%; height: auto``).  An
    image that already has a width or height is left as it is.  ``loading="lazy"``
    fetches a figure only as it nears the screen: with the two figures of
    numerical-derivatives/ fetched at load, headless Chrome held back the page's
    first paint in all six of six Lighthouse runs (LCP 3.5 s, score 73 and 80);
    lazy, in one of six (medians 89 and 85): fewer holds, not none.
    """

    def size(match: re.Match[str]) -> str:
        attrs, name = match["attrs"], match["name"]
        if name not in _figure_sizes or re.search(r"\b(?:width|height)=", attrs):
            return match[0]
        width, height = _figure_sizes[name]
        return f'<img{attrs} width="{width}" height="{height}" loading="lazy">'

    return _FIGURE_IMG.sub(size, content)


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
    """Drop the equation checks (``<!-- eq:... -->``, run by the tests); number and anchor labelled equations."""
    page_notebooks.offer(page)  # page.meta.notebook: the download the template offers
    return label_equations(strip_directives(markdown))


_MERMAID = re.compile(r'<pre class="mermaid"><code>(?P<source>.*?)</code></pre>', re.S)
_renderer = Renderer()


def draw_diagrams(content: str, page_id: str) -> str:
    """Replace each mermaid block of a page's HTML by its SVG, which follows the colour scheme.

    The diagram is drawn in the light and the dark theme and the two drawings
    are folded into one (:func:`chainrule_site.diagrams.merge_themes`); should
    they differ in a way that cannot be folded, both are kept and the
    stylesheet shows the one for the reader's scheme.
    """

    def draw(match: re.Match[str]) -> str:
        source = html.unescape(match["source"]).strip()
        number = draw.count = getattr(draw, "count", 0) + 1
        element_id = f"diagram-{page_id}-{number}"
        try:
            light, dark = (_renderer.svg(source, theme, element_id) for theme in THEMES)
            merged = merge_themes(light, dark, element_id)
            if merged is not None:
                return f'<div class="diagram">{merged}</div>'
            return "".join(
                f'<div class="diagram diagram--{theme}">{_renderer.svg(source, theme, f"{element_id}-{theme}")}</div>'
                for theme in THEMES
            )
        except DiagramError as err:
            raise PluginError(f"{page_id}: {err}") from err

    return _MERMAID.sub(draw, content)


_NOTEBOOK_CHECK_COMMENT = re.compile(r"<!--\s*eq:.*?-->\s*", re.S)


def on_page_content(html_content: str, page: Any, config: Any, files: Files) -> str:
    """Typeset the page's math and draw its diagrams."""
    page_id = re.sub(r"[^a-z0-9]+", "-", page.file.src_uri.lower()).strip("-")
    try:
        if page.file.src_uri.endswith(".ipynb"):
            html_content = _NOTEBOOK_CHECK_COMMENT.sub("", html_content)  # equation checks: tests only
            html_content = notebook_math_to_arithmatex(html_content)
            # Code cells scroll sideways: make them reachable by keyboard (axe: scrollable-region-focusable).
            html_content = html_content.replace('<div class="highlight-ipynb', '<div tabindex="0" class="highlight-ipynb')
            # The copy button's hidden plain-text copy of each cell and its "Copied!" notice
            # stay out of the search index, which holds each cell's code once.
            html_content = html_content.replace('<div class="clipboard-copy-txt"', '<div class="clipboard-copy-txt" data-search-exclude')
            html_content = html_content.replace('<span class="notice" hidden="">', '<span class="notice" hidden="" data-search-exclude>')
        html_content = typeset_html(html_content)
    except TeXError as err:
        raise PluginError(f"{page.file.src_uri}: {err}") from err
    html_content = size_figures(draw_diagrams(html_content, page_id))
    return reference.process_page(html_content, page, files)  # "Used on" lines; `cr.name` links to its entry


def write_math_font(site_dir: Path) -> None:
    """Write the math font, cut down to the characters this build's formulas draw, where Temml's stylesheet expects it."""
    target = site_dir / MATH_FONT
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(typeset.subset_font(typeset.drawn))


def on_post_build(config: Any) -> None:
    """Close the diagram renderer's browser; write the math font; build the Spanish edition."""
    _renderer.close()
    write_math_font(Path(config.site_dir))
    if editions.language(config) == "en":
        editions.build_spanish(config, dirty=_dirty)
