"""make mutate's pytest plugin runs each docstring example once, not once per mutated copy, and hides mutmut's decorator."""

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


TRAMPOLINED = '''
def _mutmut_mutated(mutants):
    return lambda function: function


@_mutmut_mutated({})
def _mul(a, b):
    return a * b
'''

PRINTS_SOURCE = '''
import inspect

import mod


def test_source() -> None:
    assert inspect.getsource(mod._mul) == "def _mul(a, b):\\n    return a * b\\n"
'''


def test_a_printed_source_shows_no_mutmut_decorator(pytester: pytest.Pytester) -> None:
    """Under make mutate a page printing `inspect.getsource` of a mutated function shows the package's lines."""
    pytester.makepyfile(mod=TRAMPOLINED, test_source=PRINTS_SOURCE)
    pytester.runpytest("-p", "chainrule_site.mutate_package", "test_source.py").assert_outcomes(passed=1)
    pytester.runpytest("test_source.py").assert_outcomes(failed=1)  # without the plugin the decorator shows
