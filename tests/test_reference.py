"""The API reference documents every public name, and the pages and the reference link to each other.

The reference (``docs/reference/api.md``) is rendered by mkdocstrings from the
docstrings; :mod:`chainrule_site.reference` checks its entries against
``chainrule.__all__`` at build time, writes each entry's "Used on" line and
links every ``cr.name`` of the pages to its entry.  These tests check the page
source against the package, the helpers on small inputs, the strict build on
a small site (a missing entry and a broken cross-reference fail it), and, on the
built site, that every link into the reference lands on an anchor that exists.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

import chainrule
from chainrule_site.reference import (
    API_PAGE,
    add_used_on,
    check_entries,
    entries,
    link_names,
    links_outside_code,
    python_blocks,
    uses,
)
from chainrule_site.testing import build_site

ROOT = Path(__file__).resolve().parents[1]
API = ROOT / "docs" / API_PAGE


# -- the page against the package -------------------------------------------------------------


def test_the_api_page_has_one_entry_per_public_name() -> None:
    documented = entries(API.read_text(encoding="utf-8"))
    assert sorted(documented) == sorted(chainrule.__all__)
    assert check_entries(API.read_text(encoding="utf-8")) == []


def test_each_entry_documents_the_object_that_chainrule_exports_under_its_name() -> None:
    import importlib

    for name, path in entries(API.read_text(encoding="utf-8")).items():
        module, _, attribute = path.rpartition(".")
        obj = importlib.import_module(path) if name == "datasets" else getattr(importlib.import_module(module), attribute)
        assert obj is getattr(chainrule, name), (name, path)


def test_check_entries_names_a_missing_entry_and_one_that_is_not_public() -> None:
    page = API.read_text(encoding="utf-8").replace("::: chainrule.activations.relu\n", "")
    page += "\n::: chainrule.layers.dense_backward\n"
    problems = "\n".join(check_entries(page))
    assert "chainrule.relu is public" in problems
    assert "'dense_backward' is not in chainrule.__all__" in problems


def test_check_entries_rejects_an_entry_for_another_object_of_the_same_name() -> None:
    page = API.read_text(encoding="utf-8").replace("::: chainrule.losses.cross_entropy\n",
                                                   "::: chainrule.engine.cross_entropy\n")
    assert check_entries(page) == [f"{API_PAGE}: `::: chainrule.engine.cross_entropy` is not the object chainrule.cross_entropy"]


def test_every_docstring_is_numpy_style_with_markdown_maths() -> None:
    """RST maths (``:math:``, ``.. math::``) and roles render as raw text; the docstrings use Markdown."""
    for path in sorted((ROOT / "src" / "chainrule").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r":(?:math|func|class|meth|mod|data|attr|exc):`|^\s*\.\. math::|::\n", text, re.M), path.name
        assert not re.search(r"^\s*(?:Args|Arguments|Keyword Args):\s*$", text, re.M), path.name  # Google style


# -- the helpers ------------------------------------------------------------------------------


def test_uses_reads_attributes_and_imports() -> None:
    code = (
        "import numpy as np\nimport chainrule as cr\nfrom chainrule import MLP\n"
        "from chainrule.gradcheck import check_gradient, DEFAULT_STEPS\nfrom chainrule.datasets import load_iris\n"
        "p = cr.softmax(np.zeros(3))\ncr.Dense.backward\n"
    )
    assert uses(code) == {"softmax", "Dense", "MLP", "check_gradient", "datasets"}


def test_uses_reads_a_fragment_that_does_not_parse() -> None:
    assert uses("p = cr.softmax(z\n") == {"softmax"}
    assert uses("x = cr.not_a_public_name(1)") == set()


def test_python_blocks_include_the_ones_nested_in_boxes() -> None:
    page = ('# P\n\n```python\nx = 1\n```\n\n??? note "Checked"\n\n    ```{.python continuation}\n    y = x\n    ```\n\n'
            "```text\nnot = python\n```\n")
    assert python_blocks(page) == ["x = 1", "y = x"]


DOCUMENTED = {"softmax": "chainrule.softmax.softmax", "Dense": "chainrule.layers.Dense"}


def test_link_names_links_the_name_token_of_highlighted_code() -> None:
    code = '<span class="n">cr</span><span class="o">.</span><span class="n">softmax</span><span class="p">(</span>'
    assert link_names(code, DOCUMENTED) == (
        '<span class="n">cr</span><span class="o">.</span><autoref identifier="chainrule.softmax.softmax" style="color: inherit">'
        '<span class="n">softmax</span></autoref><span class="p">(</span>')
    other = '<span class="n">np</span><span class="o">.</span><span class="n">softmax</span>'
    assert link_names(other, DOCUMENTED) == other


def test_link_names_links_inline_code_and_a_documented_method() -> None:
    assert link_names("<p><code>cr.softmax(z)</code></p>", DOCUMENTED) == (
        '<p><autoref identifier="chainrule.softmax.softmax"><code>cr.softmax(z)</code></autoref></p>')
    assert 'identifier="chainrule.layers.Dense.backward"' in link_names("<code>cr.Dense.backward</code>", DOCUMENTED)
    inside_a_link = '<a href="#x"><code>cr.softmax</code></a>'
    assert link_names(inside_a_link, DOCUMENTED) == inside_a_link
    assert link_names("<code>cr.unknown</code>", DOCUMENTED) == "<code>cr.unknown</code>"


def test_a_link_that_mkdocstrings_puts_inside_code_goes_around_it() -> None:
    """Dark scheme: link blue on the code background is 4.1:1; code inside a link keeps the code's colours."""
    html = '<code><autoref identifier="chainrule.layers.Grads" optional>Grads</autoref></code> and <code>x</code>'
    assert links_outside_code(html) == \
        '<autoref identifier="chainrule.layers.Grads" optional><code>Grads</code></autoref> and <code>x</code>'


def test_add_used_on_writes_one_line_per_entry_and_fails_on_a_missing_entry() -> None:
    rendered = ('<h3 id="chainrule.softmax.softmax" class="doc doc-heading">softmax</h3>'
                '<div class="doc doc-contents first"><p>Softmax.</p></div>')
    out = add_used_on(rendered, {"softmax": "chainrule.softmax.softmax"}, {"softmax": [("Page", "../../page/")]})
    assert '<div class="doc doc-contents first"><p class="api-used-on"><strong>Used on:</strong> ' \
           '<a href="../../page/">Page</a>.</p><p>Softmax.</p>' in out
    two = add_used_on(rendered, {"softmax": "chainrule.softmax.softmax"},
                      {"softmax": [("In practice: a, b", "a/"), ("B", "b/")]}, "es")
    assert '<strong>Se usa en:</strong> <a href="a/">In practice: a, b</a>; <a href="b/">B</a>.</p>' in two
    with pytest.raises(ValueError, match="no entry with id 'chainrule.layers.Dense'"):
        add_used_on(rendered, DOCUMENTED, {})


# -- the strict build on a small site -----------------------------------------------------------


def _reference_site(tmp_path: Path, api_page: str, home: str) -> Path:
    """A site of a home page and the API page, with the real config's hooks, theme and mkdocstrings options."""
    from mkdocs.utils import yaml_load

    real = yaml_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    plugins = [p for p in real["plugins"] if isinstance(p, dict) and set(p) & {"autorefs", "mkdocstrings"}]
    assert len(plugins) == 2, "mkdocs.yml lists autorefs and mkdocstrings"
    docs = tmp_path / "docs"
    (docs / "reference").mkdir(parents=True)
    (docs / "index.md").write_text(home)
    (docs / API_PAGE).write_text(api_page)
    config = tmp_path / "mkdocs.yml"
    config.write_text(
        f"INHERIT: {ROOT / 'mkdocs.yml'}\n"
        f"docs_dir: {docs}\n"
        f"hooks: [{ROOT / 'src/chainrule_site/hooks.py'}]\n"
        f"theme: {{custom_dir: {ROOT / 'src/chainrule_site/overrides'}}}\n"
        f"plugins: {json.dumps(['search', *plugins])}\n"
        "watch: []\n"
        f"nav: [index.md, {API_PAGE}]\n"
    )
    return config


HOME = "# Home\n\n```python\nimport numpy as np\nimport chainrule as cr\n\nassert cr.softmax(np.zeros(2))[0] == 0.5\n```\n"


def test_a_small_site_with_the_api_page_builds_and_links_both_ways(tmp_path: Path) -> None:
    result = build_site(_reference_site(tmp_path, API.read_text(encoding="utf-8"), HOME), tmp_path / "site")
    assert result.returncode == 0, result.stderr[-3000:]
    home = (tmp_path / "site" / "index.html").read_text()
    assert '<a class="autorefs autorefs-internal" href="reference/api/#chainrule.softmax.softmax" style="color: inherit">' \
           '<span class="n">softmax</span></a>' in home
    api = (tmp_path / "site" / "reference" / "api" / "index.html").read_text()
    used_on = re.search(r'id="chainrule\.softmax\.softmax".*?<p class="api-used-on">(.*?)</p>', api, re.S)
    assert used_on and '<a href="../../">Home</a>' in used_on[1]


def test_a_public_name_without_an_entry_fails_the_build(tmp_path: Path) -> None:
    page = API.read_text(encoding="utf-8").replace("::: chainrule.activations.sigmoid_grad\n", "")
    result = build_site(_reference_site(tmp_path, page, "# Home\n"), tmp_path / "site")
    assert result.returncode != 0
    assert "chainrule.sigmoid_grad is public" in result.stderr


def test_a_broken_cross_reference_fails_the_strict_build(tmp_path: Path) -> None:
    home = "# Home\n\nSee [`softmax`][chainrule.softmax.no_such_function].\n"
    result = build_site(_reference_site(tmp_path, API.read_text(encoding="utf-8"), home), tmp_path / "site")
    assert result.returncode != 0
    assert "chainrule.softmax.no_such_function" in result.stderr


# -- the built site ---------------------------------------------------------------------------------


@dataclass
class _Anchors:
    """The ids of a page and the hrefs of its links."""

    ids: set[str]
    hrefs: list[str]


_ID = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]+)"')
_HREF = re.compile(r'<a\s[^>]*?\bhref="([^"]*)"')


def _parse(page: Path) -> _Anchors:
    """Regular expressions over the built HTML, which the build writes with double-quoted attributes
    (an HTML parser took ~40 s over the site's 10,000-element pages on this machine)."""
    text = page.read_text(encoding="utf-8")
    return _Anchors({html.unescape(i) for i in _ID.findall(text)}, [html.unescape(h) for h in _HREF.findall(text)])


def _target(site: Path, page: Path, href: str) -> tuple[Path, str]:
    """The file a relative link of ``page`` points at, and its fragment."""
    base = "/" + page.relative_to(site).as_posix()
    url = urlparse(urljoin(base, href))
    path = site / url.path.lstrip("/")
    return (path / "index.html" if url.path.endswith("/") or path.is_dir() else path), url.fragment


def test_every_public_name_has_an_entry_with_a_used_on_line_in_the_built_reference(site: Path) -> None:
    api = site / "reference" / "api" / "index.html"
    html = api.read_text(encoding="utf-8")
    for name, path in entries(API.read_text(encoding="utf-8")).items():
        assert f'id="{path}"' in html, name
        assert re.search(rf'id="{re.escape(path)}".*?<p class="api-used-on">', html, re.S), name
    # The docstrings' maths is typeset by the site's Temml, not left as TeX or RST.
    assert ":math:" not in html and ".. math::" not in html
    assert not re.search(r'class="arithmatex">\\[(\[]', html)
    assert html.count("<math data-tex=") > 50
    assert not re.search(r"<code>\s*<a ", html), "a link inside code (axe: color-contrast in the dark scheme)"


def test_every_link_into_the_reference_and_from_it_lands_on_an_anchor_that_exists(site: Path) -> None:
    """Raw-HTML links are not validated by MkDocs: resolve each one against the built files."""
    api = site / "reference" / "api" / "index.html"
    parsed: dict[Path, _Anchors] = {}
    broken, links_in, used_on = [], 0, 0
    for page in sorted(site.rglob("*.html")):
        if "vendor" in page.parts:
            continue
        for href in (parsed.setdefault(page, _parse(page))).hrefs:
            if urlparse(href).scheme or href.startswith(("#", "mailto:")):
                continue
            target, fragment = _target(site, page, href)
            if target == api and page != api:
                links_in += 1
            elif page == api and target != api:
                used_on += 1
            else:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(site)}: {href} (no such file)")
            elif fragment and fragment not in parsed.setdefault(target, _parse(target)).ids:
                broken.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    assert not broken, "\n".join(broken)
    assert links_in > 100 and used_on > len(chainrule.__all__), (links_in, used_on)


def test_a_cr_name_in_a_pages_code_links_to_its_entry(site: Path) -> None:
    pages = [p for p in site.rglob("index.html") if '<span class="n">cr</span><span class="o">.</span>' in p.read_text()]
    assert pages
    for page in pages:
        html = page.read_text()
        unlinked = re.findall(r'<span class="n">cr</span><span class="o">\.</span><span class="n">(\w+)</span>', html)
        assert not [name for name in unlinked if name in chainrule.__all__], (page, unlinked)


# -- the README's example ----------------------------------------------------------------------------


def test_the_readme_example_is_five_lines_and_runs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using the package outside the site", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S)[1]  # type: ignore[index]
    assert len([line for line in code.splitlines() if line.strip()]) == 5
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102  (the README's own lines, checked like a page's)
