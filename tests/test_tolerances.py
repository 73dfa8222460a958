"""A tolerance that says rtol=1e-13 must mean it: NumPy's default atol=1e-8 would silently win.

``np.isclose(a, b, rtol=1e-13)`` also accepts any |a - b| <= 1e-8, so for
values of order 1 the stated relative tolerance is loosened 100 000 times
without a word.  Every ``np.isclose``/``np.allclose`` that states ``rtol``
must state ``atol`` too (``atol=0`` when nothing is near zero), in the pages'
code blocks, the docstring examples and the tests alike.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from chainrule_site.fences import expose_nested_blocks

ROOT = Path(__file__).resolve().parents[1]
_FENCE = re.compile(r"^(?P<mark>`{3,})[^\n]*\bpy(?:thon)?\b[^\n]*\n(?P<body>.*?)^(?P=mark)[ ]*$", re.M | re.S)


def sources() -> list[tuple[str, int, str]]:
    """(file, first line, Python source) of every code block and module we run."""
    found = []
    for page in sorted((ROOT / "docs").rglob("*.md")):
        text = expose_nested_blocks(page.read_text())
        for fence in _FENCE.finditer(text):
            found.append((str(page.relative_to(ROOT)), text.count("\n", 0, fence.start("body")), fence["body"]))
    for module in sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]):
        found.append((str(module.relative_to(ROOT)), 0, module.read_text()))
    return found


def rtol_without_atol(source: str) -> list[int]:
    """Lines of ``np.isclose``/``np.allclose`` calls (also in docstring examples) with rtol but no atol."""
    lines = []
    trees = [ast.parse(source)]
    for node in ast.walk(trees[0]):  # docstring examples are code too
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "```python" in node.value:
            for fence in _FENCE.finditer(re.sub(r"(?m)^ {4}", "", node.value)):
                try:
                    trees.append(ast.parse(fence["body"]))
                except SyntaxError:
                    continue
    for n, tree in enumerate(trees):
        for call in ast.walk(tree):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                    and call.func.attr in ("isclose", "allclose"):
                names = {k.arg for k in call.keywords}
                if "rtol" in names and "atol" not in names:
                    lines.append(call.lineno if n == 0 else -1)
    return lines


def test_the_scan_finds_a_hidden_default_atol() -> None:
    assert rtol_without_atol("import numpy as np\nnp.isclose(1.0, 1.0 + 1e-9, rtol=1e-13)\n") == [2]
    assert rtol_without_atol("np.isclose(1.0, 1.0, rtol=1e-13, atol=0)\n") == []
    assert len(sources()) > 100


@pytest.mark.parametrize("where", sorted({s[0] for s in sources()}), ids=str)
def test_every_stated_rtol_comes_with_an_atol(where: str) -> None:
    bad = [(first, lines) for name, first, src in sources() if name == where for lines in [rtol_without_atol(src)] if lines]
    report = [f"{where}:{first + line if line > 0 else '(docstring example)'}" for first, lines in bad for line in lines]
    assert not report, "np.isclose/np.allclose with rtol but the default atol=1e-8:\n" + "\n".join(report)
