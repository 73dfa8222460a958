"""The equation checker reads LaTeX from a page, evaluates it, and fails on a wrong equation."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule_site.equations.check import check_equation
from chainrule_site.equations.latex import LatexError, parse_equation
from chainrule_site.equations.mutate import mutants
from chainrule_site.equations.source import read_page, strip_directives

SETUP = """<!-- eq:setup logits
C = 4
ranges(i=C, j=C, k=C)
z, y = randn(C), simplex(C)
p = softmax(z)
L = -np.sum(y * np.log(p))
-->
"""


def failures(equation: str, check: str = "logits", extra: str = "") -> list[str]:
    """Check one equation written on a page with the setup above."""
    body = f"{SETUP}\n$$\n{equation}\n$$\n<!-- eq:check {check}\n{extra}\n-->\n"
    page = read_page(Path("page.md"), "page.md", body)
    (eq,) = page.equations
    return check_equation(page, eq)


def test_a_true_result_passes() -> None:
    assert failures(r"\frac{\partial L}{\partial z_k} = p_k - y_k") == []


def test_a_flipped_sign_fails_naming_the_link_and_the_values() -> None:
    (first, *_) = failures(r"\frac{\partial L}{\partial z_k} = p_k + y_k \label{grad}")
    assert first.startswith("page.md#eq-grad: ") and "p_k + y_k" in first and "k=1" in first


def test_each_link_of_a_chain_is_checked() -> None:
    found = failures(r"\nabla_z L = p - y = p + y = p - y")
    assert found and all("= p + y" in f or "p + y =" in f for f in found)


def test_a_derivative_holds_fixed_what_does_not_depend_on_the_perturbed_symbol() -> None:
    # dL/dp_i holds z fixed and perturbs p: -y_i / p_i, not the gradient through softmax
    assert failures(r"\frac{\partial L}{\partial p_i} = -\frac{y_i}{p_i}") == []
    assert failures(r"\frac{\partial L}{\partial p_i} = p_i - y_i")


def test_every_value_of_a_free_index_is_compared() -> None:
    # true for k = 1 only
    assert failures(r"p_k = p_1")


def test_a_case_of_a_derivation_can_restrict_its_indices() -> None:
    equation = r"\frac{\partial p_i}{\partial z_j} = -p_i p_j"
    assert failures(equation)
    assert failures(equation, extra="only = lambda i, j: i != j") == []


def test_a_shape_written_under_a_brace_is_checked() -> None:
    assert failures(r"\underbrace{p\,p^\top}_{C\times C} = \operatorname{diag}(p) - J", extra="J = diag(p) - p @ p.T") == []
    assert failures(r"\underbrace{p^\top p}_{C\times C} = p^\top p")


def test_transposing_a_vector_is_caught_by_shape() -> None:
    assert failures(r"\nabla_z L = p^\top - y")


def test_plus_minus_is_checked_with_both_signs() -> None:
    assert failures(r"(a \pm b)^2 = a^2 \pm 2ab + b^2", check="", extra="a, b = 1.3, -0.4") == []
    assert failures(r"(a \pm b)^2 = a^2 + 2ab + b^2", check="", extra="a, b = 1.3, -0.4")


def test_a_remainder_is_checked_by_its_order() -> None:
    taylor = "h = 0.1\nx = 0.7\nf = FunctionAt(np.exp, x)\nf_prime = f_prime2 = np.exp(x)"
    assert failures(r"f(x + h) = f + h f' + \tfrac{h^2}{2} f'' + O(h^3)", check="", extra=taylor) == []
    assert failures(r"f(x + h) = f + h f' + O(h^3)", check="", extra=taylor)  # really O(h^2)


def test_approximately_needs_a_stated_tolerance() -> None:
    (message,) = failures(r"p_1 \approx p_1", extra="ranges()")
    assert "approx_rtol" in message


def test_latex_outside_the_subset_is_an_error_not_a_pass() -> None:
    with pytest.raises(LatexError, match="unsupported command"):
        parse_equation(r"x = \mathcal{F}(y)")
    assert "cannot read the LaTeX" in failures(r"p = \mathcal{F}(z)")[0]


def test_bindings_that_raise_name_the_check_line() -> None:
    (message,) = failures(r"p = p", extra="undefined_name + 1")
    assert "bindings" in message and "NameError" in message


def test_an_unmarked_equation_fails_the_guard(pytester: pytest.Pytester) -> None:
    pytester.mkdir("docs")
    pytester.path.joinpath("docs", "page.md").write_text("# Page\n\n$$\nx = 1\n$$\n\n$$\ny = 2\n$$\n<!-- eq:definition -->\n")
    result = pytester.runpytest("-p", "chainrule_site.pytest_plugin", "docs/page.md")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*neither a check*", "page.md:3 *x = 1*"])


def test_a_wrong_equation_on_a_page_fails_its_test(pytester: pytest.Pytester) -> None:
    pytester.mkdir("docs")
    page = "# Page\n\n$$\nx^2 = 2x \\label{wrong}\n$$\n<!-- eq:check\nx = 3.0\n-->\n"
    pytester.path.joinpath("docs", "page.md").write_text(page)
    result = pytester.runpytest("-p", "chainrule_site.pytest_plugin", "docs/page.md")
    result.assert_outcomes(passed=1, failed=1)  # the guard passes, the check fails
    result.stdout.fnmatch_lines(["*page.md#eq-wrong: x^2 = 2x: 9* vs 6*"])


def test_the_built_page_carries_no_check_comments() -> None:
    text = SETUP + "\n$$\nx = 1\n$$\n<!-- eq:check logits\nx = 1\n-->\n\nText.\n"
    stripped = strip_directives(text)
    assert "eq:" not in stripped and "Text." in stripped and "$$\nx = 1\n$$" in stripped


def test_mutants_cover_sign_index_factor_and_transpose() -> None:
    import numpy as np

    latex = r"\underbrace{\nabla_W L}_{m\times n} = \delta_{i} x_{j} + W^\top u - a b"
    kinds = {m.kind for m in mutants(latex, {"W": np.arange(6.0).reshape(2, 3)})}
    assert kinds == {"sign", "index", "factor", "transpose"}


@pytest.mark.parametrize("word", ["if", "si", "for", "para"])
def test_a_condition_after_the_equation_is_read_in_either_language(word: str) -> None:
    """``\\text{if }`` / ``\\text{si }`` opens a condition that holds here; a wrong equation before it still fails."""
    assert failures(rf"\nabla_z L = p - y \qquad \text{{{word} }} \textstyle\sum_i y_i = 1") == []
    assert failures(rf"\nabla_z L = p + y \qquad \text{{{word} }} \textstyle\sum_i y_i = 1")
