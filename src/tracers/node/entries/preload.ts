// Preloaded with `node --require` into the traced program. Node runs preloads on every thread it
// starts with the same options, the ES module loader thread included: there it must cost nothing,
// so the runtime (trace.js, with everything it requires) loads only on the main thread of a traced run.
import { isMainThread } from 'node:worker_threads';
import { join } from 'node:path';

if (process.env.AWAITLENS_TRACE && isMainThread && !(globalThis as { __awaitlens$?: unknown }).__awaitlens$) {
  // (required here, not imported: the other threads never load it)
  const { openCacheDir, requireCompiled } = require('../cache') as typeof import('../cache');
  const cacheDir = openCacheDir(__dirname);
  (requireCompiled(join(__dirname, 'trace.js'), cacheDir) as typeof import('./trace')).startTracer(cacheDir);
}
