r"""How strong are the equation checks?  Edit each checked equation and see if its check fails.

``python -m chainrule_site.equations.mutate [docs/page.md ...]`` (all pages by
default) makes, for every checked display equation, the small edits an author
might make by mistake, one at a time, in the equation's LaTeX:

* **sign**: a ``+`` becomes ``-`` or a ``-`` becomes ``+``;
* **index**: the two indices of ``_{ij}`` swap, or a one-letter index becomes
  another index letter of the same equation (``p_i`` to ``p_j``);
* **factor**: one factor of a product is dropped (``p_i p_j`` to ``p_i``);
* **transpose**: a ``^\\top`` is deleted, or one is added to a symbol the
  check binds to a vector or a non-symmetric matrix.

Each edited equation is parsed and checked with the same bindings.  A mutant
is *caught* when the check fails (a wrong value or an inconsistent shape) and
*survives* when it passes.  Edits that leave LaTeX the checker cannot read are
not mutants (counted apart), and neither are edits that change nothing by
construction: swapping the indices of the Kronecker delta or of a symmetric
matrix, transposing a scalar or a symmetric matrix, the sign in front of an
unwritten remainder (``+ \dots``, ``+ O(h^4)``), dropping a factor of a
product with 0 or a factor 1, and edits inside a side remark the checker
drops.  The report lists every survivor with its edit, and the script exits
non-zero when fewer than 95 % are caught.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from chainrule_site.equations.check import DOCS, check_equation, docs_pages
from chainrule_site.equations.evaluate import KRONECKER, Context, Layered
from chainrule_site.equations.latex import LatexError, Node, parse_equation, tokenize
from chainrule_site.equations.source import Equation, Page, read_page

__all__ = ["Mutant", "THRESHOLD", "mutants", "run"]

#: The share of mutants the checks must catch (percent).
THRESHOLD = 95.0


@dataclass(frozen=True)
class Mutant:
    """One edit of an equation's LaTeX."""

    kind: str  # "sign", "index", "factor" or "transpose"
    description: str
    latex: str


def _edit(latex: str, start: int, end: int, new: str) -> str:
    return latex[:start] + new + latex[end:]


def _context_line(latex: str, start: int, end: int) -> str:
    left = latex.rfind("\n", 0, start) + 1
    right = latex.find("\n", end)
    return " ".join(latex[left:right if right >= 0 else None].split())


def _products(node: object) -> Iterator[Node]:
    if isinstance(node, Node):
        if node.op in ("jux", "odot", "oslash") and all(isinstance(a, Node) and a.span for a in node.args[:2]):
            yield node
        for arg in node.args:
            yield from _products(arg)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from _products(item)


def _is_symmetric(value: object) -> bool:
    return isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] == value.shape[1] \
        and value.size > 1 and bool(np.allclose(value, value.T))


def _is_matrix_like(value: object) -> bool:
    if not isinstance(value, np.ndarray) or value.ndim != 2 or value.size < 2:
        return False
    return not (value.shape[0] == value.shape[1] and np.allclose(value, value.T))


def mutants(latex: str, env: dict | None = None) -> list[Mutant]:
    """Every small edit of ``latex`` described in the module docstring.

    Parameters
    ----------
    latex : str
        The body of a display equation.
    env : dict, optional
        The check's bindings, to know which symbols are vectors or
        non-symmetric matrices (a transpose of anything else changes nothing).

    Returns
    -------
    list of Mutant
        Distinct edits, each different from ``latex``.
    """
    env = env or {}
    tokens = tokenize(latex)
    found: list[Mutant] = []
    # sign
    for n, tok in enumerate(tokens):
        after = tokens[n + 1] if n + 1 < len(tokens) else None
        if after is not None and (after.kind == "cmd" and after.value in ("dots", "ldots")
                                  or after.kind == "name" and after.value == "O"):
            continue  # the sign of an unwritten remainder means nothing
        if tok.kind == "op" and tok.value in "+-":
            new = "-" if tok.value == "+" else "+"
            found.append(Mutant("sign", f"{tok.value} -> {new} in {_context_line(latex, tok.pos, tok.end)}",
                                _edit(latex, tok.pos, tok.end, new)))
    # index
    letters = set()
    for n, tok in enumerate(tokens[:-1]):
        if tok.value == "_":
            single = tokens[n + 1] if tokens[n + 1].kind == "name" else (
                tokens[n + 2] if tokens[n + 1].value == "{" and n + 3 < len(tokens) and tokens[n + 3].value == "}" else None)
            if single is not None and single.kind == "name" and single.value.islower():
                letters.add(single.value)
    letters = sorted(letters)
    for n, tok in enumerate(tokens[:-1]):
        if tok.kind != "op" or tok.value != "_":
            continue
        base = tokens[n - 1] if n else None
        if base is not None and base.kind == "cmd" and base.value == "delta" and env.get("delta", KRONECKER) is KRONECKER:
            continue  # the Kronecker delta is symmetric
        if base is not None and _is_symmetric(env.get(base.value)):
            continue  # so is a symmetric matrix
        nxt = tokens[n + 1]
        if nxt.value == "{" and n + 4 < len(tokens) and tokens[n + 4].value == "}" \
                and tokens[n + 2].kind == tokens[n + 3].kind == "name" and tokens[n + 2].value != tokens[n + 3].value:
            a, b = tokens[n + 2], tokens[n + 3]
            edited = _edit(_edit(latex, b.pos, b.end, a.value), a.pos, a.end, b.value)
            found.append(Mutant("index", f"_{{{a.value}{b.value}}} -> _{{{b.value}{a.value}}} in "
                                f"{_context_line(latex, a.pos, b.end)}", edited))
            continue
        single = nxt if nxt.kind == "name" else (
            tokens[n + 2] if nxt.value == "{" and n + 3 < len(tokens) and tokens[n + 3].value == "}" else None)
        if single is not None and single.kind == "name" and single.value in letters:
            others = [x for x in letters if x != single.value]
            if others:
                other = others[0]
                found.append(Mutant("index", f"_{single.value} -> _{other} in {_context_line(latex, single.pos, single.end)}",
                                    _edit(latex, single.pos, single.end, other)))
    # factor
    try:
        chains = parse_equation(latex)
    except LatexError:
        chains = []
    for chain in chains:
        for product in _products(chain.sides):
            if any(a.op == "num" and a.args[0] == 0 for a in product.args[:2]):
                continue  # 0 times anything is 0, whatever is dropped
            left, right = product.args[0].span, product.args[1].span
            for start, end, dropped in ((left[0], right[0], left), (left[1], right[1], right)):
                node = product.args[0] if dropped is left else product.args[1]
                if node.op == "num" and node.args[0] == 1:
                    continue  # dropping a factor 1 changes nothing
                text = " ".join(latex[dropped[0]:dropped[1]].split())
                found.append(Mutant("factor", f"drop {text} in {_context_line(latex, left[0], right[1])}",
                                    _edit(latex, start, end, " ")))
    # transpose
    for n, tok in enumerate(tokens):
        if tok.kind == "cmd" and tok.value in ("top", "intercal"):
            start, end = tok.pos, tok.end
            if n >= 1 and tokens[n - 1].value == "^":
                start = tokens[n - 1].pos
            elif n >= 2 and tokens[n - 1].value == "{" and tokens[n - 2].value == "^" and tokens[n + 1].value == "}":
                start, end = tokens[n - 2].pos, tokens[n + 1].end
            base = tokens[n - 1] if tokens[n - 1].value != "{" else tokens[n - 3] if n >= 3 else None
            if n >= 2 and base is not None and base.value == "^":
                base = tokens[tokens.index(base) - 1] if base in tokens else None
            if base is not None and _is_symmetric(env.get(base.value)):
                continue  # the transpose of a symmetric matrix is itself
            found.append(Mutant("transpose", f"delete ^\\top in {_context_line(latex, tok.pos, tok.end)}",
                                _edit(latex, start, end, "")))
        elif tok.kind in ("name", "cmd") and tok.value in env and _is_matrix_like(env[tok.value]) \
                and not isinstance(env[tok.value], Layered):
            following = tokens[n + 1] if n + 1 < len(tokens) else None
            if following is not None and following.value in ("^", "_", "'"):
                continue
            found.append(Mutant("transpose", f"{tok.value} -> {tok.value}^T in {_context_line(latex, tok.pos, tok.end)}",
                                _edit(latex, tok.end, tok.end, "^\\top ")))
    unique: dict[str, Mutant] = {}
    sources = _chain_sources(latex)
    for mutant in found:
        if mutant.latex != latex and mutant.latex not in unique and _chain_sources(mutant.latex) != sources:
            unique[mutant.latex] = mutant  # (an edit inside a dropped side remark changes no chain)
    return list(unique.values())


def _chain_sources(latex: str) -> list[str] | None:
    try:
        return [chain.source for chain in parse_equation(latex)]
    except LatexError:
        return None


@dataclass
class EquationResult:
    """The mutants of one equation and their fate."""

    anchor: str
    caught: int
    survivors: list[Mutant]
    unreadable: int


def _mutate_equation(args: tuple[Page, Equation]) -> EquationResult:
    page, equation = args
    if check_equation(page, equation):
        return EquationResult(equation.anchor, 0, [], -1)  # the check fails already: not measured
    env = Context(page.bindings(equation), equation.seed).env
    caught, survivors, unreadable = 0, [], 0
    for mutant in mutants(equation.latex, env):
        try:
            if not parse_equation(mutant.latex):
                unreadable += 1
                continue
        except LatexError:
            unreadable += 1
            continue
        if check_equation(page, replace(equation, latex=mutant.latex)):
            caught += 1
        else:
            survivors.append(mutant)
    return EquationResult(equation.anchor, caught, survivors, unreadable)


@dataclass
class MutationReport:
    """What :func:`run` measured."""

    equations: int
    caught: int
    survivors: list[tuple[str, Mutant]]
    unreadable: int
    broken: list[str]
    seconds: float

    @property
    def total(self) -> int:
        """Mutants that were checked (caught + survived)."""
        return self.caught + len(self.survivors)

    @property
    def score(self) -> float:
        """Percent of mutants caught."""
        return 100.0 * self.caught / self.total if self.total else 0.0


def run(pages: list[Page] | None = None, processes: int | None = None) -> MutationReport:
    """Mutate every checked equation of ``pages`` (default: all of ``docs/``) and check each mutant."""
    start = time.perf_counter()
    pages = docs_pages() if pages is None else pages
    jobs = [(page, eq) for page in pages for eq in page.equations if eq.kind == "check"]
    with multiprocessing.Pool(processes or min(2, multiprocessing.cpu_count())) as pool:
        results = pool.map(_mutate_equation, jobs, chunksize=1)
    return MutationReport(
        equations=len(jobs),
        caught=sum(r.caught for r in results),
        survivors=[(r.anchor, m) for r in results for m in r.survivors],
        unreadable=sum(max(r.unreadable, 0) for r in results),
        broken=[r.anchor for r in results if r.unreadable < 0],
        seconds=time.perf_counter() - start,
    )


def format_report(report: MutationReport) -> str:
    """The report as text: the score, then one line per survivor."""
    lines = [f"equation mutants: {report.caught} of {report.total} caught ({report.score:.1f} %), "
             f"{len(report.survivors)} survived, over {report.equations} checked equations "
             f"({report.unreadable} edits gave unreadable LaTeX and are not counted; {report.seconds:.0f} s)"]
    if report.broken:
        lines.append("checks that fail before any edit (fix them first): " + ", ".join(report.broken))
    for anchor, mutant in report.survivors:
        lines.append(f"  survived  {anchor}  [{mutant.kind}] {mutant.description}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line: mutate the given pages (default: every page of docs/) and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", type=Path, help="Markdown pages (default: all of docs/)")
    args = parser.parse_args(argv)
    pages = [read_page(p, str(p.resolve().relative_to(DOCS)) if DOCS in p.resolve().parents else p.name)
             for p in args.pages] or None
    report = run(pages)
    print(format_report(report))
    return 0 if report.score >= THRESHOLD and not report.broken else 1


if __name__ == "__main__":
    sys.exit(main())
