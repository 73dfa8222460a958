r"""Package half of ``make mutate``: how many of mutmut's mutants of ``chainrule`` the docs tests catch.

``python -m chainrule_site.mutate_package`` runs `mutmut <https://mutmut.readthedocs.io>`_
(configured in ``pyproject.toml``, ``[tool.mutmut]``) on ``src/chainrule/`` and prints
the share of mutants caught, then every mutant that was not, with a one-line diff.

Only the *docs tests* judge a mutant: the Python fences of the pages in ``docs/`` and
the examples in the package's docstrings, never ``tests/``. A mutant is one small edit
to one function (a flipped comparison, a changed constant, a dropped argument, ...);
mutmut writes every mutant of a file into a copy of it under ``mutants/src/chainrule/``,
behind a switch read at call time, and runs, for each mutant, the docs tests that call
the mutated function (found in one clean run first). A mutant is *caught* when one of
them fails or hangs (mutmut's "timeout"); it *survives* when all pass, and counts as
not caught either when no docs test calls its function at all ("no tests").

The pages import the mutated copy, not the editable install: mutmut puts
``mutants/src`` first on ``sys.path`` and removes ``./src``, which is the path the
editable install's ``.pth`` file adds.

This module is also a pytest plugin, loaded only in mutmut's runs (``-p`` in
``[tool.mutmut] pytest_add_cli_args``). mutmut keeps each function's docstring on
every mutated copy of it, so pytest-markdown-docs would collect the same docstring
example once per mutant (thousands of copies, and a quarter-minute of collection in
every mutant's test run). The plugin deselects those copies (pytest's public
``pytest_collection_modifyitems``), so each example runs once, from the function the
package exports, which dispatches to whichever mutant is active; the set of examples
that runs is exactly the set ``pytest src`` runs. It also remembers each page's parse
(through pytest-markdown-docs' public parser hook), so the child that mutmut forks per
mutant does not parse it again. And it hides mutmut's trampoline decorator from
:mod:`inspect`, so a page that prints a function's source (the engine chapter prints
``_mul``) shows the package's source, as it does under ``pytest docs``.
"""

from __future__ import annotations

import argparse
import inspect
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORK_DIR = ROOT / "mutants"
LOG = WORK_DIR / "mutmut-run.log"

#: mutmut's verdicts that mean a docs test noticed the mutant.
CAUGHT = frozenset({"killed", "timeout", "segfault"})


@dataclass
class MutationResult:
    """What one mutmut run found.

    ``survivors`` holds every checked mutant that was not caught, as
    ``(mutant name, one-line diff)``; those whose function no docs test calls are
    among them, their diff prefixed with ``[no tests]``.
    """

    killed: int
    total: int
    survivors: list[tuple[str, str]]
    seconds: float
    statuses: Counter[str] = field(default_factory=Counter)
    #: mutants left unchecked because the run hit ``max_seconds``.
    not_checked: int = 0

    @property
    def score(self) -> float:
        """Share of all mutants caught (unchecked mutants count as not caught)."""
        return self.killed / self.total if self.total else 1.0

    @property
    def complete(self) -> bool:
        return self.not_checked == 0

    def report(self) -> str:
        lines = [
            f"package mutants (mutmut, docs tests only): {self.killed} of {self.total} caught "
            f"({100 * self.score:.1f} %) in {self.seconds:.0f} s",
            "  " + ", ".join(f"{status}: {n}" for status, n in sorted(self.statuses.items())),
        ]
        if not self.complete:
            lines.append(f"  INCOMPLETE: {self.not_checked} mutants not checked before the time limit")
        if self.survivors:
            lines.append(f"not caught ({len(self.survivors)}):")
            width = max(len(name) for name, _ in self.survivors)
            lines += [f"  {name:<{width}}  {diff}" for name, diff in self.survivors]
        return "\n".join(lines)


def _mutmut_command(jobs: int) -> list[str]:
    # The console script, not `python -m mutmut`: run as __main__, mutmut's trampolines
    # and its own imports see two copies of the mutmut module.
    script = Path(sys.executable).with_name("mutmut")
    exe = str(script) if script.exists() else shutil.which("mutmut")
    if exe is None:
        raise RuntimeError("mutmut is not installed: make setup installs it from requirements.txt")
    return [exe, "run", "--max-children", str(jobs)]


def _run_mutmut(max_seconds: float | None, jobs: int) -> None:
    """Run ``mutmut run`` in the repository root, stopping it (as Ctrl-C would) after ``max_seconds``."""
    WORK_DIR.mkdir(exist_ok=True)
    # Every mutant's tests start a pytest session; loading only the plugin the docs tests
    # need (not xdist, hypothesis, ...) takes a fifth off each session's start-up.
    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
        "PYTEST_PLUGINS": "pytest_markdown_docs.plugin",
    }
    with LOG.open("w") as log:
        proc = subprocess.Popen(
            _mutmut_command(jobs), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
            start_new_session=True,
        )
        try:
            proc.wait(timeout=max_seconds)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGINT)  # mutmut saves what it has and stops its workers
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    if proc.returncode not in (0, -signal.SIGINT, 130) and max_seconds is None:
        tail = LOG.read_text(errors="replace").replace("\r", "\n")[-4000:]
        raise RuntimeError(f"mutmut run failed (exit {proc.returncode}); end of {LOG}:\n{tail}")


def _one_line(diff: str) -> str:
    """``old -> new`` from a unified diff of one function (its changed lines, stripped)."""
    removed = [line[1:].strip() for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    return f"{' / '.join(removed)}  ->  {' / '.join(added) or '(deleted)'}"


def _mutmut(*args: str) -> str:
    """Run mutmut's command line (its public interface) in the repository; return what it printed."""
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"mutmut {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def collect_results() -> dict[str, str]:
    """mutmut's verdict on every mutant, ``{mutant: status}``, from ``mutmut results --all true``."""
    status: dict[str, str] = {}
    for line in _mutmut("results", "--all", "true").splitlines():
        name, sep, verdict = line.strip().rpartition(": ")
        if sep and name:
            status[name] = verdict
    return status


def diff_of(mutant: str) -> str:
    """The unified diff of one mutant against its original function (``mutmut show``)."""
    return _mutmut("show", mutant)


def run(max_seconds: float | None = None, *, fresh: bool = True, jobs: int | None = None) -> MutationResult:
    """Mutate ``src/chainrule`` and run the docs tests against every mutant.

    Parameters
    ----------
    max_seconds : float, optional
        Stop mutmut after this long; mutants not yet checked are reported as such
        (and count as not caught).
    fresh : bool, default True
        Start from an empty ``mutants/``. mutmut otherwise keeps earlier verdicts and
        re-checks only mutants of functions whose source changed, not those whose
        docs tests changed.
    jobs : int, optional
        Mutants checked at once; default: one per CPU.
    """
    start = time.monotonic()
    if fresh and WORK_DIR.exists():
        shutil.rmtree(WORK_DIR)
    _run_mutmut(max_seconds, jobs or os.cpu_count() or 1)
    seconds = time.monotonic() - start
    status = collect_results()
    if not status:
        raise RuntimeError(f"mutmut produced no mutants; see {LOG}")
    counts = Counter(status.values())
    survivors = []
    for name in sorted(status):
        verdict = status[name]
        if verdict in CAUGHT or verdict == "not checked":
            continue
        line = _one_line(diff_of(name))
        survivors.append((name, line if verdict == "survived" else f"[{verdict}] {line}"))
    return MutationResult(
        killed=sum(counts[s] for s in CAUGHT),
        total=len(status),
        survivors=survivors,
        seconds=seconds,
        statuses=counts,
        not_checked=counts["not checked"],
    )


# --- pytest plugin, loaded in mutmut's runs only -------------------------------------


class _ParseOnce:
    """The harness's Markdown parser, parsing each text once per process.

    mutmut runs every test once in its main process before it forks a child per
    mutant; the children inherit these parses instead of re-reading the pages.
    The tokens are only read by pytest-markdown-docs, never changed.
    """

    _tokens: dict[tuple[type, str], list[Any]] = {}

    def __init__(self, parser: Any) -> None:
        self._parser = parser

    def parse(self, src: str, env: Any = None) -> list[Any]:
        if env is not None:
            return self._parser.parse(src, env)
        key = (type(self._parser), src)
        if key not in self._tokens:
            self._tokens[key] = self._parser.parse(src)
        return self._tokens[key]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._parser, name)


@pytest.hookimpl(wrapper=True)
def pytest_markdown_docs_markdown_it() -> Any:
    """Hand pytest-markdown-docs the harness's parser, remembering its parses."""
    return _ParseOnce((yield))


#: The decorator mutmut writes above every function it mutates (its trampoline), alone on its line.
_TRAMPOLINE = re.compile(r"\s*@_mutmut_mutated\(.*\)\s*")


_getsourcelines = inspect.getsourcelines


def _without_trampoline(obj: Any) -> tuple[list[str], int]:
    """``inspect.getsourcelines`` without mutmut's decorator lines above the function."""
    lines, first = _getsourcelines(obj)
    dropped = 0
    while dropped < len(lines) and _TRAMPOLINE.fullmatch(lines[dropped]):
        dropped += 1
    return lines[dropped:], first + dropped


def pytest_configure(config: pytest.Config) -> None:
    """Let ``inspect.getsource`` (which calls ``inspect.getsourcelines``) return the package's own lines."""
    inspect.getsourcelines = _without_trampoline


def pytest_unconfigure(config: pytest.Config) -> None:
    """Put ``inspect.getsourcelines`` back (a run inside a test process must not leave it changed)."""
    inspect.getsourcelines = _getsourcelines


#: What mutmut adds to the name of each mutated copy of a function.
MUTANT_COPY = "__mutmut_"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Run each docstring example once: deselect the copies collected from mutmut's mutated functions.

    mutmut keeps a function's docstring on every mutated copy of it, so
    pytest-markdown-docs collects the same example once per mutant (thousands
    of copies).  The example of the function the package exports, which
    dispatches to whichever mutant is active, is the one that runs; the set of
    examples that runs is exactly the set ``pytest src`` runs.  Uses pytest's
    public deselection (``pytest_deselected``), nothing of pytest-markdown-docs.
    """
    copies = [item for item in items if MUTANT_COPY in item.nodeid]
    if copies:
        config.hook.pytest_deselected(items=copies)
        items[:] = [item for item in items if MUTANT_COPY not in item.nodeid]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--max-seconds", type=float, default=None, help="stop mutmut after this long")
    parser.add_argument("--keep", action="store_true", help="reuse mutmut's earlier verdicts in mutants/")
    parser.add_argument("--jobs", type=int, default=None, help="mutants checked at once (default: CPUs)")
    args = parser.parse_args(argv)
    result = run(args.max_seconds, fresh=not args.keep, jobs=args.jobs)
    print(result.report())
    return 0 if result.complete else 1


if __name__ == "__main__":
    sys.exit(main())
