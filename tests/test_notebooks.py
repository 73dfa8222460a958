"""Each training notebook runs from top to bottom in a fresh kernel without raising.

The site build runs them too (mkdocs-jupyter with ``execute: true`` and
``allow_errors: false``); this test gives the same verdict, with the failing cell
and its traceback, without building the site. The notebooks' own ``assert``s
(held-out accuracy, gradient checks) are what makes a run fail.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

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
    notebook = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    client = NotebookClient(
        notebook, timeout=300, kernel_name="python3", allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, if any cell raises
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    figures = [output for output in outputs if "image/svg+xml" in output.get("data", {})]
    assert len(figures) >= 2  # the plots were drawn
