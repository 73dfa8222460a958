"""The built site as a reader meets it, in a real headless Chromium.

The tests serve the built site on 127.0.0.1 themselves and drive Debian's
Chromium with Playwright. For every page: math is typeset (no raw TeX, no
math error, MathML laid out by the browser in the site's math font), every diagram is drawn, nothing fails to load, nothing is
requested from any host but the local server, no console error, no serious
accessibility violation (axe-core) in either colour scheme, and nothing is
wider than a phone. Screenshots of every page at desktop and phone widths go
to ``artifacts/screenshots/``.

Outside CI, a page whose visit was clean is not visited again while every file
it loaded is byte for byte the same (``chainrule_site.browser_cache``); its
checks then assert on the stored findings. ``CHAINRULE_BROWSER_CACHE=0`` visits
every page.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from chainrule_site import browser_cache, cache, testing
from chainrule_site.testing import chromium_path, serve

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SHOTS = ROOT / "artifacts" / "screenshots"
#: Screenshots show the first screen of each page; CHAINRULE_FULL_SCREENSHOTS=1 takes whole pages
#: (about a second more per page: a 390 px wide page is tens of thousands of pixels tall).
FULL_PAGE_SHOTS = os.environ.get("CHAINRULE_FULL_SCREENSHOTS") == "1"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1280, "phone": 390}


def page_urls() -> list[str]:
    """Site-relative URL of every page, from the sources in docs/."""
    urls = []
    for source in sorted([*DOCS.rglob("*.md"), *DOCS.rglob("*.ipynb")]):
        if ".ipynb_checkpoints" in source.parts:
            continue
        rel = source.relative_to(DOCS).with_suffix("")
        if rel.name == "index":  # a folder's index page is served at the folder's URL
            urls.append("" if rel.parent == Path(".") else f"{rel.parent.as_posix()}/")
        else:
            urls.append(f"{rel.as_posix()}/")
    return urls


PAGES = page_urls()


#: The built site behind each served base URL (the findings cache reads the files a page loaded).
_served: dict[str, Path] = {}


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    with serve(site) as url:
        _served[url] = site
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


class Visit:
    """A page opened in a fresh context, with every request and console message recorded."""

    def __init__(self, browser: Browser, url: str, *, width: int = 1280, scheme: str = "light",
                 until: str = "networkidle") -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        self.page: Page = self.context.new_page()
        self.requests: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} ({r.failure})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} (HTTP {r.status})"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        if until == "search-index":
            # `load`, then the search index, the one request a page makes after `load` (Material's
            # search worker); waiting for it is what "networkidle" did, without its 0.5 s of silence.
            with self.page.expect_response(lambda response: response.url.endswith("/search/search_index.json")):
                self.page.goto(url, wait_until="load")
        else:
            self.page.goto(url, wait_until=until)
        self.page.evaluate("() => document.fonts.ready.then(() => true)")

    def close(self) -> None:
        self.context.close()


def wait_until_rendered(page: Page) -> None:
    """Wait for the page's fonts (math and diagrams arrive rendered from the build)."""
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready.then(() => true)")


#: The three variants each page is checked in: (viewport width, colour scheme). All three are
#: made from one load of the page (see `findings`).
VARIANTS = {"desktop": (WIDTHS["desktop"], "light"), "phone": (WIDTHS["phone"], "light"),
            "dark": (WIDTHS["desktop"], "dark")}

#: Run in the page, once per visit: what the per-page tests assert on.
FINDINGS = """async () => {
  const content = document.querySelector('.md-content');
  const formulas = [...content.querySelectorAll('.arithmatex')];
  const figures = [...content.querySelectorAll('img[src*="figures/"]')];
  const lazyFigures = figures.filter(i => i.loading === 'lazy' && i.hasAttribute('width') && i.hasAttribute('height')).length;
  // a lazy image is fetched as the reader nears it: fetch each now, as scrolling down would
  await Promise.all([...content.querySelectorAll('img[loading=lazy]')].map(i => {
    i.loading = 'eager'; return i.decode().catch(() => null); }));
  return {
    figureCount: figures.length,
    lazyFigures,
    mathErrors: [...content.querySelectorAll('merror')].map(e => e.textContent.slice(0, 80)),
    text: content.innerText,
    mathWithoutTex: formulas.filter(f => f.querySelectorAll('math[data-tex]').length !== 1).length,
    flatFractions: [...content.querySelectorAll('mfrac')].filter(f => {
      const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
      return top.height > 0 && bottom.height > 0 && top.bottom > bottom.top + 1; }).length,
    mathCount: formulas.length,
    mathFont: [...document.fonts].filter(f => f.family.includes('Latin Modern Math subset')).map(f => f.status),
    undrawnMermaid: content.querySelectorAll('pre.mermaid').length,
    diagramBoxes: [...content.querySelectorAll('.diagram:not(.diagram--dark) svg')].map(svg => {
      const box = svg.getBoundingClientRect(); return [box.width, box.height]; }),
    brokenImages: [...content.querySelectorAll('img')].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
    overflow: document.documentElement.scrollWidth - window.innerWidth,
  };
}"""


class Findings(dict):
    """What one variant of one page showed; keys of FINDINGS plus requests, failures, errors and axe's verdict."""


_findings: dict[tuple[str, str], Findings] = {}

#: A frame after a change of viewport or scheme, so layout and styles have caught up.
NEXT_FRAME = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
#: Draws every block of the page. The site's stylesheet leaves a block undrawn until it
#: nears the screen (``content-visibility: auto``), and Chromium does not restyle an
#: undrawn block when the scheme is toggled until it is drawn: to a script it keeps
#: the light scheme's colours, which a reader scrolling to it never sees. The dark
#: variant's checks read the page with every block drawn, as a reader sees each one.
DRAW_EVERY_BLOCK = ".md-typeset * { content-visibility: visible !important; }"
#: Waits until nothing is mid-transition. The theme fades colours when the scheme changes,
#: and a change of width fades and slides the navigation drawer's panels (0.25 s): axe-core
#: run halfway reads a fading label's grey as its colour (contrast 2.1; 4.5+ once faded in).
TRANSITIONS_DONE = "() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))"


def findings(browser: Browser, base_url: str, url: str, variant: str) -> Findings:
    """What ``url`` showed in ``variant``, from one load of the page per test worker.

    The page is loaded once, at desktop width in the light scheme, and waits for
    the network to go idle (so the request checks see every request it makes,
    the search index included). Each variant is then made from that load the
    way a reader makes it: the phone variant by narrowing the window to 390 px,
    the dark variant by the scheme toggle (the same ``data-md-color-scheme``
    a reader whose system prefers dark gets at load). Every check of a variant
    reads what was recorded for it: math, diagrams and images at desktop width;
    overflow and a screenshot at both widths; axe-core at both widths and in both schemes
    (at phone width, wide formulas and tables scroll sideways and must take keyboard focus).
    """
    if (url, variant) not in _findings:
        stored = _stored_findings(browser, base_url)
        reused = stored.load(url, SHOTS)
        if reused is not None:
            _findings.update({(url, name): Findings(found) for name, found in reused.items()})
            return _findings[url, variant]
        opened = Visit(browser, base_url + url, width=WIDTHS["desktop"], scheme="light", until="search-index")
        page = opened.page
        name = (url.strip("/") or "home").replace("/", "-")
        SHOTS.mkdir(parents=True, exist_ok=True)

        def record(variant: str, *, shot: bool, axe: bool) -> None:
            found = Findings(page.evaluate(FINDINGS))
            if shot:
                page.screenshot(path=str(SHOTS / f"{name}-{VARIANTS[variant][0]}.png"), full_page=FULL_PAGE_SHOTS)
            if axe:
                found["axe"] = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")["violations"]
            found.update(requests=list(opened.requests), failed=list(opened.failed), errors=list(opened.errors))
            _findings[url, variant] = found

        try:
            page.add_script_tag(path=str(AXE))
            record("desktop", shot=True, axe=True)
            page.set_viewport_size({"width": WIDTHS["phone"], "height": 900})
            page.evaluate(NEXT_FRAME)
            page.evaluate(TRANSITIONS_DONE)
            record("phone", shot=True, axe=True)
            page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
            page.evaluate(NEXT_FRAME)
            page.evaluate(TRANSITIONS_DONE)
            page.locator("form[data-md-component=palette] label:visible").first.click()
            page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
            page.add_style_tag(content=DRAW_EVERY_BLOCK)
            page.evaluate(NEXT_FRAME)
            page.evaluate(TRANSITIONS_DONE)
            record("dark", shot=False, axe=True)
        finally:
            opened.close()
        visit = {shown: _findings[url, shown] for shown in VARIANTS}
        if _clean(visit, base_url):
            stored.store(url, visit, opened.requests, [SHOTS / f"{name}-{width}.png" for width in (WIDTHS["desktop"], WIDTHS["phone"])])
    return _findings[url, variant]


@functools.cache
def _visit_digest(browser_version: str) -> str:
    """What every visit depends on besides the site: the browser, axe-core and the code of the visit (read once)."""
    return cache.key(browser_version, AXE.read_bytes(), Path(__file__).read_bytes(), Path(testing.__file__).read_bytes(),
                     Path(browser_cache.__file__).read_bytes(), importlib.metadata.version("playwright"), str(FULL_PAGE_SHOTS))


def _stored_findings(browser: Browser, base_url: str) -> browser_cache.FindingsCache:
    """The findings cache for this run: keyed by the browser, axe-core and the code of the visit."""
    return browser_cache.FindingsCache(_served[base_url], base_url, _visit_digest(browser.version))


def _clean(visit: dict[str, Findings], base_url: str) -> bool:
    """Whether a visit passed everything that could be a flake: only clean visits are stored for reuse."""
    local = urlparse(base_url).netloc
    return all(
        not found["mathErrors"] and not found["failed"] and not found["errors"] and found["overflow"] <= 0
        and all(urlparse(u).netloc == local for u in found["requests"] if urlparse(u).scheme in ("http", "https"))
        and not any(v["impact"] in ("serious", "critical") for v in found.get("axe", []))
        for found in visit.values()
    )


class PageChecks:
    """Every check of one page, each reading what that page showed in one of its variants.

    One class per page is made below (``TestPage_<page>``), so that
    pytest-xdist's ``--dist loadscope`` (how ``make test`` runs) keeps a page's
    checks on one worker, which loads the page once.
    """

    url: str

    def found(self, browser: Browser, base_url: str, variant: str) -> Findings:
        return findings(browser, base_url, self.url, variant)

    def test_math_is_typeset(self, browser: Browser, base_url: str) -> None:
        found = self.found(browser, base_url, "desktop")
        assert found["mathErrors"] == [], found["mathErrors"]
        for raw in ("\\(", "\\)", "\\[", "\\]", "$$"):
            assert raw not in found["text"], f"raw TeX delimiter {raw!r} is visible on the page"
        assert found["mathWithoutTex"] == 0, f"{found['mathWithoutTex']} of {found['mathCount']} formulas lack MathML with their TeX"
        # Laid out as MathML, not as inline text: each visible fraction's numerator is above its denominator.
        assert found["flatFractions"] == 0, f"{found['flatFractions']} fractions are not laid out as MathML"
        if found["mathCount"]:  # the math font is served, loaded and used
            assert found["mathFont"] == ["loaded"], found["mathFont"]

    def test_every_diagram_is_drawn(self, browser: Browser, base_url: str) -> None:
        found = self.found(browser, base_url, "desktop")
        assert found["undrawnMermaid"] == 0, "an undrawn mermaid block"
        for width, height in found["diagramBoxes"]:  # in the light scheme
            assert width > 50 and height > 20, f"diagram drawn at {width} x {height}"

    def test_every_image_loads(self, browser: Browser, base_url: str) -> None:
        found = self.found(browser, base_url, "desktop")
        assert found["brokenImages"] == []
        # a figure is sized (no layout shift when it arrives) and fetched only near the screen
        assert found["lazyFigures"] == found["figureCount"], "a figure without loading=lazy, width and height"

    @pytest.mark.parametrize("variant", list(VARIANTS))
    def test_nothing_fails_and_nothing_leaves_the_local_server(self, browser: Browser, base_url: str, variant: str) -> None:
        found = self.found(browser, base_url, variant)
        local = urlparse(base_url).netloc
        foreign = [u for u in found["requests"] if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != local]
        assert foreign == [], f"requests to other hosts: {foreign}"
        assert found["failed"] == [], f"failed requests: {found['failed']}"
        assert found["errors"] == [], f"console errors: {found['errors']}"

    @pytest.mark.parametrize("variant", ["desktop", "phone"])
    def test_page_fits_its_width_and_is_photographed(self, browser: Browser, base_url: str, variant: str) -> None:
        overflow = self.found(browser, base_url, variant)["overflow"]
        width = VARIANTS[variant][0]
        assert overflow <= 0, f"{self.url or 'home'} is {overflow}px wider than a {width}px screen"
        name = (self.url.strip("/") or "home").replace("/", "-")
        assert (SHOTS / f"{name}-{width}.png").stat().st_size > 1000

    @pytest.mark.parametrize("variant", ["desktop", "phone", "dark"])
    def test_no_serious_accessibility_violations(self, browser: Browser, base_url: str, variant: str) -> None:
        scheme = VARIANTS[variant][1]
        problems = [
            f"{self.url or 'home'} [{scheme}] {v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['target']}"
            for v in self.found(browser, base_url, variant)["axe"] if v["impact"] in ("serious", "critical")
        ]
        assert problems == [], "\n".join(problems)


for _url in PAGES:
    _name = "TestPage_" + re.sub(r"\W", "_", _url.strip("/") or "home")
    globals()[_name] = type(_name, (PageChecks,), {"url": _url, "__doc__": f"The checks of {_url or 'the home page'}."})


def test_search_for_softmax_lands_on_the_softmax_page(browser: Browser, base_url: str) -> None:
    opened = Visit(browser, base_url)
    try:
        page = opened.page
        page.locator(".md-search__input").click()
        page.locator(".md-search__input").press_sequentially("softmax", delay=30)
        # The chapter's pages are among the results (the API reference, full of the word, may rank first).
        chapter = page.locator(".md-search-result__item a.md-search-result__link[href*='softmax/jacobian/']").first
        chapter.wait_for(timeout=15_000)
        chapter.click()
        page.wait_for_load_state("networkidle")
        assert "/softmax/jacobian/" in page.url, page.url
        # The pages' stored findings leave the search index out of their key: here it is checked on every run.
        assert opened.errors == [] and opened.failed == [], (opened.errors, opened.failed)
    finally:
        opened.close()


def test_colour_toggle_switches_scheme_and_diagrams_follow_it(browser: Browser, base_url: str) -> None:
    """The toggle switches the scheme; each diagram stays drawn and takes the scheme's colours."""
    opened = Visit(browser, base_url + "overview/")
    try:
        page = opened.page
        colours = """() => [...document.querySelectorAll('.md-content .diagram svg')].map(svg => {
            const node = svg.querySelector('.node rect, .node polygon, .node circle, .node path');
            return [getComputedStyle(svg).fill, node && getComputedStyle(node).fill];
        })"""
        before, colours_before = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')"), page.evaluate(colours)
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_timeout(300)
        after, colours_after = page.evaluate("() => document.body.getAttribute('data-md-color-scheme')"), page.evaluate(colours)
        assert {before, after} == {"default", "slate"}
        diagrams = page.locator(".md-content .diagram svg").all()
        assert diagrams, "the overview page should have diagrams"
        for diagram in diagrams:
            diagram.scroll_into_view_if_needed()
            box = diagram.bounding_box()
            assert box and box["width"] > 50 and box["height"] > 20, f"diagram not drawn after switching to {after}"
        assert len(colours_before) == len(diagrams)
        for (text_before, node_before), (text_after, node_after) in zip(colours_before, colours_after, strict=True):
            assert text_before != text_after and node_before != node_after, \
                f"a diagram keeps its colours ({text_before}, {node_before}) in both schemes"
    finally:
        opened.close()


def test_code_blocks_have_a_copy_button(browser: Browser, base_url: str) -> None:
    opened = Visit(browser, base_url + "softmax/in-practice/")
    try:
        blocks = opened.page.locator(".md-content pre > code").count()
        assert blocks > 0
        copy = opened.page.locator(".md-content pre button[data-md-type=copy]")
        assert copy.count() == blocks
        assert copy.first.get_attribute("title") == "Copy to clipboard"
    finally:
        opened.close()


#: A box that scrolls sideways on a phone: softmax/gradient's widest display formula.
WIDE_FORMULA = "() => [...document.querySelectorAll('.md-content div.arithmatex')].sort((a, b) => b.scrollWidth - a.scrollWidth)[0]"


def test_a_box_that_scrolls_sideways_takes_focus_only_while_it_overflows(browser: Browser, base_url: str) -> None:
    """A wide formula on a phone can be reached with Tab and scrolled with the arrow keys; on a desktop,
    where it fits, it is not a tab stop (overrides/main.html, the ResizeObserver script)."""
    opened = Visit(browser, base_url + "softmax/gradient/", width=WIDTHS["phone"])
    page = opened.page
    try:
        page.evaluate(NEXT_FRAME)
        wide = page.evaluate_handle(WIDE_FORMULA).as_element()
        assert wide is not None
        assert wide.evaluate("b => b.scrollWidth > b.clientWidth + 1"), "the widest formula fits a phone: pick another page"
        assert wide.get_attribute("tabindex") == "0"
        wide.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("b => b.scrollLeft > 0", arg=wide)
        page.add_style_tag(content=DRAW_EVERY_BLOCK)  # an undrawn box is a tab stop until drawn and seen to fit
        page.evaluate(NEXT_FRAME)
        fitting = page.evaluate("""() => [...document.querySelectorAll('.md-content div.arithmatex')]
            .filter(b => b.scrollWidth <= b.clientWidth && !b.closest('details:not([open])'))
            .map(b => b.getAttribute('tabindex'))""")
        assert fitting and set(fitting) == {None}, "a formula that fits is still a tab stop"
        wide.evaluate("b => b.blur()")
        page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})
        page.evaluate(NEXT_FRAME)
        assert wide.evaluate("b => b.scrollWidth <= b.clientWidth"), "the widest formula overflows a desktop"
        assert wide.get_attribute("tabindex") is None
    finally:
        opened.close()


def test_drill_solutions_are_closed_until_clicked(browser: Browser, base_url: str) -> None:
    opened = Visit(browser, base_url + "drills/")
    try:
        solutions = opened.page.locator("details.success")
        assert solutions.count() >= 6
        first = solutions.first
        code = first.locator(":scope > .highlight pre").first  # the solution's own code, not a nested box's
        assert first.get_attribute("open") is None
        assert not code.is_visible()
        first.locator(":scope > summary").click()
        assert first.get_attribute("open") is not None
        assert code.is_visible()
    finally:
        opened.close()


def test_instant_navigation_typesets_math_on_the_next_page(browser: Browser, base_url: str) -> None:
    """Navigating without a reload (Material's instant loading) still renders math and diagrams."""
    opened = Visit(browser, base_url)
    try:
        page = opened.page
        page.locator("a.md-nav__link[href*='softmax/jacobian']").first.click()
        page.wait_for_url(re.compile(r".*softmax/jacobian/?$"))
        wait_until_rendered(page)
        assert page.locator(".md-content .arithmatex math").count() > 0
        assert opened.errors == []
    finally:
        opened.close()


#: Whole-page style recalculations while the longest pages load (Chromium's trace, every
#: UpdateLayoutTree that touches most of the page's elements). Measured: 6 with Material as it
#: comes; 5 with the head script of overrides/main.html (html class swap and focus-visible
#: marks made before the body exists): the first style of the page, the palette's switching
#: attribute set and removed (Material's rule in palette.css), the palette's read of the
#: header's colours, and the code blocks' width check. Since blocks are drawn only near the
#: screen (extra.css, ``content-visibility``), each of those restyles touches the drawn blocks
#: alone: 0 whole-page restyles in each of six loads of the two reference pages.
MAX_WHOLE_PAGE_RESTYLES = 0


def whole_page_restyles(browser: Browser, address: str) -> tuple[int, list, int]:
    """Load ``address`` on a phone-sized window: its element count, its whole-page restyles and its largest restyle."""
    context = browser.new_context(viewport={"width": 412, "height": 823})
    try:
        page = context.new_page()
        browser.start_tracing(page=page, categories=["devtools.timeline", "disabled-by-default-devtools.timeline.stack"])
        page.goto(address, wait_until="load")
        page.wait_for_timeout(2500)  # the theme's start-up runs on after `load`
        elements = page.evaluate("() => document.getElementsByTagName('*').length")
        events = json.loads(browser.stop_tracing())["traceEvents"]
    finally:
        context.close()
    restyles = [e for e in events if e.get("name") == "UpdateLayoutTree" and e.get("ph") == "X"]
    whole = [
        (round(e.get("dur", 0) / 1000), [f.get("functionName") or "?" for f in ((e.get("args", {}).get("beginData") or {}).get("stackTrace") or [])[:3]])
        for e in restyles
        if (e.get("args", {}).get("elementCount") or 0) > 0.6 * elements
    ]
    largest = max([e.get("args", {}).get("elementCount") or 0 for e in restyles], default=0)
    return elements, whole, largest


@pytest.mark.parametrize("url", ["reference/api/", "es/reference/api/"])
def test_theme_start_up_never_restyles_the_whole_page(browser: Browser, base_url: str, url: str) -> None:
    """The fewest whole-page restyles over up to three loads is at most MAX_WHOLE_PAGE_RESTYLES.

    Noise only adds restyles: on a busy machine the HTML parser yields more often, and a yield
    after most of the page is parsed is one more whole-page restyle with no script on its stack
    (seen on CI: 6, with both workers busy; 4 or 5 on the same page when idle). So a load over
    the bound is repeated, and the bound applies to the quietest load. The trace must show the
    page being styled at all, or the count would pass for want of a measurement.
    """
    loads = []
    for _ in range(3):
        elements, whole, largest = whole_page_restyles(browser, base_url + url)
        assert elements > 5_000, f"{url} has {elements} elements: pick a longer page for this test"
        assert largest > 0, f"{url}: the trace recorded no restyle (no UpdateLayoutTree with an element count)"
        loads.append(whole)
        if len(whole) <= MAX_WHOLE_PAGE_RESTYLES:
            break
    fewest = min(loads, key=len)
    assert len(fewest) <= MAX_WHOLE_PAGE_RESTYLES, \
        f"{url}: {[len(w) for w in loads]} whole-page restyles in {len(loads)} loads ({elements} elements), quietest (ms, script stack): {fewest}"


def test_start_up_script_and_scheme_switch_work_together(browser: Browser, base_url: str) -> None:
    """overrides/main.html's head script leaves Material's start-up and scheme switch as they were."""
    opened = Visit(browser, base_url + "notation/")
    try:
        page = opened.page
        assert page.evaluate("() => document.documentElement.className.split(' ').includes('js')")
        assert page.evaluate("() => typeof h") == "undefined", "the start-up script leaked a global"
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
        # Material's no-transition rule while the scheme changes is in force.
        durations = page.evaluate("""() => { const header = document.querySelector('.md-header');
            const normal = getComputedStyle(header).transitionDuration;
            document.body.setAttribute('data-md-color-switching', '');
            const switching = getComputedStyle(header).transitionDuration;
            document.body.removeAttribute('data-md-color-switching'); return [normal, switching]; }""")
        normal, switching = ({d.strip() for d in side.split(",")} for side in durations)
        assert normal != {"0s"}, "the header no longer transitions: pick another element for this check"
        assert switching == {"0s"}, f"transitions while switching: {durations}"
        page.locator("form[data-md-component=palette] label:visible").first.click()
        page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'default'")
        assert opened.errors == []
    finally:
        opened.close()


def test_a_code_link_opens_its_api_entry_and_used_on_leads_back(browser: Browser, base_url: str) -> None:
    """A `cr.name` in a page's code links to its API entry, whose "Used on" line links back to the page."""
    opened = Visit(browser, base_url + "softmax/jacobian/")
    try:
        page = opened.page
        link = page.locator(".md-content .highlight a.autorefs").first
        target = link.get_attribute("href").rsplit("#", 1)[1]
        link.click()
        page.wait_for_url(re.compile(r".*/reference/api/#.+"))
        assert page.locator(f"[id='{target}']").count() == 1, f"no entry with id {target}"
        back = page.locator(f"[id='{target}'] ~ div .api-used-on a[href*='softmax/jacobian/'], "
                            f".api-used-on a[href*='softmax/jacobian/']").first
        back.click()
        page.wait_for_url(re.compile(r".*/softmax/jacobian/.*"))
        assert opened.errors == []
    finally:
        opened.close()


def test_every_page_with_code_offers_its_notebook_for_download(browser: Browser, base_url: str) -> None:
    opened = Visit(browser, base_url + "softmax/jacobian/")
    try:
        button = opened.page.locator("a.chainrule-notebook[download]")
        assert button.count() == 1
        with opened.page.expect_download() as download:
            button.click()
        path = download.value.path()
        notebook = json.loads(Path(path).read_text())
        assert notebook["nbformat"] == 4 and any(c["cell_type"] == "code" for c in notebook["cells"])
    finally:
        opened.close()


# -- the two editions --------------------------------------------------------------------------

def _switch_language(page: Page, name: str) -> None:
    """Open the header's language menu and pick ``name`` (as a reader does, by hovering or tapping)."""
    page.locator(".md-header__option .md-select button").first.hover()
    page.locator(f".md-select__link:text-is('{name}')").click()
    # Until the network is idle: the search worker fetches its language's files after `load`, and
    # leaving the page before they arrive aborts them (a failed request; seen once on a clean clone).
    page.wait_for_load_state("networkidle")


def test_the_switcher_leads_to_the_same_section_in_the_other_language_and_back(browser: Browser, base_url: str) -> None:
    opened = Visit(browser, base_url + "softmax/gradient/#cross-entropy", until="load")
    try:
        page = opened.page
        _switch_language(page, "Español")
        assert page.url == base_url + "es/softmax/gradient/#cross-entropy", page.url
        assert page.evaluate("document.documentElement.lang") == "es"
        assert page.locator("h2#cross-entropy").inner_text().startswith("La entropía cruzada") or \
            "entropía cruzada" in page.locator("h2#cross-entropy").inner_text().lower()
        _switch_language(page, "English")
        assert page.url == base_url + "softmax/gradient/#cross-entropy", page.url
        assert page.evaluate("document.documentElement.lang") == "en"
        assert opened.errors == [] and opened.failed == []
    finally:
        opened.close()


def test_the_switcher_follows_instant_navigation(browser: Browser, base_url: str) -> None:
    """After moving to another page without a reload, the switcher leads to that page's translation."""
    opened = Visit(browser, base_url + "es/", until="load")
    try:
        page = opened.page
        page.locator("a.md-nav__link[href*='softmax/jacobian']").first.click()
        page.wait_for_url(re.compile(r".*/es/softmax/jacobian/$"))
        _switch_language(page, "English")
        assert page.url == base_url + "softmax/jacobian/", page.url
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        opened.close()


def test_spanish_search_finds_spanish_pages(browser: Browser, base_url: str) -> None:
    """Material's search with the Spanish language: a Spanish word finds Spanish pages, and only those."""
    opened = Visit(browser, base_url + "es/", until="search-index")
    try:
        page = opened.page
        page.locator(".md-search__input").click()
        page.locator(".md-search__input").press_sequentially("gradientes", delay=30)
        result = page.locator(".md-search-result__item a.md-search-result__link").first
        result.wait_for(timeout=15_000)
        hrefs = page.locator(".md-search-result__item a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
        assert hrefs and all("/es/" in href for href in hrefs), hrefs[:5]
        assert "documento" in page.locator(".md-search-result__meta").inner_text().lower()  # "… documentos encontrados"
        assert opened.errors == [] and opened.failed == [], (opened.errors, opened.failed)
    finally:
        opened.close()
