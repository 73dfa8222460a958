"""chainrule_site.startup fails loudly when the theme stops looking the way it expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule_site.startup import (
    HEAD_SCRIPT,
    SWITCHING_RULE,
    ThemeChanged,
    defer_switching_rule,
    insert_head_script,
)


def palette(site: Path, text: str) -> Path:
    sheet = site / "assets" / "stylesheets" / "palette.0123abcd.min.css"
    sheet.parent.mkdir(parents=True)
    sheet.write_text(text)
    return sheet


def test_switching_rule_is_removed_and_nothing_else(tmp_path: Path) -> None:
    sheet = palette(tmp_path, f"a{{color:red}}{SWITCHING_RULE}b{{color:blue}}")
    assert defer_switching_rule(tmp_path) == sheet
    assert sheet.read_text() == "a{color:red}b{color:blue}"


@pytest.mark.parametrize("times", [0, 2])
def test_a_palette_without_exactly_one_switching_rule_fails_the_build(tmp_path: Path, times: int) -> None:
    palette(tmp_path, "a{color:red}" + SWITCHING_RULE * times)
    with pytest.raises(ThemeChanged, match=f"{times} times, expected once"):
        defer_switching_rule(tmp_path)


def test_a_site_without_one_palette_stylesheet_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "assets" / "stylesheets").mkdir(parents=True)
    with pytest.raises(ThemeChanged, match=r"expected one assets/stylesheets/palette\.\*\.css, found \[\]"):
        defer_switching_rule(tmp_path)


def test_head_script_goes_first_in_head() -> None:
    page = '<html lang="en" class="no-js"><head><meta charset="utf-8"></head><body></body></html>'
    assert insert_head_script(page) == page.replace("<head>", "<head>" + HEAD_SCRIPT)


@pytest.mark.parametrize("page", ["<html><head></head></html>", '<html class="no-js"><body></body></html>'])
def test_a_page_the_script_cannot_go_into_fails_the_build(page: str) -> None:
    with pytest.raises(ThemeChanged):
        insert_head_script(page)
