// Lighthouse's default config (mobile preset, all categories), with the trace gatherer
// of trace-gatherer.mjs in place of its own (same artifact id, so it replaces it).
import {fileURLToPath} from 'node:url';

export default {
  extends: 'lighthouse:default',
  artifacts: [
    {id: 'Trace', gatherer: fileURLToPath(new URL('./trace-gatherer.mjs', import.meta.url))},
  ],
};
