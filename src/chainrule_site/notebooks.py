"""The training notebooks, executed once per content and shared by the build and the tests.

:func:`executed` runs a notebook from ``docs/notebooks/`` top to bottom in a
fresh kernel and returns the path of the executed copy, cached under
``.cache/notebooks/``.  The cache key is the notebook's bytes together with
every file of the ``chainrule`` package (:func:`chainrule_site.cache.package_digest`),
so a notebook runs again when it or the code it imports changes, and at no
other time.  The site build renders the executed copy (mkdocs-jupyter with
``execute: false``), the tests read the same copy: one run per content, not
one per build and one per test.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from chainrule_site import cache
from chainrule_site.paths import ROOT

KERNEL = "python3"
#: Seconds one cell may take before the run fails (the digits training takes ~3 s here).
CELL_TIMEOUT = 600


class NotebookError(RuntimeError):
    """A notebook cell raised; the message names the notebook, the cell and the traceback."""


def executed(notebook: Path) -> Path:
    """Run ``notebook`` in a fresh kernel (unless an identical run is cached); return the executed copy.

    Parameters
    ----------
    notebook : Path
        A ``.ipynb`` file committed without outputs.

    Returns
    -------
    Path
        ``.cache/notebooks/<folder>/<key>/<notebook name>``: the notebook with its
        outputs (``<folder>`` names the notebook's folder, so the Spanish
        ``docs/es/notebooks/iris.ipynb`` and the English one are kept apart).

    Raises
    ------
    NotebookError
        If a cell raises (the failed run is not cached).
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = Path(notebook).resolve()
    entry = cache.key(notebook.read_bytes(), cache.package_digest(), KERNEL, sys.version)
    where = notebook.parent.relative_to(ROOT) if ROOT in notebook.parents else notebook.parent
    folder = re.sub(r"[^A-Za-z0-9]+", "-", str(where)).strip("-")[-60:]
    target = cache.path("notebooks", f"{folder}/{entry}/{notebook.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with cache.locked(target):
        if target.is_file():
            return target
        document = nbformat.read(notebook, as_version=4)
        client = NotebookClient(document, timeout=CELL_TIMEOUT, kernel_name=KERNEL, allow_errors=False,
                                resources={"metadata": {"path": str(notebook.parent)}})
        try:
            client.execute()
        except CellExecutionError as err:
            raise NotebookError(f"{notebook.name}: a cell raised\n{err}") from err
        cache.write_atomically(target, nbformat.writes(document))
    # Earlier runs of this notebook (an older notebook or package) are never read again.
    for stale in target.parents[1].glob(f"*/{notebook.name}"):
        if stale != target:
            stale.unlink(missing_ok=True)
    return target
