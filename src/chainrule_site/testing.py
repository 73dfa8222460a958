"""Helpers the test-suite shares: building the site, serving it, finding a browser."""

from __future__ import annotations

import functools
import gzip
import http.server
import io
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def build_site_command(config: Path, site: Path) -> list[str]:
    """The command that builds ``config`` strictly into ``site``."""
    return [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(config), "--site-dir", str(site)]


def build_site(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """Run ``mkdocs build --strict`` for ``config`` into ``site``."""
    return subprocess.run(
        build_site_command(config, site), cwd=ROOT, capture_output=True, text=True, timeout=900,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"},
    )


#: Content types GitHub Pages sends gzip-compressed to a browser that accepts it.
COMPRESSED_TYPES = frozenset({
    "text/html", "text/css", "text/javascript", "application/javascript", "application/json",
    "image/svg+xml", "application/xml", "text/xml", "text/plain",
})


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files the way GitHub Pages does: text gzip-compressed when the client accepts it."""

    #: (path, mtime) -> gzip bytes, shared by every request of one server.
    _gzipped: dict[tuple[str, float], bytes] = {}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the directory's URL with a slash
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        if ctype.split(";")[0] not in COMPRESSED_TYPES or not os.path.isfile(path) \
                or "gzip" not in self.headers.get("Accept-Encoding", ""):
            return super().send_head()
        key = (path, os.path.getmtime(path))
        if key not in self._gzipped:
            with open(path, "rb") as source:
                self._gzipped[key] = gzip.compress(source.read(), compresslevel=6, mtime=0)
        body = self._gzipped[key]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on 127.0.0.1 (a free port) and yield its base URL.

    Like GitHub Pages, the server gzips HTML, CSS, JavaScript, JSON, SVG and XML
    for a client that sends ``Accept-Encoding: gzip`` (every browser does), so
    transfer sizes and load times measured against it are those readers see.
    """
    handler = functools.partial(_SiteHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def chromium_path() -> str:
    """The Chromium the browser tests drive: $CHROMIUM, else Debian's, else Chrome.

    Raises
    ------
    FileNotFoundError
        If no Chromium is installed (``make test`` installs Debian's).
    """
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"),
                      shutil.which("google-chrome"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("no Chromium found (expected /usr/bin/chromium or $CHROMIUM); run `make test`, which installs it")
