"""What a page showed in the browser tests, kept while nothing the page loaded has changed.

The browser checks of a page (``tests/test_browser.py``) assert on what one
visit of the page recorded: the math and diagrams it drew, the requests it
made, its console, its width, axe-core's verdict in both colour schemes, and
two screenshots.  Those findings depend on the bytes the page loaded (its HTML
and every file it requested from the site: styles, scripts, fonts, images, the
search index), on the browser and axe-core, and on the code that makes the
visit; on nothing else.

So a visit whose findings were clean is stored under ``.cache/browser/`` with
the digest of every one of those files and of the fixed inputs, but one: the
search index.  Every page fetches it, and it changes with every word of every
page, so with it in the key an edit of one page would visit every page again;
what a page's checks see of it is only that it loads and parses without an
error, and the search tests, which are never stored, check that on every run
in both editions.  The next run
reuses it only if each file the page loaded still has the same digest and the
fixed inputs are the same; any edit that changes what the page loads makes the
page be visited again.  Findings that were not clean (a failed request, a
console error, an overflow, a serious axe violation) are never stored, so a
failure, and a flake, is always looked at afresh.

Off under CI (a clean clone visits every page) and with
``CHAINRULE_BROWSER_CACHE=0``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from chainrule_site import cache

#: The one file a page loads that is not in its key (see the module docstring).
SEARCH_INDEX = "search_index.json"
#: Stands for the base URL in stored findings (each run serves the site on a new port).
_BASE = "{base-url}"


def enabled() -> bool:
    """Whether stored findings may be reused in this run."""
    return os.environ.get("CHAINRULE_BROWSER_CACHE", "1") != "0" and not os.environ.get("CI")


def site_file(site: Path, base_url: str, address: str) -> Path | None:
    """The file of ``site`` that ``address`` is served from, or None if ``address`` is not under ``base_url``."""
    if not address.startswith(base_url):
        return None
    relative = unquote(urlsplit(address).path)[len(urlsplit(base_url).path):]
    return site / relative / "index.html" if relative == "" or relative.endswith("/") else site / relative


def _digest(path: Path) -> str | None:
    return cache.key(path.read_bytes()) if path.is_file() else None


class FindingsCache:
    """Stored findings of the pages of one built ``site`` served at ``base_url``.

    ``fixed`` is a digest of everything else a visit depends on (browser
    version, axe-core, the test code); an entry made with another ``fixed``
    is never reused.
    """

    def __init__(self, site: Path, base_url: str, fixed: str) -> None:
        self.site, self.base_url, self.fixed = site, base_url, fixed

    def _entry(self, url: str) -> Path:
        return cache.path("browser", cache.key(url) + ".json")

    def load(self, url: str, shots: Path) -> dict | None:
        """The findings stored for ``url`` if nothing it loaded has changed (its screenshots are put back in ``shots``)."""
        entry = self._entry(url)
        if not enabled() or not entry.is_file():
            return None
        stored = json.loads(entry.read_text())
        if stored["fixed"] != self.fixed:
            return None
        if any(_digest(self.site / name) != digest for name, digest in stored["files"].items()):
            return None
        if not all(entry.with_name(f"{entry.stem}-{name}").is_file() for name in stored["shots"]):
            return None
        shots.mkdir(parents=True, exist_ok=True)
        for name in stored["shots"]:
            (shots / name).write_bytes(entry.with_name(f"{entry.stem}-{name}").read_bytes())
        return json.loads(stored["findings"].replace(_BASE, json.dumps(self.base_url)[1:-1]))

    def store(self, url: str, findings: dict, requests: list[str], shots: list[Path]) -> None:
        """Keep ``findings`` of ``url``, with the digest of every site file in ``requests``, and its screenshots."""
        files = {}
        for address in requests:
            path = site_file(self.site, self.base_url, address)
            if path is not None and path.name != SEARCH_INDEX:
                files[path.relative_to(self.site).as_posix()] = _digest(path)
        entry = self._entry(url)
        for shot in shots:
            cache.write_atomically(entry.with_name(f"{entry.stem}-{shot.name}"), shot.read_bytes())
        cache.write_atomically(entry, json.dumps(
            {"url": url, "fixed": self.fixed, "files": files, "shots": [s.name for s in shots],
             "findings": json.dumps(findings).replace(json.dumps(self.base_url)[1:-1], _BASE)}))
