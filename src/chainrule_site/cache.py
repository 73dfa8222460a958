"""A content-addressed disk cache for the build's expensive work.

Everything slow that the build does (running the notebooks, typesetting a
formula, drawing a figure or a diagram) is a pure function of some inputs.
Its result is stored under ``.cache/<kind>/`` in a file named by a hash of
those inputs, so a rebuild after an edit redoes only what the edit changed,
and the tests reuse what the build (or an earlier run) already produced.

The inputs are always named explicitly (:func:`key`): a notebook is keyed by
its own bytes *and* by the sources of the package it imports
(:func:`package_digest`), so an edit in ``src/chainrule`` runs it again; a
formula by its TeX and the Temml version; a figure by the source of the code
that draws it, the package and the data file it reads.

Concurrent writers (pytest-xdist workers) are safe: an entry is written to a
temporary file and renamed into place, and :func:`locked` serialises the
computation of one entry so it is done once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from chainrule_site.paths import CACHE, PACKAGE


def key(*parts: str | bytes) -> str:
    """A short hex digest of ``parts`` (in order; each part is length-prefixed, so no two lists collide)."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()[:24]


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """Digest of the names (relative to ``root``) and bytes of ``paths``."""
    parts: list[str | bytes] = []
    for path in sorted(paths):
        parts += [path.relative_to(root).as_posix(), path.read_bytes()]
    return key(*parts)


def package_digest() -> str:
    """Digest of every file of the ``chainrule`` package (code and data), read now."""
    files = [p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return files_digest(files, PACKAGE.parent)


def path(kind: str, name: str) -> Path:
    """Where the entry ``name`` of ``kind`` lives (``.cache/<kind>/<name>``); its folder exists."""
    folder = CACHE / kind
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def write_atomically(target: Path, data: str | bytes) -> None:
    """Write ``data`` to ``target`` so that no reader ever sees a partial file."""
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as out:
            out.write(data)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def locked(target: Path) -> Iterator[None]:
    """Hold an exclusive lock for computing ``target`` (other processes wait, then find it done)."""
    lock = target.with_name(f".{target.name}.lock")
    with open(lock, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
