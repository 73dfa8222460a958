"""`make audit`'s Lighthouse config: the default one, minus the trace category that skewed it."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest

from chainrule_site.audit import LIGHTHOUSE_CONFIG, site_pages

ROOT = Path(__file__).resolve().parents[1]

#: Resolves the config the way Lighthouse does and reports what the gatherer would record.
PROBE = """
import {pathToFileURL} from 'node:url';
const config = (await import(pathToFileURL(process.argv[1]))).default;
const gatherer = (await import(pathToFileURL(config.artifacts[0].gatherer))).default;
const {default: Original} = await import('lighthouse/core/gather/gatherers/trace.js');
const sent = [];
const driver = {defaultSession: {sendCommand: async (method, params) => sent.push([method, params])}};
await new gatherer().startSensitiveInstrumentation({driver, gatherMode: 'navigation', settings: {}});
console.log(JSON.stringify({
  extends: config.extends, artifacts: config.artifacts.map(a => a.id),
  defaults: Original.getDefaultTraceCategories(),
  recorded: sent.find(([method]) => method === 'Tracing.start')[1].categories.split(','),
}));
"""


@functools.cache
def probe() -> dict:
    done = subprocess.run(["node", "--input-type=module", "-e", PROBE, str(LIGHTHOUSE_CONFIG)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_audit_config_is_lighthouses_default_with_its_trace_gatherer_replaced() -> None:
    found = probe()
    assert found["extends"] == "lighthouse:default"
    assert found["artifacts"] == ["Trace"]


def test_the_trace_records_every_default_category_but_invalidation_tracking() -> None:
    found = probe()
    dropped = "disabled-by-default-devtools.timeline.invalidationTracking"
    assert dropped in found["defaults"], "Lighthouse no longer records it: drop trace-gatherer.mjs"
    assert found["recorded"] == [c for c in found["defaults"] if c != dropped]


def test_the_audit_visits_the_pages_of_both_editions(tmp_path: Path) -> None:
    """`make audit` reads the root sitemap and each edition's (es/sitemap.xml): every page of the site."""
    def sitemap(folder: Path, pages: list[str]) -> None:
        entries = "".join(f"<url><loc>https://x.org/book/{page}</loc></url>" for page in pages)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "sitemap.xml").write_text(f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>')
        for page in pages:
            (tmp_path / page).mkdir(parents=True, exist_ok=True)
            (tmp_path / page / "index.html").write_text("<p>")

    sitemap(tmp_path, ["", "notation/"])
    sitemap(tmp_path / "es", ["es/", "es/notation/"])
    assert site_pages(tmp_path) == ["", "notation/", "es/", "es/notation/"]
    (tmp_path / "es" / "notation" / "index.html").unlink()
    with pytest.raises(FileNotFoundError, match="es/notation/"):
        site_pages(tmp_path)
