"""`make audit`'s Lighthouse config: the default one, minus the trace category that skewed it."""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

from chainrule_site.audit import LIGHTHOUSE_CONFIG

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
