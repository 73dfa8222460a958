"""The Spanish edition is the English one in other words: same code, equations, checks, figures, drills.

:mod:`chainrule_site.translations` compares each Spanish page with its English
page; these tests run it on every page, and show on small pages that it catches
each kind of drift (and lets through what a translation may change).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chainrule_site import editions, translations
from chainrule_site.paths import DOCS, ROOT


@pytest.mark.parametrize("page", translations.english_pages())
def test_the_spanish_page_matches_its_english_page(page: str) -> None:
    spanish = translations.SPANISH / page
    assert spanish.is_file(), f"docs/{page} has no Spanish page docs/es/{page}"
    found = translations.differences(spanish)
    assert not found, f"docs/es/{page} drifted from docs/{page}:\n  " + "\n  ".join(found)


def test_every_spanish_page_translates_an_english_page() -> None:
    spanish = sorted(str(p.relative_to(translations.SPANISH)) for p in translations.SPANISH.rglob("*")
                     if p.suffix in (".md", ".ipynb"))
    assert spanish == translations.english_pages()


def _nav_files(nav: list) -> list[str]:
    return [page for _, page in _nav_titles(nav)]


def _nav_sections(nav: list) -> list[int]:
    return [len(next(iter(e.values()))) if isinstance(e, dict) and isinstance(next(iter(e.values())), list) else 0
            for e in nav]


def test_the_spanish_navigation_has_the_english_pages_in_the_english_order() -> None:
    english = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)["nav"]
    spanish = yaml.safe_load(editions.OVERLAY.read_text(encoding="utf-8"))["nav"]
    assert _nav_files(spanish) == _nav_files(english)
    assert _nav_sections(spanish) == _nav_sections(english)


def _nav_titles(nav: list) -> list[tuple[str, str]]:
    out = []
    for entry in nav:
        title, value = next(iter(entry.items()))
        out += _nav_titles(value) if isinstance(value, list) else [(title, value)]
    return out


def _title(path: Path) -> str:
    import json
    import re

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        text = "".join(json.loads(text)["cells"][0]["source"])
    found = re.search(r"^# +(.+?)\s*$", text, re.M)
    return found[1] if found else ""


def test_a_spanish_navigation_title_is_the_page_title_where_the_english_one_is() -> None:
    """The Spanish menu names a page as its heading does, wherever the English menu does ("Used on" lists use them too)."""
    english = _nav_titles(yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)["nav"])
    spanish = _nav_titles(yaml.safe_load(editions.OVERLAY.read_text(encoding="utf-8"))["nav"])
    mismatched = [(page, es_title, _title(translations.SPANISH / page))
                  for (en_title, page), (es_title, _) in zip(english, spanish)
                  if en_title == _title(DOCS / page) and es_title != _title(translations.SPANISH / page)]
    assert mismatched == []


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml, whose !ENV and !!python/name tags do not matter here."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def test_blob_id_is_gits() -> None:
    """``git hash-object`` of a file with these bytes (git's documented blob id of "what is up, doc?")."""
    assert translations.blob_id(b"what is up, doc?") == "bd9dbf5aae1a3862dd1526723246b20206e5fc37"


# -- the check catches drift -------------------------------------------------------------------

ENGLISH = """# A page

Text with $p - y$ and a link to [the other](other.md#a-section).

## A section

$$
\\nabla_z L = p - y \\quad \\text{for one sample} \\label{grad}
$$
<!-- eq:check logits -->

![A figure of the gradient.](figures/grad.svg)

```python
import numpy as np  # the array library
x = np.array([1.0, 2.0])
print(x.sum())
#> 3.0
```

??? question "Drill 6.1 — a gradient"

    Text.

    ```{.python continuation}
    assert x.sum() == 3.0  # the sum
    ```

```mermaid
flowchart LR
    accTitle: Two boxes
    a["input"] --> b["output"]
```
"""

SPANISH_OK = """---
translation_of: {id}
---
# Una página

Texto con $p - y$ y un enlace a [la otra](other.md#a-section).

## Una sección {{#a-section}}

$$
\\nabla_z L = p - y \\quad \\text{{para una muestra}} \\label{{grad}}
$$
<!-- eq:check logits -->

![Una figura del gradiente.](figures/grad.svg)

```python
import numpy as np  # la biblioteca de arrays
x = np.array([1.0, 2.0])
print(x.sum())
#> 3.0
```

??? question "Ejercicio 6.1 — un gradiente"

    Texto.

    ```{{.python continuation}}
    assert x.sum() == 3.0  # la suma
    ```

```mermaid
flowchart LR
    accTitle: Dos cajas
    a["entrada"] --> b["salida"]
```
"""


@pytest.fixture
def pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A one-page English edition in tmp_path/docs and a writer for its Spanish page."""
    docs = tmp_path / "docs"
    (docs / "es").mkdir(parents=True)
    (docs / "page.md").write_text(ENGLISH, encoding="utf-8")
    monkeypatch.setattr(translations, "DOCS", docs)
    monkeypatch.setattr(translations, "SPANISH", docs / "es")
    english_id = translations.blob_id(ENGLISH.encode())

    def write(text: str) -> list[str]:
        (docs / "es" / "page.md").write_text(text, encoding="utf-8")
        return translations.differences(docs / "es" / "page.md")

    write.ok = SPANISH_OK.format(id=english_id)  # type: ignore[attr-defined]
    return write


def test_a_faithful_translation_passes(pages) -> None:
    assert pages(pages.ok) == []


@pytest.mark.parametrize(("change", "expected"), [
    (("x = np.array([1.0, 2.0])", "x = np.array([1.0, 2.5])"), "code #1"),
    (("print(x.sum())", 'print("suma", x.sum())'), "code #1"),
    (("#> 3.0", "#> 3.00"), "code #1"),
    (("assert x.sum() == 3.0", "assert x.sum() >= 3.0"), "code #2"),
    (('a["entrada"] --> b["salida"]', 'a["entrada"] --> c["salida"]'), "code #3"),
    (("p - y \\quad", "y - p \\quad"), "display equations"),
    (("\\label{grad}", "\\label{gradient}"), "display equations"),
    (("<!-- eq:check logits -->", "<!-- eq:check logits\nz = z + 1\n-->"), "comments"),
    (("figures/grad.svg", "figures/grad-es.svg"), "figures"),
    (("Ejercicio 6.1", "Ejercicio 6.2"), "boxes"),
    (('??? question "Ejercicio', '??? note "Ejercicio'), "boxes"),
    (("Texto con $p - y$", "Texto con $y - p$"), "inline maths"),
    (("Texto con $p - y$", "Texto con \\(p + y\\)"), "inline maths"),
    (("## Una sección {#a-section}", "## Una sección"), "English anchor {#a-section}"),
    (("## Una sección {#a-section}", "### Una sección {#a-section}"), "headings: levels"),
])
def test_each_kind_of_drift_is_caught(pages, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in pages.ok
    found = pages(pages.ok.replace(old, new, 1))
    assert found and expected in found[0], found


def test_translated_comments_and_words_in_text_pass(pages) -> None:
    changed = pages.ok.replace("# la suma", "# la suma de x").replace("{para una muestra}", "{para un ejemplo}")
    assert pages(changed) == []


def test_a_stale_or_missing_translation_id_is_named(pages) -> None:
    stale = pages(pages.ok.replace(pages.ok.split("translation_of: ")[1][:40], "0" * 40))
    assert len(stale) == 1 and "translates an older English text" in stale[0] and "git diff 000000000000" in stale[0]
    missing = pages(pages.ok.split("---\n", 2)[2])
    assert len(missing) == 1 and "records no `translation_of:` id" in missing[0]


def test_the_docs_folder_is_the_one_the_check_reads() -> None:
    assert translations.DOCS == DOCS and translations.SPANISH == DOCS / "es"


def _glossary_rows(path: Path) -> list[list[str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not set(line) <= set("|-: "):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows[1:] if rows else rows


def test_both_glossaries_pair_the_same_terms() -> None:
    """Each row of the English glossary (English | Español | ...) is the Spanish one's (Español | English | ...)."""
    english = _glossary_rows(DOCS / "glossary.md")
    spanish = _glossary_rows(translations.SPANISH / "glossary.md")
    pairs_en = [(row[0], row[1]) for row in english if len(row) == 3]
    pairs_es = [(row[1], row[0]) for row in spanish if len(row) == 3]
    assert len(pairs_en) > 60 and pairs_en == pairs_es
