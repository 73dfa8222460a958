"""The browser findings cache reuses a visit only while every file the page loaded is unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule_site import browser_cache

BASE = "http://127.0.0.1:8123/"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("chainrule_site.cache.CACHE", tmp_path / "cache")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("CHAINRULE_BROWSER_CACHE", raising=False)
    root = tmp_path / "site"
    (root / "page").mkdir(parents=True)
    (root / "page" / "index.html").write_text("<p>page</p>")
    (root / "style.css").write_text("p { color: black }")
    (root / "search").mkdir()
    (root / "search" / "search_index.json").write_text("{}")
    return root


def stored(site: Path, tmp_path: Path, fixed: str = "v1") -> tuple[browser_cache.FindingsCache, Path]:
    findings = browser_cache.FindingsCache(site, BASE, fixed)
    shot = tmp_path / "shots-made" / "page-1280.png"
    shot.parent.mkdir(exist_ok=True)
    shot.write_bytes(b"png" * 400)
    findings.store("page/", {"desktop": {"errors": [], "requests": [BASE + "page/"]}},
                   [BASE + "page/", BASE + "style.css?v=3", BASE + "search/search_index.json", "data:image/png;base64,AA"], [shot])
    return findings, tmp_path / "shots"


def test_an_unchanged_page_is_reused_with_its_screenshots(site: Path, tmp_path: Path) -> None:
    _, shots = stored(site, tmp_path)
    again = browser_cache.FindingsCache(site, "http://127.0.0.1:9/", "v1")  # the next run serves on another port
    assert again.load("page/", shots) == {"desktop": {"errors": [], "requests": ["http://127.0.0.1:9/page/"]}}
    assert (shots / "page-1280.png").read_bytes() == b"png" * 400


@pytest.mark.parametrize("changed", ["page/index.html", "style.css"])
def test_a_change_in_any_file_the_page_loaded_visits_it_again(site: Path, tmp_path: Path, changed: str) -> None:
    findings, shots = stored(site, tmp_path)
    (site / changed).write_text((site / changed).read_text() + " ")
    assert findings.load("page/", shots) is None


def test_the_search_index_is_not_in_the_key(site: Path, tmp_path: Path) -> None:
    """It changes with every page; the search tests, never stored, check it loads without an error."""
    findings, shots = stored(site, tmp_path)
    (site / "search" / "search_index.json").write_text('{"docs": []}')
    assert findings.load("page/", shots) is not None


def test_a_removed_file_visits_it_again(site: Path, tmp_path: Path) -> None:
    findings, shots = stored(site, tmp_path)
    (site / "style.css").unlink()
    assert findings.load("page/", shots) is None


def test_a_lost_screenshot_visits_it_again(site: Path, tmp_path: Path) -> None:
    findings, shots = stored(site, tmp_path)
    for shot in (tmp_path / "cache" / "browser").glob("*.png"):
        shot.unlink()
    assert findings.load("page/", shots) is None


def test_other_browser_or_test_code_visits_it_again(site: Path, tmp_path: Path) -> None:
    stored(site, tmp_path, fixed="v1")
    assert browser_cache.FindingsCache(site, BASE, "v2").load("page/", tmp_path / "shots") is None


@pytest.mark.parametrize("setting", [("CI", "true"), ("CHAINRULE_BROWSER_CACHE", "0")])
def test_off_under_ci_and_on_request(site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: tuple[str, str]) -> None:
    findings, shots = stored(site, tmp_path)
    monkeypatch.setenv(*setting)
    assert findings.load("page/", shots) is None


def test_site_file_maps_addresses_to_files(tmp_path: Path) -> None:
    assert browser_cache.site_file(tmp_path, BASE, BASE) == tmp_path / "index.html"
    assert browser_cache.site_file(tmp_path, BASE, BASE + "es/a%20b/?x=1#y") == tmp_path / "es" / "a b" / "index.html"
    assert browser_cache.site_file(tmp_path, BASE, BASE + "assets/x.js?v=2") == tmp_path / "assets" / "x.js"
    assert browser_cache.site_file(tmp_path, BASE, "https://example.org/x.js") is None
