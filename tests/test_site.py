"""The site builds strictly, serves its own assets and calls no third-party host."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chainrule_site.testing import build_site as build

ROOT = Path(__file__).resolve().parents[1]


def test_site_builds_strictly(site: Path) -> None:
    assert (site / "index.html").is_file()


class _Resources(HTMLParser):
    """Collect every URL the browser fetches by itself when it reads a page."""

    FETCHED = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
               ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and found.get("rel") in {"canonical", "alternate", "prev", "next"}:
            return  # navigation hints, never fetched
        for name, value in attrs:
            if (tag, name) in self.FETCHED and value:
                self.urls.append(value)


def test_pages_fetch_nothing_from_a_third_party_host(site: Path) -> None:
    offenders = []
    for page in site.rglob("*.html"):
        parser = _Resources()
        parser.feed(page.read_text())
        offenders += [f"{page.relative_to(site)}: {url}" for url in parser.urls if urlparse(url).netloc]
    for sheet in site.rglob("*.css"):
        offenders += [f"{sheet.relative_to(site)}: {url}" for url in re.findall(r"url\(\s*['\"]?(https?:)?//[^)]*\)", sheet.read_text())]
        offenders += [f"{sheet.relative_to(site)}: {imp}" for imp in re.findall(r"@import[^;]*https?://[^;]*;", sheet.read_text())]
    assert not offenders, "third-party resources:\n" + "\n".join(offenders)


def test_temml_stylesheet_and_fonts_are_served_by_the_site(site: Path) -> None:
    for edition in (site, site / "es"):
        sheet = (edition / "vendor/temml/Temml-Latin-Modern.css").read_text()
        referenced = set(re.findall(r"url\(['\"]?(?:\./)?([\w-]+\.woff2)", sheet))
        served = {f.name for f in (edition / "vendor/temml").glob("*.woff2")}
        assert referenced == {"Temml.woff2", "latinmodernmath.woff2"} and referenced <= served, (referenced, served)
        ours = (edition / "stylesheets/extra.css").read_text()
        assert 'url("../vendor/temml/latinmodernmath.woff2")' in ours


def test_the_math_font_draws_every_character_of_every_formula(site: Path) -> None:
    """The served font is the subset hooks.write_math_font cut: it has a glyph for each character
    the edition's formulas draw (the italic letters too), and its MATH table, and nothing more than it needs."""
    import io

    from fontTools.ttLib import TTFont

    from chainrule_site.typeset import FONT, MATH_ITALIC, characters

    full = TTFont(FONT).getBestCmap()
    for edition in (site, site / "es"):
        font = TTFont(io.BytesIO((edition / "vendor/temml/latinmodernmath.woff2").read_bytes()))
        cmap = set(map(chr, font.getBestCmap()))
        drawn: set[str] = set()
        pages = [p for p in edition.rglob("*.html") if edition != site or p.relative_to(site).parts[0] != "es"]
        for page in pages:
            for math in re.findall(r"<math\b.*?</math>", page.read_text(), re.S):
                drawn |= characters(math)
        missing = {c for c in drawn | MATH_ITALIC if not c.isspace()} - cmap
        # Temml's accent for \bar, U+203E, is not in Latin Modern Math at all; the
        # browser takes that one glyph from another font. Any other gap is a subset bug.
        assert missing == (drawn & {"\u203e"}), f"{edition}: no glyph for {sorted(missing)}"
        assert 0x203E not in full, "Latin Modern Math now has U+203E: drop the exception above"
        assert "MATH" in font and len(font.getGlyphOrder()) < 2_000, len(font.getGlyphOrder())


def test_math_and_diagrams_are_rendered_at_build_time(site: Path) -> None:
    """Pages ship typeset math (MathML) and SVG diagrams; no page loads a math or mermaid script."""
    pages = [p for p in site.rglob("*.html") if "vendor" not in p.parts]
    math_pages = diagram_pages = 0
    for page in pages:
        html = page.read_text()
        assert '<pre class="mermaid">' not in html, f"{page}: an undrawn mermaid block"
        assert not re.search(r'class="arithmatex">\\[(\[]', html), f"{page}: untypeset TeX"
        assert not re.search(r"<script[^>]*\bsrc=[^>]*(mermaid|temml|katex|mathjax)", html, re.I), page
        math_pages += "<math data-tex=" in html
        diagram_pages += html.count('<div class="diagram') > 0
        # One SVG per diagram, its dark colours in its stylesheet (diagrams.merge_themes).
        assert "diagram--dark" not in html, f"{page}: a diagram shipped twice (light and dark)"
    assert math_pages >= 5 and diagram_pages >= 1, (math_pages, diagram_pages)
    assert not list(site.rglob("mermaid*.js")), "mermaid is shipped to readers"


def test_no_git_tracked_file_is_a_vendored_asset() -> None:
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
    assert not [t for t in tracked if re.search(r"katex|temml", t, re.I) and t.endswith((".js", ".css", ".woff2"))]
    assert not [t for t in tracked if t.endswith((".woff2", ".otf")) and t != "src/chainrule_site/fonts/latinmodern-math.woff2"]
    assert not [t for t in tracked if t.endswith("mermaid.min.js")]


def _tiny_site_with(tmp_path: Path, page: str) -> Path:
    """A two-page site (a home page and ``page``) built with the real site's config, hooks and theme.

    The broken-page cases need the site's markdown extensions, hooks and
    strict validation, not its pages: a tiny site builds in seconds.
    """
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\n## A heading\n\nSome text with $x^2$.\n")
    (docs / "broken.md").write_text(page)
    path = tmp_path / "mkdocs.yml"
    path.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {docs}\n"
        f"hooks: [{ROOT / 'src/chainrule_site/hooks.py'}]\n"
        f"theme: {{custom_dir: {ROOT / 'src/chainrule_site/overrides'}}}\n"
        "plugins: [search]\n"
        "watch: []\n"
        "nav: [index.md, broken.md]\n"
    )
    return path


def test_the_tiny_site_used_below_builds_cleanly_without_a_broken_page(tmp_path: Path) -> None:
    """The control for the next test: the same tiny site with a good second page builds."""
    good = "# Fine\n\nSee [home](index.md#a-heading), $x^2$ and\n\n```mermaid\ngraph LR\n  a --> b\n```\n"
    result = build(_tiny_site_with(tmp_path, good), tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize(
    ("page", "complaint"),
    [
        ("# Broken\n\nSee [nowhere](missing-page.md).\n", "missing-page.md"),
        ("# Broken\n\nSee [a missing anchor](index.md#no-such-heading).\n", "no-such-heading"),
        ("# Broken\n\nSee [an absolute link](/index.md).\n", "/index.md"),
        ("# Broken\n\nBad TeX: $\\frac{1}{$.\n", "Temml cannot typeset"),
        ("# Broken\n\n```mermaid\ngraph LR\n  a --> --> b\n```\n", "mermaid cannot draw"),
    ],
    ids=["missing-page", "missing-anchor", "absolute-link", "bad-tex", "bad-diagram"],
)
def test_strict_build_fails_on_a_broken_page(tmp_path: Path, page: str, complaint: str) -> None:
    result = build(_tiny_site_with(tmp_path, page), tmp_path / "site")
    assert result.returncode != 0, "a broken page did not fail the strict build"
    assert complaint in result.stderr


def test_equation_checks_stay_out_of_the_built_pages(site: Path) -> None:
    # the <!-- eq:... --> comments bind an equation's symbols for the tests; readers never download them
    leaked = [str(page.relative_to(site)) for page in site.rglob("*.html") if "<!-- eq:" in page.read_text()]
    assert not leaked, leaked


#: What src/chainrule_site/overrides/main.html puts in <head>: Material's own start-up
#: changes of <html> (no-js -> js, focus-visible marks), made before the body exists.
HEAD_SCRIPT_START = '<script>(function(){var h=document.documentElement;h.classList.replace("no-js","js");'


def test_pages_start_the_theme_in_head_before_the_stylesheets(site: Path) -> None:
    pages = [p for p in site.rglob("*.html") if p.name == "index.html" and 'http-equiv="refresh"' not in p.read_text()]
    assert len(pages) >= 10  # every page of the theme (the redirect pages of old URLs are not theme pages)
    late = [str(p.relative_to(site)) for p in pages
            if not -1 < p.read_text().find(HEAD_SCRIPT_START) < p.read_text().find('rel="stylesheet"')]
    assert not late, f"pages without the start-up script before their stylesheets: {late}"


def test_theme_widgets_have_accessible_names(site: Path) -> None:
    page = (site / "index.html").read_text()
    assert 'role="dialog" aria-label="Search"' in page
    assert 'role="progressbar" aria-label="Loading page"' in page


@pytest.mark.parametrize("partial", ["search.html", "progress.html"])
def test_overridden_partials_differ_from_materials_only_by_their_aria_label(partial: str) -> None:
    """A Material upgrade that changes a partial we override fails here: copy the new one, re-add the label."""
    import material

    theirs = (Path(material.__file__).parent / "templates" / "partials" / partial).read_text().splitlines()
    ours = (ROOT / "src" / "chainrule_site" / "overrides" / "partials" / partial).read_text().splitlines()
    theirs = [line for line in theirs if not line.startswith(("{#-", "  This file", "-#}"))]
    ours = [re.sub(r'(role="(?:dialog|progressbar)") aria-label="[^"]*"', r"\1", line)
            for line in ours if not line.startswith("{#-")]
    assert ours == theirs


def test_search_index_holds_each_formula_and_notebook_cell_once(site: Path) -> None:
    """typeset.with_tex (TeX in an attribute) and hooks.py keep each formula's TeX and notebook copy text out of it."""
    import json

    docs = json.loads((site / "search" / "search_index.json").read_text())["docs"]
    text = {doc["location"]: doc["text"] for doc in docs}
    tex = [loc for loc, body in text.items() if re.search(r"\\(frac|partial|sigma|nabla|underbrace)\b", body)]
    assert not tex, f"TeX source in the search index: {tex}"
    sigmoid = text["drills/#derivatives-of-the-building-blocks"]
    assert sigmoid.count("σ(z)=1/(1+e−z)") == 1, sigmoid[:300]
    notebook = text["notebooks/iris/"]
    assert "Copied!" not in notebook
    assert notebook.count("from chainrule.datasets import IRIS_FEATURES") == 1


def test_each_formula_keeps_its_tex_as_an_attribute() -> None:
    from chainrule_site.typeset import TeXError, with_tex

    assert with_tex("<math><mi>x</mi></math>", 'a<b & "c"') == '<math data-tex="a&lt;b &amp; &quot;c&quot;"><mi>x</mi></math>'
    with pytest.raises(TeXError, match="found 2"):
        with_tex("<math><mi>x</mi></math><math><mi>y</mi></math>", "x")
    with pytest.raises(TeXError, match="found 0"):
        with_tex('<span class="katex">x</span>', "x")


@pytest.mark.parametrize(("old", "new"), [("chain-rule/", "chain-rule/jacobians/"),
                                          ("total-derivative/", "chain-rule/total-derivative/"),
                                          ("softmax-cross-entropy/", "softmax/jacobian/"),
                                          ("mlp-backprop/", "mlp/forward/")])
def test_the_old_chapter_urls_redirect_to_their_first_section(site: Path, old: str, new: str) -> None:
    import posixpath

    page = (site / old / "index.html").read_text()
    target = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page)
    assert target, page[:500]
    assert posixpath.normpath(posixpath.join(old, target[1])) + "/" == new
    assert (site / new / "index.html").is_file()


def test_every_registered_figure_is_shown_on_a_page() -> None:
    """A figure no page shows would still be drawn at every build: none is registered that way."""
    from chainrule_site.figures import load_all

    shown = "".join(p.read_text() for p in (ROOT / "docs").rglob("*.md"))
    unused = [name for name in load_all() if f"figures/{name}.svg" not in shown]
    assert unused == [], f"figures no page shows: {unused}"
