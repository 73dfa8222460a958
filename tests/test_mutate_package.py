"""make mutate's pytest plugin runs each docstring example once, not once per mutated copy."""

from __future__ import annotations

import pytest

MODULE = '''
def double(x):
    """Twice x.

    ```python
    from mod import double
    assert double(2) == 4
    ```
    """
    return 2 * x


def x_double__mutmut_1(x):
    """Twice x.

    ```python
    from mod import double
    assert double(2) == 4
    ```
    """
    return 3 * x
'''


def test_the_mutated_copies_docstring_examples_are_deselected(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(mod=MODULE)
    result = pytester.runpytest("-p", "chainrule_site.mutate_package", "--markdown-docs", "mod.py")
    result.assert_outcomes(passed=1, deselected=1)


def test_without_the_plugin_each_copy_runs_its_example(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(mod=MODULE)
    pytester.runpytest("--markdown-docs", "mod.py").assert_outcomes(passed=2)
