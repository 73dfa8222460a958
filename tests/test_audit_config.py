"""`make audit`: its Lighthouse config (the default minus the trace category that skewed it) and its summary."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest

from chainrule_site.audit import (
    LIGHTHOUSE_CONFIG,
    first_paint_held,
    format_report,
    median_run,
    site_pages,
    summarise,
)

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


def fake_report(performance: float | None, first_paint: float = 200.0, load: float = 400.0) -> dict:
    """The parts of a Lighthouse report the audit's summary reads."""
    categories = {c: {"score": 1.0, "auditRefs": []} for c in ("accessibility", "best-practices", "seo")}
    categories["performance"] = {"score": performance, "auditRefs": []}
    audits = {
        "total-byte-weight": {"numericValue": 1000},
        "network-requests": {"details": {"items": [{}, {}]}},
        "metrics": {"details": {"items": [{"observedFirstContentfulPaint": first_paint, "observedLoad": load}]}},
    }
    return {"categories": categories, "audits": audits, "environment": {"benchmarkIndex": 2000}}


def test_a_page_is_summarised_by_its_median_run() -> None:
    """Three runs scoring 0.91, 0.62 and 0.95: the median is the first; an even count takes the lower middle."""
    runs = [fake_report(0.91), fake_report(0.62), fake_report(0.95)]
    assert median_run(runs) == 0
    assert median_run([fake_report(0.95), fake_report(0.62)]) == 1
    assert median_run([fake_report(None), fake_report(0.5), fake_report(0.7)]) == 1  # unscored counts as 0
    assert median_run(runs[1:2]) == 0
    with pytest.raises(ValueError, match="at least one run"):
        median_run([])


def test_a_first_paint_after_the_load_event_counts_as_held() -> None:
    assert first_paint_held(fake_report(0.7, first_paint=1250.0, load=450.0))
    assert not first_paint_held(fake_report(0.9, first_paint=190.0, load=450.0))
    broken = fake_report(0.9)
    broken["audits"]["metrics"] = {"details": {"items": []}}
    with pytest.raises(KeyError, match="observed metrics"):
        first_paint_held(broken)


def test_the_summary_keeps_every_runs_score_and_counts_the_held_ones() -> None:
    runs = [fake_report(0.91), fake_report(0.62, first_paint=1300.0), fake_report(0.95)]
    result = summarise("notation/", runs[median_run(runs)], runs=runs)
    assert result.scores["performance"] == 91
    assert result.runs == (91, 62, 95)
    assert result.held == 1
    assert (result.transfer_bytes, result.requests, result.benchmark_index) == (1000, 2, 2000)
    line = format_report([result]).splitlines()[1].split()
    assert line[:5] == ["notation/", "91", "100", "100", "100"]
    assert line[5:7] == ["91/62/95", "1"]
    assert summarise("", runs[0]).runs == (91,)  # one run: its own score
