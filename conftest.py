"""Root conftest: the docs-as-tests harness, and the built site shared by site and browser tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from chainrule_site.cache import locked
from chainrule_site.testing import build_site

pytest_plugins = ["chainrule_site.pytest_plugin", "pytester"]

ROOT = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test run with ``mkdocs build --strict``.

    Under pytest-xdist every worker asks for it; the first builds it into a
    folder all workers of the run share (the parent of their temporary
    folders), the others wait on the lock and reuse it, as the xdist docs
    recommend for session fixtures that must run once.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    out, verdict = shared / "site", shared / "site-build.json"
    with locked(verdict):
        if not verdict.is_file():
            result = build_site(ROOT / "mkdocs.yml", out)
            verdict.write_text(json.dumps({"returncode": result.returncode, "stderr": result.stderr[-5000:]}))
    built = json.loads(verdict.read_text())
    assert built["returncode"] == 0, f"mkdocs build --strict failed:\n{built['stderr']}"
    return out
