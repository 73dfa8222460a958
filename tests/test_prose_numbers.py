"""Every measured number in a page's prose is stated by a code block on the same page."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule_site.prose_numbers import code_literals, prose_numbers, unbacked_numbers

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(DOCS.rglob("*.md")) + sorted(DOCS.rglob("*.ipynb"))


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(DOCS)) for p in PAGES])
def test_every_number_in_the_prose_is_asserted_by_the_page_code(page: Path) -> None:
    missing = unbacked_numbers(page)
    assert not missing, f"{page.relative_to(DOCS)}: numbers in the prose that no code block on the page states:\n" + \
        "\n".join(f"  line {n.line}: {n.text} (= {n.value:g})" for n in missing)


def test_the_pages_make_numeric_claims_at_all() -> None:
    # the guard is not vacuous: the pages do quote measured numbers
    assert sum(len(prose_numbers(p.read_text())) for p in PAGES if p.suffix == ".md") >= 50


PAGE = r"""# Numbers

The error is about $10^{-13}$, $p_1 \approx 0.59$, $\varepsilon \approx 2.2\times10^{-16}$,
and 97 % of them; $C = 4$ classes and 26 drills are counts; CC BY 4.0 is a licence.
See [the page](other.md#section-1.5) and `x = 0.25`.

$$
y = 0.125
$$

```python
assert round(p1, 2) == 0.59
```
"""


def test_powers_of_ten_decimals_and_percentages_are_found_but_counts_are_not() -> None:
    found = {(n.text, n.value) for n in prose_numbers(PAGE)}
    assert found == {("10^{-13}", 1e-13), ("0.59", 0.59), ("2.2\\times10^{-16}", 2.2e-16), ("97 %", 0.97)}


def test_a_number_is_backed_only_by_a_literal_in_a_code_block() -> None:
    assert code_literals(PAGE) == {0.59}
    unbacked = {n.text for n in prose_numbers(PAGE)} - {"0.59"}
    assert unbacked == {"10^{-13}", "2.2\\times10^{-16}", "97 %"}
