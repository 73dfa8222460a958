"""The built Spanish edition (``es/``): every page in Spanish, its frame Spanish, its notebooks notebooks.

The browser checks of every Spanish page (maths, diagrams, axe in both schemes…)
are the same classes as the English pages' in tests/test_browser.py; the
switcher and the Spanish search are tested there too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chainrule_site.translations import english_pages

ROOT = Path(__file__).resolve().parents[1]


def _html(site: Path, page: str) -> str:
    stem = page.rsplit(".", 1)[0].removesuffix("index")
    return (site / stem / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("page", english_pages())
def test_each_page_exists_in_both_editions_in_its_language(site: Path, page: str) -> None:
    english, spanish = _html(site, page), _html(site / "es", page)
    assert '<html lang="en"' in english and '<html lang="es"' in spanish
    # The frame speaks the page's language: Material's own strings and ours.
    assert 'placeholder="Búsqueda"' in spanish and 'placeholder="Search"' in english
    # The switcher: on either side, both editions of this very page.
    for html, here in ((english, ""), (spanish, "es/")):
        links = dict(re.findall(r'<a href="([^"]+)" hreflang="(en|es)"[^>]*class="md-select__link"', html))
        assert sorted(links.values()) == ["en", "es"], links
        stem = page.rsplit(".", 1)[0].removesuffix("index")
        depth = here + stem
        for href, lang in links.items():
            target = (Path("/site") / depth / href).resolve()
            assert target == (Path("/site") / ("es/" if lang == "es" else "") / stem).resolve(), (page, lang, href)


@pytest.mark.parametrize("notebook", [p for p in english_pages() if p.endswith(".ipynb")])
def test_the_notebook_pages_render_as_notebooks_in_both_languages(site: Path, notebook: str) -> None:
    """Not as their raw JSON (the trap of mkdocs-static-i18n with mkdocs-jupyter), and with their outputs."""
    for edition in (site, site / "es"):
        html = _html(edition, notebook)
        assert '"nbformat"' not in html and '"cell_type"' not in html
        assert html.count('class="jp-Cell ') > 5 and "jp-OutputArea" in html
    english = json.loads((ROOT / "docs" / notebook).read_text(encoding="utf-8"))
    first = "".join(english["cells"][0]["source"]).splitlines()[0].lstrip("# ")
    assert first in _html(site, notebook) and first not in _html(site / "es", notebook)


def test_the_spanish_search_index_is_spanish(site: Path) -> None:
    index = json.loads((site / "es" / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"] == ["es"]
    locations = {doc["location"] for doc in index["docs"]}
    assert "softmax/gradient/" in locations  # relative to es/: the Spanish pages only
    assert any("retropropagación" in doc["text"] for doc in index["docs"])


def test_the_spanish_reference_says_used_on_in_spanish(site: Path) -> None:
    html = _html(site / "es", "reference/api.md")
    assert html.count("<strong>Se usa en:</strong>") > 20 and "<strong>Used on:</strong>" not in html


def test_spanish_figures_are_the_spanish_drawings(site: Path) -> None:
    """Same names on both sides, different drawings (the labels), each SVG on its edition's pages."""
    english = sorted(p.name for p in (site / "figures").glob("*.svg"))
    assert english and english == sorted(p.name for p in (site / "es" / "figures").glob("*.svg"))
    for name in english:
        assert (site / "figures" / name).read_bytes() != (site / "es" / "figures" / name).read_bytes(), name
