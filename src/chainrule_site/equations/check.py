"""Run the check of one equation: bind its symbols, parse its LaTeX, compare every link."""

from __future__ import annotations

from pathlib import Path

from chainrule_site.equations.evaluate import CheckError, Context, compare_chain
from chainrule_site.equations.latex import LatexError, parse_equation
from chainrule_site.equations.source import Equation, Page, read_page

__all__ = ["DOCS", "check_equation", "docs_pages"]

DOCS = Path(__file__).resolve().parents[3] / "docs"


def docs_pages(docs: Path = DOCS) -> list[Page]:
    """Every Markdown page and notebook under ``docs`` with its equations."""
    paths = sorted(docs.rglob("*.md")) + sorted(docs.rglob("*.ipynb"))
    return [read_page(path, str(path.relative_to(docs))) for path in paths]


def check_equation(page: Page, equation: Equation) -> list[str]:
    """Check one equation against its bindings.

    Parameters
    ----------
    page : Page
        The page the equation is on (for its setups).
    equation : Equation
        An equation whose ``kind`` is ``"check"``.

    Returns
    -------
    list of str
        The failures, each naming the equation's anchor and the link that
        fails with both values; empty when every link holds.
    """
    where = equation.anchor
    try:
        chains = parse_equation(equation.latex)
    except LatexError as error:
        return [f"{where}: cannot read the LaTeX: {error}"]
    if not chains:
        return [f"{where}: no relation to check"]
    try:
        context = Context(page.bindings(equation), equation.seed)
    except Exception as error:  # the check's own Python failed
        return [f"{where}: the check's bindings (line {equation.check_line}) raised {type(error).__name__}: {error}"]
    failures = []
    for chain in chains:
        try:
            failures += [f"{where}: {message}" for message in compare_chain(chain, context.env)]
        except (CheckError, ArithmeticError, TypeError, ValueError, KeyError, IndexError) as error:
            failures.append(f"{where}: {chain.source}: {type(error).__name__}: {error}")
    return failures
