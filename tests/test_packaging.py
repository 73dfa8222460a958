"""`pip install .` installs the package readers import, with NumPy as its only dependency."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_wheel_holds_chainrule_only_and_depends_on_numpy_only(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = tmp_path.glob("chainrule-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert top == {"chainrule", next(t for t in top if t.endswith(".dist-info"))}, sorted(top)
    assert "chainrule/data/iris.csv" in names and "chainrule/engine.py" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert [r.split(">")[0].split("=")[0].split("<")[0].strip() for r in requires] == ["numpy"], requires
