"""Root conftest: the docs-as-tests harness, and the built site shared by site and browser tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from chainrule_site.testing import build_site

pytest_plugins = ["chainrule_site.pytest_plugin", "pytester"]

ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test session with ``mkdocs build --strict``."""
    out = tmp_path_factory.mktemp("site")
    result = build_site(ROOT / "mkdocs.yml", out)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stderr[-5000:]}"
    return out
