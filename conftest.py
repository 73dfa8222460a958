"""Root conftest: the docs-as-tests harness, and the built site shared by site and browser tests.

The site is built once per run.  Under pytest-xdist the controller starts the
build in the background as soon as the workers report what they collected (if
any collected test uses the site), and the workers run everything that does
not need the site first; the ``site`` fixture waits for the build.  Without
xdist, the fixture builds the site itself the first time a test asks for it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from chainrule_site.cache import locked
from chainrule_site.testing import build_site, build_site_command

pytest_plugins = ["chainrule_site.pytest_plugin", "pytester"]

ROOT = Path(__file__).resolve().parent
#: Where the controller builds the site for its workers (set in the environment the workers inherit).
SHARED_BUILD = "CHAINRULE_TEST_SITE"
#: Test files whose tests use the built site: they run last, after the build has had time to finish.
SITE_TESTS = ("tests/test_site.py", "tests/test_browser.py", "tests/test_reference.py", "tests/test_page_notebooks.py",
              "tests/test_spanish_site.py")


def pytest_configure(config: pytest.Config) -> None:
    """In the xdist controller: choose the folder the workers will find the site in.

    If the paths to test include a test file that uses the site, the build starts
    now, while the workers collect (about 10 s each here): on a cold cache the
    build takes longer than every test that does not need the site.
    """
    global _owned
    if hasattr(config, "workerinput") or not config.pluginmanager.hasplugin("xdist") or not config.getoption("numprocesses", None):
        return
    os.environ[SHARED_BUILD] = _owned = tempfile.mkdtemp(prefix="chainrule-site-")
    targets = [Path(config.invocation_params.dir, arg.split("::", 1)[0]).resolve()
               for arg in (config.args or config.getini("testpaths"))]
    if any(target == test or target in test.parents for test in (ROOT / name for name in SITE_TESTS) for target in targets):
        _start_build()


#: The site folder this process made (a pytest run inside a test, such as `pytest --collect-only docs`,
#: inherits the variable but must leave the folder alone).
_owned: str | None = None


_build: subprocess.Popen | None = None


#: Whether a worker collected a test that uses the site (else an early build is stopped, not awaited).
_site_collected = False


def _start_build() -> None:
    """Controller: start the one build of the run in the background (once)."""
    global _build
    if _build is not None:
        return
    folder = Path(os.environ[SHARED_BUILD])
    command = " ".join(build_site_command(ROOT / "mkdocs.yml", folder / "site"))
    _build = subprocess.Popen(
        ["sh", "-c", (f"{command} > {folder / 'build.log'} 2>&1; echo $? > {folder / 'returncode.tmp'}; "
                      f"mv {folder / 'returncode.tmp'} {folder / 'returncode'}")],
        cwd=ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
        start_new_session=True)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: object, ids: list[str]) -> None:
    """Controller: start the build (if not started yet) as soon as a worker has collected a site test."""
    global _site_collected
    if SHARED_BUILD in os.environ and any(i.startswith(SITE_TESTS) for i in ids):
        _site_collected = True
        _start_build()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests that need the built site run after the others (same order on every xdist worker)."""
    items.sort(key=lambda item: item.nodeid.startswith(SITE_TESTS))


def pytest_unconfigure(config: pytest.Config) -> None:
    """Controller: let the build finish (or stop it if no test used it), then remove the run's copy of the site."""
    if _build is not None and _build.poll() is None:
        if not _site_collected:
            os.killpg(_build.pid, signal.SIGTERM)
        _build.wait(timeout=900)
    if _owned and not hasattr(config, "workerinput"):
        shutil.rmtree(_owned, ignore_errors=True)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built once per test run with ``mkdocs build --strict``."""
    shared = os.environ.get(SHARED_BUILD)
    if shared and os.environ.get("PYTEST_XDIST_WORKER"):
        folder = Path(shared)
        deadline = time.monotonic() + 900
        while not (folder / "returncode").is_file():
            assert time.monotonic() < deadline, "the site build started by the controller did not finish in 15 minutes"
            time.sleep(0.2)
        returncode = int((folder / "returncode").read_text())
        log = (folder / "build.log").read_text() if (folder / "build.log").is_file() else ""
        assert returncode == 0, f"mkdocs build --strict failed:\n{log[-5000:]}"
        return folder / "site"
    out, verdict = tmp_path_factory.getbasetemp() / "site", tmp_path_factory.getbasetemp() / "site-build.json"
    with locked(verdict):
        if not verdict.is_file():
            result = build_site(ROOT / "mkdocs.yml", out)
            verdict.write_text(json.dumps({"returncode": result.returncode, "stderr": result.stderr[-5000:]}))
    built = json.loads(verdict.read_text())
    assert built["returncode"] == 0, f"mkdocs build --strict failed:\n{built['stderr']}"
    return out
