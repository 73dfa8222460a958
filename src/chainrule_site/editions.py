"""The Spanish edition: ``docs/es/`` built with ``mkdocs.yml`` into ``<site>/es/``.

One ``mkdocs build`` (or ``mkdocs serve``) makes both editions: when the
English build ends, :func:`build_spanish` (called by the hooks' ``on_post_build``)
builds the Spanish pages with the same configuration and the few changes listed
in ``docs/es/.mkdocs.yml`` (the theme's language, the search stemmer, the
navigation's titles).  Each edition is a plain MkDocs build with its own
plugins, so mkdocs-jupyter renders each edition's notebooks and mkdocstrings
its reference; the hooks know the edition by ``config.theme.language``, draw the
figures' labels in it, and share everything slow through the disk cache.  The
English build leaves ``docs/es/`` out (``exclude_docs``); the Spanish build
serves the English build's stylesheets and data files, which are the same in
both languages.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from chainrule_site.paths import DOCS, ROOT

__all__ = ["EDITIONS", "OVERLAY", "build_spanish", "language", "merge", "overlay", "spanish_config"]

#: Each edition's language, its pages and its folder in the built site.
EDITIONS = {"en": {"docs": DOCS, "root": ""}, "es": {"docs": DOCS / "es", "root": "es/"}}
#: What the Spanish edition changes in mkdocs.yml.
OVERLAY = DOCS / "es" / ".mkdocs.yml"


def language(config: Any) -> str:
    """The edition a configuration builds: its theme's language."""
    return str(config["theme"]["language"])


def merge(base: dict, changes: dict) -> dict:
    """``base`` with ``changes`` applied: dictionaries merge key by key, anything else is replaced.

    ``plugins`` is a list in mkdocs.yml; in ``changes`` it is a mapping from a
    plugin's name to the options to change, or to ``false`` to leave the plugin out.
    """
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if key == "plugins":
            merged[key] = _merge_plugins(merged.get(key, []), value)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _merge_plugins(plugins: list, changes: dict) -> list:
    out = []
    for entry in plugins:
        name, options = (entry, {}) if isinstance(entry, str) else next(iter(entry.items()))
        change = changes.get(name, {})
        if change is False:
            continue
        out.append({name: merge(options or {}, change or {})})
    unknown = {name for name, change in changes.items() if change is not False} - {
        e if isinstance(e, str) else next(iter(e)) for e in plugins}
    if unknown:
        raise ValueError(f"{OVERLAY.relative_to(ROOT)}: plugins {sorted(unknown)} are not in mkdocs.yml")
    return out


def overlay(english: Any) -> Path:
    """The Spanish changes of a site: ``es/.mkdocs.yml`` in its docs folder (a site without one has no Spanish edition)."""
    return Path(english.docs_dir) / EDITIONS["es"]["root"] / OVERLAY.name


def spanish_config(english: Any) -> Any:
    """The Spanish edition's configuration, derived from the English build's ``english``.

    Raises
    ------
    mkdocs.exceptions.Abort
        If the merged configuration is not valid.
    """
    from mkdocs import exceptions
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.utils import yaml_load

    config_file = Path(english.config_file_path)
    with config_file.open("rb") as fd:
        base = yaml_load(fd)
    with overlay(english).open("rb") as fd:
        changes = yaml_load(fd) or {}
    options = merge(base, changes)
    options.update(
        docs_dir=str(Path(english.docs_dir) / EDITIONS["es"]["root"]),
        site_dir=str(Path(english.site_dir) / EDITIONS["es"]["root"]),
        site_url=(english.site_url or "") + EDITIONS["es"]["root"] if english.site_url else None,
        strict=english.strict,
    )
    options.pop("exclude_docs", None)
    config = MkDocsConfig(config_file_path=str(config_file))
    config.load_dict({k: v for k, v in options.items() if v is not None})
    errors, warnings = config.validate()
    if errors or (config.strict and warnings):
        raise exceptions.Abort(f"the Spanish configuration ({OVERLAY.relative_to(ROOT)}) is not valid: {errors + warnings}")
    return config


#: What the Spanish edition is built from, besides the configuration: its pages and the code that
#: draws, typesets and checks them. A dirty rebuild (``make serve``) skips the Spanish build when
#: none of these changed since the last one (an edit of an English page rebuilds English only).
SOURCES = (DOCS / "es", ROOT / "src")
_last_built: dict[str, float] = {}


def _newest() -> float:
    """The newest modification time among the Spanish edition's sources and the two configurations."""
    times = [path.stat().st_mtime for folder in SOURCES for path in folder.rglob("*") if path.is_file()]
    return max([*times, (ROOT / "mkdocs.yml").stat().st_mtime])


def build_spanish(english: Any, dirty: bool = False) -> None:
    """Build the Spanish edition into ``<english site_dir>/es/`` (only changed pages if ``dirty``).

    Does nothing for a site without Spanish pages (the small sites of the tests), nor in a
    dirty rebuild when nothing the Spanish pages are built from changed since the last build.
    """
    import logging

    from mkdocs.commands.build import build

    if not overlay(english).is_file():
        return
    newest = _newest()
    if dirty and _last_built.get(english.site_dir) == newest and (Path(english.site_dir) / "es" / "index.html").is_file():
        logging.getLogger("mkdocs").info("The Spanish edition's sources are unchanged: es/ is not rebuilt")
        return
    config = spanish_config(english)
    config.plugins.on_startup(command="build", dirty=dirty)
    try:
        build(config, dirty=dirty)
    finally:
        config.plugins.on_shutdown()
    _last_built[english.site_dir] = newest
