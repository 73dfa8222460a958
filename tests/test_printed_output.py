"""What a page shows under ``#>`` is what its code prints (chainrule_site.printed)."""

from __future__ import annotations

import pytest

from chainrule_site.printed import expected_outputs

ARGS = ("-p", "chainrule_site.pytest_plugin", "--markdown-docs", "--markdown-docs-syntax=superfences")

PAGE = '''# Output

```python
values = [1.5, 2.5]
print(sum(values))
#> 4.0
for v in values:
    print(v * 2)
#> 3.0
#> 5.0
```
'''


def test_shown_output_that_matches_passes(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", page=PAGE)
    pytester.runpytest(*ARGS, "page.md").assert_outcomes(passed=1)


def test_shown_output_that_differs_fails_naming_the_line_and_both_texts(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", page=PAGE.replace("#> 5.0", "#> 5.5"))
    result = pytester.runpytest(*ARGS, "page.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*line 9: the page shows*", "3.0", "5.5", "*but the code printed*", "3.0", "5.0"])


def test_printing_without_showing_the_output_fails(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", page=PAGE.replace("#> 4.0\n", ""))
    result = pytester.runpytest(*ARGS, "page.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*the page shows*", "(nothing)", "*but the code printed*", "4.0"])


def test_showing_output_the_code_does_not_print_fails(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", page=PAGE.replace("print(sum(values))", "total = sum(values)"))
    pytester.runpytest(*ARGS, "page.md").assert_outcomes(failed=1)


def test_output_block_follows_the_whole_statement() -> None:
    source = "x = 1\nprint(\n    x,\n)\n#> 1\nfor k in range(2):\n    print(k)\n#> 0\n#> 1\n"
    assert expected_outputs(source) == {2: (5, "1"), 7: (8, "0\n1")}
