"""Lighthouse audit of every page of the built site: ``python -m chainrule_site.audit``.

``make audit`` runs this.  It builds the site strictly into a temporary
directory (or audits an existing build given with ``--site``), serves it on
127.0.0.1, and runs the pinned Lighthouse (``node_modules/.bin/lighthouse``,
npm) with Debian's Chromium on every page listed in the build's
``sitemap.xml`` -- the notebook pages included -- one page at a time, with
Lighthouse's default mobile preset (emulated phone, throttled network and
CPU) and four categories: performance, accessibility, best practices and
SEO.

Each page is audited three times (``--runs``) and summarised by its median
run, the one with the median performance score: a single run's score is noisy,
and Lighthouse's ``docs/variability.md`` advises the median of several. Part of
the noise is the browser's: in headless Chrome the compositor sometimes holds a
page's first frame for about a second after the page has painted and loaded
(viz throttles the frames it sends to a renderer it thinks unresponsive;
Lighthouse issue 17148), and Lighthouse's simulation then counts every request
made before that late paint as delaying it, so the run's LCP comes out 1.5 s
longer and its score 10-20 points lower. Such a run is counted as *held*: its
observed first contentful paint came after the page's load event. The report
gives every run's score and the number of held runs, so nothing is hidden.

It writes each page's median report to ``artifacts/audit/<page>.json``, every
run's to ``artifacts/audit/runs/<page>-<n>.json``, and a summary, one line per
page, to ``artifacts/audit/report.txt``: the four scores (0-100) of the median
run, each run's performance score, the held runs, the total transfer size in
bytes (Lighthouse's ``total-byte-weight`` audit), the number of requests and
the host's ``benchmarkIndex`` during the median run.

Lighthouse runs with ``lighthouse/lighthouse-config.mjs``: its default config
with one trace category fewer (``trace-gatherer.mjs`` explains): Lighthouse 12.2
records style-invalidation events for a diagnostic no metric reads, which on
the long pages doubled the main-thread time it observed and truncated its trace
before the first paint (``NO_FCP``, a score of 0).  Lighthouse 13 dropped the
category; it needs Node.js 22.

The server gzips text like GitHub Pages does (:func:`chainrule_site.testing.serve`).
Lighthouse simulates a mid-tier phone by multiplying the main-thread time it
observes by 4, a factor meant for a host with a ``benchmarkIndex`` of
1500-2000; on a slower or busy host the performance score is pessimistic
(Lighthouse's ``docs/throttling.md``, "Calibrating the CPU slowdown").
``--cpu-slowdown`` sets another factor, for diagnosis only: the threshold is
for the default mobile preset.  It prints the
summary, and exits non-zero naming every page and category that scores below
the threshold (95), with the failing audits of that category.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from chainrule_site.testing import ROOT, build_site, chromium_path, serve

#: Lighthouse's categories, in report order.
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
#: Every category of every page must score at least this (0-100).
THRESHOLD = 95
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
#: Lighthouse's default config minus one trace category (see the module docstring).
LIGHTHOUSE_CONFIG = Path(__file__).with_name("lighthouse") / "lighthouse-config.mjs"
OUTPUT = ROOT / "artifacts" / "audit"
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
#: Seconds one page's Lighthouse run may take before it counts as failed (a page
#: takes 15-30 s on an idle machine, minutes on a busy one).
PAGE_TIMEOUT = 600
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@dataclass(frozen=True)
class PageResult:
    """The summary of one page's Lighthouse report.

    Attributes
    ----------
    page : str
        The page's path in the site, e.g. ``"chain-rule/"`` (``"/"`` for the home page).
    scores : dict[str, int]
        Category id -> score, 0-100.
    transfer_bytes : int
        Total bytes transferred (the ``total-byte-weight`` audit).
    requests : int
        Number of network requests (the ``network-requests`` audit).
    failing : dict[str, list[str]]
        Category id -> ids of its audits that did not pass (score below 1,
        weighted or not), for the categories below the threshold.
    benchmark_index : int
        The host's CPU benchmark during the run (Lighthouse's ``benchmarkIndex``).
    runs : tuple[int, ...]
        The performance score of every run, in the order they ran (the median
        run's alone when the page was audited once).
    held : int
        How many runs had their first paint held back by the browser
        (:func:`first_paint_held`).
    """

    page: str
    scores: dict[str, int]
    transfer_bytes: int
    requests: int
    failing: dict[str, list[str]]
    benchmark_index: int = 0
    runs: tuple[int, ...] = ()
    held: int = 0


def site_pages(site: Path) -> list[str]:
    """List the pages of a built site, from its ``sitemap.xml`` and those of its editions (``es/sitemap.xml``).

    Parameters
    ----------
    site : pathlib.Path
        The built site's directory.

    Returns
    -------
    list[str]
        Each page's path relative to the site root, e.g. ``""`` for the home
        page, ``"notebooks/iris/"`` and ``"es/notebooks/iris/"``, in sitemap order,
        the root's sitemap first.

    Raises
    ------
    FileNotFoundError
        If the site has no ``sitemap.xml`` or a listed page has no ``index.html``.
    """
    locations = []
    for sitemap in [site / "sitemap.xml", *sorted(site.glob("*/sitemap.xml"))]:
        found = [loc.text or "" for loc in ET.parse(sitemap).iter(f"{_SITEMAP_NS}loc")]
        if not found:
            raise FileNotFoundError(f"{sitemap} lists no pages")
        locations += found
    base = urlsplit(locations[0]).path  # the home page comes first: site_url's path
    pages = []
    for location in locations:
        path = urlsplit(location).path
        if not path.startswith(base):
            raise FileNotFoundError(f"sitemap page {location} is outside the site root {base}")
        page = path[len(base):]
        if not (site / page / "index.html").is_file():
            raise FileNotFoundError(f"sitemap page {location} has no {page or '.'}/index.html in {site}")
        pages.append(page)
    return pages


def report_name(page: str) -> str:
    """File stem of a page's report: ``"notebooks/iris/"`` -> ``"notebooks-iris"``, home -> ``"index"``."""
    return page.strip("/").replace("/", "-") or "index"


def category_score(report: dict, category: str = "performance") -> int:
    """A report's score in one category, 0-100 (0 when Lighthouse could not score it)."""
    score = report["categories"][category].get("score")
    return round(100 * score) if score is not None else 0


def first_paint_held(report: dict) -> bool:
    """Whether the browser held the page's first paint until after the page had loaded.

    The signature of the headless-Chrome frame throttling described in the module
    docstring: the observed first contentful paint comes after the load event,
    though a page that is loaded has long had everything its first paint needs.

    Parameters
    ----------
    report : dict
        A Lighthouse report (``LHR``).

    Returns
    -------
    bool
        True if the observed first contentful paint is later than the observed load event.

    Raises
    ------
    KeyError
        If the report has no observed metrics (Lighthouse's ``metrics`` audit).
    """
    items = (report["audits"]["metrics"].get("details") or {}).get("items") or []
    if not items:
        raise KeyError("the report has no observed metrics (Lighthouse's metrics audit)")
    observed = items[0]
    return observed["observedFirstContentfulPaint"] > observed["observedLoad"]


def median_run(reports: list[dict]) -> int:
    """The index of the run with the median performance score.

    Parameters
    ----------
    reports : list[dict]
        One Lighthouse report per run of a page, at least one.

    Returns
    -------
    int
        Index into ``reports``. For an even number of runs the lower of the two
        middle runs: the summary never rounds up.

    Raises
    ------
    ValueError
        If ``reports`` is empty.
    """
    if not reports:
        raise ValueError("reports is empty: a page needs at least one run")
    order = sorted(range(len(reports)), key=lambda i: category_score(reports[i]))
    return order[(len(order) - 1) // 2]


def run_lighthouse(url: str, output: Path, timeout: float = PAGE_TIMEOUT, cpu_slowdown: float | None = None) -> dict:
    """Run Lighthouse (mobile preset, four categories) on one URL.

    Parameters
    ----------
    url : str
        The page to audit.
    output : pathlib.Path
        Where to write Lighthouse's JSON report.
    timeout : float, optional
        Seconds before the run is stopped (Lighthouse and its Chrome) and counts as failed.
    cpu_slowdown : float or None, optional
        Lighthouse's simulated CPU slowdown; None keeps the mobile preset's (4).

    Returns
    -------
    dict
        The parsed report (Lighthouse's ``LHR``).

    Raises
    ------
    RuntimeError
        If Lighthouse fails or reports a runtime error (e.g. the page did not load).
    """
    command = [
        str(LIGHTHOUSE), url,
        f"--config-path={LIGHTHOUSE_CONFIG}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json", f"--output-path={output}", "--quiet",
    ]
    if cpu_slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown}")
    env = {**os.environ, "CHROME_PATH": chromium_path()}
    output.unlink(missing_ok=True)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as err:
        # Lighthouse closes its Chrome on SIGINT; a plain kill would leave the
        # browser (started detached, in its own process group) running.
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
        raise RuntimeError(f"lighthouse took over {timeout:.0f} s on {url}") from err
    done = subprocess.CompletedProcess(command, process.returncode, "", stderr)
    if done.returncode != 0 or not output.is_file():
        raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr.strip()}")
    report = json.loads(output.read_text(encoding="utf-8"))
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    return report


def summarise(page: str, report: dict, threshold: int = THRESHOLD, runs: list[dict] | None = None) -> PageResult:
    """Reduce a Lighthouse report to the page's scores, size and failing audits.

    Parameters
    ----------
    page : str
        The page's path in the site.
    report : dict
        Lighthouse's JSON report for the page (the median run's).
    threshold : int, optional
        Categories scoring below this list their failing audits.
    runs : list[dict] or None, optional
        Every run's report, ``report`` among them, for the per-run scores and
        the held runs; None when the page ran once.

    Returns
    -------
    PageResult
        The summary; a category Lighthouse could not score counts as 0.
    """
    runs = [report] if runs is None else runs
    audits = report["audits"]
    scores, failing = {}, {}
    for category in CATEGORIES:
        entry = report["categories"][category]
        score = category_score(report, category)
        scores[category] = score
        if score < threshold:
            failing[category] = [
                ref["id"] for ref in entry["auditRefs"]
                if audits[ref["id"]].get("score") is not None
                and audits[ref["id"]]["scoreDisplayMode"] in {"binary", "numeric", "metricSavings"}
                and audits[ref["id"]]["score"] < 1
            ]
    transfer = int(audits["total-byte-weight"].get("numericValue") or 0)
    requests = len((audits["network-requests"].get("details") or {}).get("items") or [])
    benchmark = round((report.get("environment") or {}).get("benchmarkIndex") or 0)
    return PageResult(page or "/", scores, transfer, requests, failing, benchmark,
                      tuple(category_score(run) for run in runs), sum(first_paint_held(run) for run in runs))


def format_report(results: list[PageResult]) -> str:
    """One line per page: page, the four scores, each run's performance, held runs, bytes, requests, benchmarkIndex."""
    width = max([len("page"), *(len(r.page) for r in results)])
    runs = max([len("runs"), *(len("/".join(map(str, r.runs))) for r in results)])
    header = (f"{'page':<{width}}  {'perf':>4}  {'a11y':>4}  {'bp':>4}  {'seo':>4}  {'runs':>{runs}}  {'held':>4}"
              f"  {'bytes':>9}  {'requests':>8}  {'cpu-bench':>9}")
    lines = [header]
    for r in results:
        s = r.scores
        lines.append(
            f"{r.page:<{width}}  {s['performance']:>4}  {s['accessibility']:>4}  {s['best-practices']:>4}  "
            f"{s['seo']:>4}  {'/'.join(map(str, r.runs)):>{runs}}  {r.held:>4}  {r.transfer_bytes:>9}"
            f"  {r.requests:>8}  {r.benchmark_index:>9}"
        )
    return "\n".join(lines) + "\n"


def audit(
    site: Path,
    output: Path = OUTPUT,
    threshold: int = THRESHOLD,
    only: list[str] | None = None,
    timeout: float = PAGE_TIMEOUT,
    cpu_slowdown: float | None = None,
    runs: int = 3,
) -> tuple[list[PageResult], list[str]]:
    """Audit every page of a built site with Lighthouse, one page at a time.

    Parameters
    ----------
    site : pathlib.Path
        The built site.
    output : pathlib.Path, optional
        Directory for the per-page JSON reports and ``report.txt``.
    threshold : int, optional
        The lowest acceptable score of any category.
    only : list[str] or None, optional
        Audit only these pages (site paths as in the sitemap, e.g. ``"chain-rule/"``,
        ``""`` for the home page); default every page.
    timeout : float, optional
        Seconds one page may take.
    cpu_slowdown : float or None, optional
        Lighthouse's simulated CPU slowdown; None keeps the mobile preset's (4).
    runs : int, optional
        Lighthouse runs per page; the page is summarised by its median run.

    Returns
    -------
    results : list[PageResult]
        One per page audited.
    problems : list[str]
        One line per page and category below the threshold, or per page
        Lighthouse could not audit; empty when all is well.
    """
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    pages = site_pages(site)
    if only is not None:
        wanted = {page.strip("/") for page in only}
        unknown = wanted - {page.strip("/") for page in pages}
        if unknown:
            raise ValueError(f"not pages of the site: {sorted(unknown)}; its pages are {pages}")
        pages = [page for page in pages if page.strip("/") in wanted]
    run_dir = output / "runs"
    run_dir.mkdir(parents=True, exist_ok=True)
    if only is None:
        for stale in [*output.glob("*.json"), *run_dir.glob("*.json")]:
            stale.unlink()
    results: list[PageResult] = []
    problems: list[str] = []
    with serve(site) as base_url:
        for page in pages:
            started = time.monotonic()
            name = report_name(page)
            try:
                reports = [run_lighthouse(base_url + page, run_dir / f"{name}-{n}.json", timeout, cpu_slowdown)
                           for n in range(1, runs + 1)]
            except RuntimeError as err:
                problems.append(f"{page or '/'}: not audited: {err}")
                print(f"  {page or '/'}: FAILED ({err})", file=sys.stderr, flush=True)
                continue
            median = median_run(reports)
            shutil.copyfile(run_dir / f"{name}-{median + 1}.json", output / f"{name}.json")
            result = summarise(page, reports[median], threshold, reports)
            results.append(result)
            print(f"  {result.page}: {'/'.join(map(str, result.runs))} in {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)
            for category, failing in result.failing.items():
                problems.append(
                    f"{result.page}: {category} {result.scores[category]} < {threshold}"
                    f" (failing audits: {', '.join(failing) or 'none listed'})"
                )
    (output / "report.txt").write_text(format_report(results), encoding="utf-8")
    return results, problems


def main(argv: list[str] | None = None) -> int:
    """Command line: build (or take) the site, audit it, print the report.

    Parameters
    ----------
    argv : list[str] or None, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 if every category of every page scores at least the threshold, else 1.
    """
    parser = argparse.ArgumentParser(prog="python -m chainrule_site.audit", description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="audit this built site instead of building one")
    parser.add_argument("--output", type=Path, default=OUTPUT, help="directory for the reports (default: %(default)s)")
    parser.add_argument("--threshold", type=int, default=THRESHOLD, help="lowest passing score (default: %(default)s)")
    parser.add_argument("--page", action="append", dest="pages", metavar="PATH",
                        help='audit only this page, e.g. "chain-rule/" or "" for the home page (repeatable)')
    parser.add_argument("--timeout", type=float, default=PAGE_TIMEOUT,
                        help="seconds one page may take (default: %(default)s)")
    parser.add_argument("--runs", type=int, default=3,
                        help="Lighthouse runs per page, summarised by the median (default: %(default)s)")
    parser.add_argument("--cpu-slowdown", type=float, metavar="FACTOR",
                        help="Lighthouse's simulated CPU slowdown (default: the mobile preset's 4); "
                             "for diagnosis on a slow host, see the module docstring")
    args = parser.parse_args(argv)
    if not LIGHTHOUSE.is_file():
        print(f"no Lighthouse at {LIGHTHOUSE}; run `make setup` (npm ci)", file=sys.stderr)
        return 2
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chainrule-audit-") as temp:
        site = args.site
        if site is None:
            site = Path(temp) / "site"
            print("building the site (mkdocs build --strict) ...", file=sys.stderr, flush=True)
            built = build_site(ROOT / "mkdocs.yml", site)
            if built.returncode != 0:
                print(built.stdout + built.stderr, file=sys.stderr)
                print("the site does not build; nothing audited", file=sys.stderr)
                return 2
        print(f"auditing {site} with Lighthouse (mobile) ...", file=sys.stderr, flush=True)
        try:
            results, problems = audit(site.resolve(), args.output, args.threshold, args.pages, args.timeout,
                                      args.cpu_slowdown, args.runs)
        except (FileNotFoundError, ValueError) as err:
            print(err, file=sys.stderr)
            return 2
    print(format_report(results), end="")
    print(f"({len(results)} pages in {time.monotonic() - started:.0f} s; reports in {args.output})")
    load, cores = os.getloadavg()[0], os.cpu_count() or 1
    if load > cores:
        # Lighthouse scales the main-thread time it observes by its 4x mobile CPU
        # slowdown: on a busy machine total blocking time, and the score, suffer.
        print(f"warning: load average {load:.1f} on {cores} cores: the performance scores "
              "are pessimistic; audit on an idle machine", file=sys.stderr)
    if problems:
        print(f"\n{len(problems)} below {args.threshold}:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
