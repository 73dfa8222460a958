"""Every page downloads as a Jupyter notebook that runs from a clean kernel.

:mod:`chainrule_site.page_notebooks` turns a page into a notebook; the build
puts it beside the page and the page offers it for download.  Here every
page's notebook is executed in a fresh kernel through
:func:`chainrule_site.notebooks.executed`, which caches a run by the
notebook's bytes and the package's sources: a page runs again only when it or
``src/chainrule`` changes.  The smaller tests pin down what the notebook
holds: its code cells are the page's blocks in order, continuation chains share
a session while independent blocks do not, and the first cells say how to
install ``chainrule`` and install it.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from chainrule_site import cache
from chainrule_site.notebooks import NotebookError, executed
from chainrule_site.page_notebooks import (
    REPOSITORY,
    SITE,
    SITE_ONLY_NOTE,
    notebook_name,
    notebook_text,
    page_notebook,
)
from chainrule_site.reference import python_blocks

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
#: The English pages (the Spanish pages' notebooks have the same code: see the Spanish tests below).
PAGES = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md") if "es" != path.relative_to(DOCS).parts[0])
NOTEBOOK_PAGES = [page for page in PAGES if python_blocks((DOCS / page).read_text(encoding="utf-8"))
                  and not page.startswith("reference/")]


def _written(text: str, name: str) -> Path:
    """The notebook's file under .cache/page-notebooks/, named by its content (what executed() reads)."""
    target = cache.path("page-notebooks", f"{cache.key(text)}/{name}")
    target.parent.mkdir(exist_ok=True)
    if not target.is_file():
        cache.write_atomically(target, text)
    return target


def _notebook(page: str) -> nbformat.NotebookNode:
    notebook = page_notebook((DOCS / page).read_text(encoding="utf-8"), page)
    assert notebook is not None
    return notebook


def _code_of(cell: nbformat.NotebookNode) -> str:
    """A code cell's block as on the page, or the block a repository-only Markdown cell shows."""
    if cell.cell_type == "code":
        return cell.source.removeprefix("%reset -f\n")
    return re.search(r"```python\n(.*)\n```", cell.source, re.S)[1]  # type: ignore[index]


def test_the_repository_and_the_site_are_those_of_mkdocs_yml() -> None:
    """The notebooks install from, and link to, the project that mkdocs.yml's default site_url names."""
    default = re.search(r'site_url: !ENV \[SITE_URL, "(?P<url>[^"]+)"\]', (ROOT / "mkdocs.yml").read_text())
    assert default and default["url"] == SITE
    owner, repository = re.fullmatch(r"https://([\w-]+)\.github\.io/([\w.-]+)/", SITE).groups()  # type: ignore[union-attr]
    assert REPOSITORY == f"https://github.com/{owner}/{repository}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_page_notebook_runs_from_a_clean_kernel(page: str) -> None:
    text = notebook_text((DOCS / page).read_text(encoding="utf-8"), page)
    assert text is not None
    ran = nbformat.read(executed(_written(text, notebook_name(page))), as_version=4)  # NotebookError if a cell raises
    assert not [out for cell in ran.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_code_is_the_pages_blocks_in_order(page: str) -> None:
    """Nested blocks included; a block that needs the repository is shown, in its place, as code."""
    notebook = _notebook(page)
    shown = [_code_of(cell) for cell in notebook.cells[2:]
             if cell.cell_type == "code" or cell.source.startswith(SITE_ONLY_NOTE)]
    assert shown == python_blocks((DOCS / page).read_text(encoding="utf-8"))
    if "chainrule_site" not in "".join(shown):  # only the site's own code keeps a block from running
        assert not [cell for cell in notebook.cells if cell.source.startswith(SITE_ONLY_NOTE)]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_prose_keeps_the_maths_as_tex_without_the_hidden_checks(page: str) -> None:
    markdown = "\n".join(cell.source for cell in _notebook(page).cells if cell.cell_type == "markdown")
    assert "<!--" not in markdown and "eq:check" not in markdown
    assert "\\label{" not in markdown
    outside_code = re.sub(r"```.*?```|`[^`\n]*`", "", markdown, flags=re.S)
    assert "\\(" not in outside_code
    source = (DOCS / page).read_text(encoding="utf-8")
    if "$$" in source:
        assert "$$" in markdown


def test_the_first_cells_say_how_to_install_and_install_chainrule() -> None:
    notebook = _notebook("softmax/jacobian.md")
    intro, install = notebook.cells[0], notebook.cells[1]
    assert intro.cell_type == "markdown" and install.cell_type == "code"
    assert f'pip install "git+{REPOSITORY}"' in intro.source
    assert "Jupyter" in intro.source and "Colab" in intro.source
    assert f'%pip install --quiet "git+{REPOSITORY}"' in install.source
    assert 'find_spec("chainrule") is None' in install.source


def test_a_page_whose_code_uses_torch_installs_it_too() -> None:
    page = "# T\n\n```python\nimport torch\n\nassert torch.ones(1).item() == 1.0\n```\n"
    assert "%pip install --quiet torch" in page_notebook(page, "t.md").cells[1].source  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="'pandas'"):
        page_notebook("# T\n\n```python\nimport pandas\n```\n", "t.md")


def test_a_page_without_python_blocks_gets_no_notebook() -> None:
    assert page_notebook("# Text only\n\n```text\nno code\n```\n", "t.md") is None
    assert page_notebook((DOCS / "reference/api.md").read_text(encoding="utf-8"), "reference/api.md") is None


PAGE = '''# A page

Some maths \\(p - y\\), a [link](other/page.md#part) and ![a figure](figures/f.svg).

$$
p = \\operatorname{softmax}(z) \\label{p}
$$

<!-- eq:check
z = 1.0
-->

```python
x = 1
```

```{.python continuation}
assert x == 1
x += 1
```

??? note "Checked"

    ```python
    assert "x" not in globals()  # a block that starts afresh does not see x
    y = 2
    ```

```{.python continuation}
from chainrule_site.paths import DOCS
z = y + 1
```

```{.python continuation}
assert z == 3
```

```{.python continuation}
assert y == 2  # does not read what the repository-only block made: runs
```
'''


def test_chains_share_a_kernel_and_independent_blocks_start_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    notebook = page_notebook(PAGE, "chapter/a-page.md")
    assert notebook is not None
    cells = notebook.cells[2:]
    code = [cell.source for cell in cells if cell.cell_type == "code"]
    assert code == ["%reset -f\nx = 1", "assert x == 1\nx += 1",
                    '%reset -f\nassert "x" not in globals()  # a block that starts afresh does not see x\ny = 2',
                    "assert y == 2  # does not read what the repository-only block made: runs"]
    site_only = [cell.source for cell in cells if cell.source.startswith(SITE_ONLY_NOTE)]
    assert len(site_only) == 2 and "chainrule_site" in site_only[0] and "assert z == 3" in site_only[1]
    prose = cells[0].source
    assert "$p - y$" in prose and "\\tag{1}" in prose and '<a id="eq-p"></a>' in prose and "eq:check" not in prose
    assert f"[link]({SITE}chapter/other/page/#part)" in prose and f"]({SITE}chapter/figures/f.svg)" in prose
    assert any(cell.source.strip() == "**Checked**" for cell in cells if cell.cell_type == "markdown")
    path = tmp_path / "a-page.ipynb"
    nbformat.write(notebook, path)
    executed(path)  # the %reset -f block would fail if it saw x


def test_without_reset_an_independent_block_would_see_the_previous_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control for the test above: the same cells without ``%reset -f`` fail."""
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    notebook = page_notebook(PAGE, "chapter/a-page.md")
    assert notebook is not None
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = cell.source.removeprefix("%reset -f\n")
    path = tmp_path / "no-reset.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(NotebookError, match="a block that starts afresh"):
        executed(path)


def test_notebook_names_follow_the_page_paths() -> None:
    assert notebook_name("softmax/jacobian.md") == "chainrule-softmax-jacobian.ipynb"
    assert notebook_name("index.md") == "chainrule.ipynb"
    assert notebook_name("chain-rule/index.md") == "chainrule-chain-rule.ipynb"


def test_every_page_offers_its_notebook_and_the_download_is_what_the_tests_ran(site: Path) -> None:
    for page in NOTEBOOK_PAGES:
        stem = page.removesuffix(".md").removesuffix("index")
        html = (site / stem / "index.html").read_text(encoding="utf-8")
        link = re.search(r'<a href="(?P<href>[^"]+\.ipynb)" download class="md-content__button', html)
        assert link, f"{page} offers no notebook"
        served = (site / stem / link["href"]).read_text(encoding="utf-8")
        assert served == notebook_text((DOCS / page).read_text(encoding="utf-8"), page), page
        # ... and the same page in Spanish offers its Spanish notebook.
        html = (site / "es" / stem / "index.html").read_text(encoding="utf-8")
        link = re.search(r'<a href="(?P<href>[^"]+\.ipynb)" download class="md-content__button', html)
        assert link, f"es/{page} offers no notebook"
        served = (site / "es" / stem / link["href"]).read_text(encoding="utf-8")
        assert served == notebook_text((DOCS / "es" / page).read_text(encoding="utf-8"), page, "es"), f"es/{page}"


def _code(notebook: nbformat.NotebookNode) -> list[list[str]]:
    """The code cells without their comments (which a translation may change)."""
    from chainrule_site.translations import _python_tokens

    return [_python_tokens(cell.source.replace("%reset -f", "reset_marker()").replace("%pip", "pip_marker"))
            for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_the_spanish_page_notebook_runs_the_english_code_with_spanish_prose(page: str) -> None:
    """Executing it again would run the same code: the English notebook's run covers it.

    Its prose is the Spanish page's, its first cell Spanish, its links lead to the Spanish edition.
    """
    english = page_notebook((DOCS / page).read_text(encoding="utf-8"), page)
    spanish = page_notebook((DOCS / "es" / page).read_text(encoding="utf-8"), page, "es")
    assert english is not None and spanish is not None
    assert _code(spanish) == _code(english)
    assert spanish.cells[0].source.startswith("# ") and "Este cuaderno es la página" in spanish.cells[0].source
    assert spanish.metadata["chainrule"]["url"] == english.metadata["chainrule"]["url"].replace(SITE, SITE + "es/")
    prose = "\n".join(cell.source for cell in spanish.cells[2:] if cell.cell_type == "markdown")
    assert prose and prose != "\n".join(cell.source for cell in english.cells[2:] if cell.cell_type == "markdown")
    assert "translation_of" not in prose, "the page's front matter leaked into its notebook"
    site_links = re.findall(rf"\]\(({re.escape(SITE)}[^)#]*)", prose)
    assert all(link.startswith(SITE + "es/") for link in site_links), site_links
