"""How the Spanish edition's configuration is derived, and when a rebuild skips it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from chainrule_site import editions
from chainrule_site.paths import DOCS, ROOT


def test_changes_merge_into_the_base_and_plugins_by_name() -> None:
    base = {"theme": {"name": "material", "language": "en", "features": ["a"]},
            "plugins": ["search", {"redirects": {"redirect_maps": {"a.md": "b.md"}}}, {"mkdocs-jupyter": {"execute": False}}]}
    merged = editions.merge(base, {"theme": {"language": "es"}, "plugins": {"search": {"lang": "es"}, "redirects": False}})
    assert merged["theme"] == {"name": "material", "language": "es", "features": ["a"]}
    assert merged["plugins"] == [{"search": {"lang": "es"}}, {"mkdocs-jupyter": {"execute": False}}]
    assert base["theme"]["language"] == "en", "the base is not changed"


def test_a_change_to_a_plugin_the_base_lacks_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match=r"plugins \['mkdocstrings'\] are not in mkdocs.yml"):
        editions.merge({"plugins": ["search"]}, {"plugins": {"mkdocstrings": {"x": 1}}})
    assert editions.merge({"plugins": ["search"]}, {"plugins": {"redirects": False}}) == {"plugins": [{"search": {}}]}


def test_the_spanish_configuration_is_the_english_one_in_spanish() -> None:
    from mkdocs.config import load_config

    english = load_config(str(ROOT / "mkdocs.yml"), site_dir="/tmp/chainrule-test-site")
    spanish = editions.spanish_config(english)
    assert editions.language(english) == "en" and editions.language(spanish) == "es"
    assert Path(spanish.docs_dir) == DOCS / "es" and Path(spanish.site_dir) == Path("/tmp/chainrule-test-site/es")
    assert spanish.site_url == english.site_url + "es/"
    assert spanish.plugins["material/search"].config.lang == ["es"]
    assert "redirects" not in spanish.plugins and "redirects" in english.plugins
    assert spanish.markdown_extensions == english.markdown_extensions
    assert "src/chainrule_site/hooks.py" in spanish.plugins


def test_a_dirty_rebuild_skips_the_spanish_edition_only_when_its_sources_are_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = []
    monkeypatch.setattr(editions, "spanish_config", lambda english: built.append(english) or (_ for _ in ()).throw(RuntimeError("built")))
    english = SimpleNamespace(docs_dir=str(DOCS), site_dir=str(tmp_path))
    (tmp_path / "es").mkdir()
    (tmp_path / "es" / "index.html").write_text("built before")
    monkeypatch.setitem(editions._last_built, str(tmp_path), editions._newest())
    editions.build_spanish(english, dirty=True)  # nothing changed: skipped
    assert built == []
    with pytest.raises(RuntimeError, match="built"):
        editions.build_spanish(english, dirty=False)  # a full build always builds it
    monkeypatch.setitem(editions._last_built, str(tmp_path), 0.0)
    with pytest.raises(RuntimeError, match="built"):
        editions.build_spanish(english, dirty=True)  # a source changed since: rebuilt
    assert len(built) == 2


def test_a_site_without_spanish_pages_has_no_spanish_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editions, "spanish_config", lambda english: pytest.fail("a Spanish build was started"))
    editions.build_spanish(SimpleNamespace(docs_dir=str(tmp_path), site_dir=str(tmp_path / "site")))
