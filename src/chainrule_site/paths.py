"""Where things are: the repository and the folders the site machinery reads and writes."""

from __future__ import annotations

import os
from importlib.util import find_spec
from pathlib import Path

#: The repository root (this file is src/chainrule_site/paths.py).
ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
#: The chainrule package the build and the notebooks import (normally src/chainrule).
PACKAGE = Path(find_spec("chainrule").origin).parent  # type: ignore[arg-type]  (finds it without importing it)
NODE_MODULES = ROOT / "node_modules"
#: Content-addressed results of expensive build steps (chainrule_site.cache); never committed.
CACHE = Path(os.environ.get("CHAINRULE_CACHE") or ROOT / ".cache")
#: What `make bench` measured: the Performance page and the modes figure read it.
RESULTS = DOCS / "performance" / "results.json"
