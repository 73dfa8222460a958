"""Each training notebook runs from top to bottom in a fresh kernel without raising.

The site build and these tests share one run per content
(:func:`chainrule_site.notebooks.executed`, cached by the notebook and the
package's sources): whichever asks first runs the notebook, the other reads the
executed copy. The notebooks' own ``assert``s (held-out accuracy, gradient
checks) are what makes a run fail.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from chainrule_site import cache
from chainrule_site.notebooks import NotebookError, executed

NOTEBOOKS = Path(__file__).resolve().parents[1] / "docs" / "notebooks"


def test_the_notebooks_folder_holds_the_two_training_notebooks() -> None:
    assert sorted(path.name for path in NOTEBOOKS.glob("*.ipynb")) == ["digits.ipynb", "iris.ipynb"]


@pytest.mark.parametrize("name", ["iris", "digits"])
def test_notebook_is_committed_without_outputs(name: str) -> None:
    """Outputs are produced by the build; committed ones would go stale and bloat diffs."""
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells and all(not cell.outputs and cell.execution_count is None for cell in code_cells)


@pytest.mark.parametrize("name", ["iris", "digits"])
def test_notebook_runs_without_error_in_a_fresh_kernel(name: str) -> None:
    notebook = nbformat.read(executed(NOTEBOOKS / f"{name}.ipynb"), as_version=4)  # raises NotebookError if a cell raises
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [output for output in outputs if "image/svg+xml" in output.get("data", {})]
    assert len(figures) >= 2  # the plots were drawn


def _notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources]), path)
    return path


def test_a_notebook_runs_once_per_content_and_again_when_it_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    first = executed(_notebook(tmp_path, "a.ipynb", "x = 6 * 7\nx"))
    assert nbformat.read(first, as_version=4).cells[0].outputs[0]["data"]["text/plain"] == "42"
    mtime = first.stat().st_mtime_ns
    assert executed(tmp_path / "a.ipynb") == first and first.stat().st_mtime_ns == mtime  # a hit: not run again
    second = executed(_notebook(tmp_path, "a.ipynb", "x = 6 * 8\nx"))
    assert second != first
    assert nbformat.read(second, as_version=4).cells[0].outputs[0]["data"]["text/plain"] == "48"


def test_the_cache_key_covers_the_package_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "chainrule"
    package.mkdir()
    (package / "softmax.py").write_text("A = 1\n")
    monkeypatch.setattr(cache, "PACKAGE", package)
    before = cache.package_digest()
    (package / "softmax.py").write_text("A = 2\n")
    assert cache.package_digest() != before


def test_a_cell_that_raises_fails_the_run_and_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    broken = _notebook(tmp_path, "broken.ipynb", "raise ValueError('cell two is wrong')")
    with pytest.raises(NotebookError, match="broken.ipynb: a cell raised(.|\n)*cell two is wrong"):
        executed(broken)
    assert not list((tmp_path / "cache").rglob("broken.ipynb"))


def test_a_notebook_keeps_only_its_latest_run_in_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "CACHE", tmp_path / "cache")
    first = executed(_notebook(tmp_path, "b.ipynb", "1"))
    second = executed(_notebook(tmp_path, "b.ipynb", "2"))
    assert second.is_file() and not first.exists()
    assert list((tmp_path / "cache").rglob("b.ipynb")) == [second]
