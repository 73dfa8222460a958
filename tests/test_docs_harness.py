"""The docs-as-tests harness runs every Python fence of docs/, nested ones included."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chainrule_site.fences import expose_nested_blocks, python_fence_lines

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))

SOLUTION_PAGE = '''# A drill

Intro.

```python
value = 41
```

??? success "Solution"

    The answer follows.

    ```{.python continuation}
    value += 1
    assert value == 42
    raise RuntimeError("the nested solution block ran")
    ```
'''


def test_fence_inside_a_solution_block_is_collected_and_run(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", drill=SOLUTION_PAGE)
    result = pytester.runpytest(
        "-p", "chainrule_site.pytest_plugin", "--markdown-docs", "--markdown-docs-syntax=superfences", "drill.md"
    )
    # Two fences, the nested one fails on purpose: it was collected and it ran,
    # with the continuation of the first fence (value == 42 passed).
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*the nested solution block ran*"])


def test_failing_nested_block_reports_its_true_line(pytester: pytest.Pytester) -> None:
    pytester.makefile(".md", drill=SOLUTION_PAGE)
    result = pytester.runpytest(
        "-p", "chainrule_site.pytest_plugin", "--markdown-docs", "--markdown-docs-syntax=superfences", "drill.md"
    )
    raise_line = SOLUTION_PAGE.splitlines().index('    raise RuntimeError("the nested solution block ran")') + 1
    result.stdout.fnmatch_lines([f"*drill.md*{raise_line}*"])


def test_without_the_harness_the_nested_fence_is_skipped(pytester: pytest.Pytester) -> None:
    """The control: plain pytest-markdown-docs does not see the solution, so the harness is needed."""
    pytester.makefile(".md", drill=SOLUTION_PAGE)
    result = pytester.runpytest("--markdown-docs", "--markdown-docs-syntax=superfences", "-p", "no:chainrule_site.pytest_plugin", "drill.md")
    result.assert_outcomes(passed=1)


def test_pytest_collects_every_python_fence_in_docs() -> None:
    expected = {
        (str(page.relative_to(ROOT)), line)  # the plugin reports the fence's opening line
        for page in PAGES
        for line in python_fence_lines(page.read_text())
    }
    assert expected, "docs/ has no Python fences at all"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "docs"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    collected = {
        (match["path"], int(match["line"]))
        for match in re.finditer(r"^(?P<path>docs/\S+\.md)::\[CodeFence#\d+\]\[line:(?P<line>\d+)\]$", result.stdout, re.M)
    }
    missing = sorted(expected - collected)
    assert not missing, f"{len(missing)} Python fences of docs/ are not collected as tests: {missing[:10]}"
    assert len(collected) >= len(expected)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(DOCS)))
def test_fence_options_use_the_superfences_form(page: Path) -> None:
    """`python notest` breaks the rendered page; options are written {.python notest}."""
    for number, line in enumerate(page.read_text().splitlines(), start=1):
        assert not re.match(r"^\s*(```|~~~)\s*(python3?|py)\s+\S", line), (
            f"{page.relative_to(ROOT)}:{number}: write fence options as {{.python option}}, got {line.strip()!r}"
        )
        assert "notest" not in line or not re.match(r"^\s*(```|~~~)", line), (
            f"{page.relative_to(ROOT)}:{number}: every Python fence on the site runs; `notest` is not allowed"
        )


def test_collection_ignores_build_output_and_caches() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    for folder in ("site", "node_modules", ".*"):
        assert folder in config["norecursedirs"]


lines = st.lists(
    st.sampled_from(["text", "", "    indented", "!!! note", '??? success "Solution"', '=== "Tab"', "```python", "```", "x = 1"]),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(lines)
def test_exposing_nested_blocks_keeps_every_line_number(page_lines: list[str]) -> None:
    text = "\n".join(page_lines) + "\n"
    assert len(expose_nested_blocks(text).splitlines()) == len(text.splitlines())
