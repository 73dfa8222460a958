// Lighthouse 12's trace, without one category Lighthouse 13 has dropped.
//
// Lighthouse 12.2 records `disabled-by-default-devtools.timeline.invalidationTracking`
// ("for CLS root causes", a diagnostic; no metric reads it). On a page that
// restyles many elements it emits an event per element and invalidation: on the
// site's long pages it doubled the main-thread time Lighthouse observed (which its
// simulated mobile CPU then multiplies by 4) and filled the trace buffer before the
// first paint was recorded (NO_FCP, a score of 0). Lighthouse 13 no longer records
// it, but needs Node.js 22; this gatherer is Lighthouse 12's own, minus that one
// category. chainrule_site.audit passes it with lighthouse-config.mjs.
import TraceGatherer from 'lighthouse/core/gather/gatherers/trace.js';
import {TraceProcessor} from 'lighthouse/core/lib/tracehouse/trace-processor.js';

export const DROPPED = 'disabled-by-default-devtools.timeline.invalidationTracking';

class Trace extends TraceGatherer {
  /** Lighthouse 12.2.3's startSensitiveInstrumentation, with DROPPED left out of the categories. */
  async startSensitiveInstrumentation({driver, gatherMode, settings}) {
    const defaults = TraceGatherer.getDefaultTraceCategories();
    if (!defaults.includes(DROPPED)) {
      throw new Error(`Lighthouse no longer records ${DROPPED}: this gatherer is not needed, remove it`);
    }
    const categories = defaults.filter(category => category !== DROPPED)
      .concat(settings.additionalTraceCategories || []);
    await driver.defaultSession.sendCommand('Page.enable');
    await driver.defaultSession.sendCommand('Tracing.start', {
      categories: categories.join(','),
      options: 'sampling-frequency=10000',
    });
    if (gatherMode === 'timespan') {
      await driver.defaultSession.sendCommand('Tracing.recordClockSyncMarker',
        {syncId: TraceProcessor.TIMESPAN_MARKER_ID});
    }
  }
}

export default Trace;
