// Loaded with `node --import` after preload.js: registers the ES module loader hooks (module.register,
// Node 18.19+/20.6+) so ES modules and TypeScript get probes too. Older Node keeps CommonJS only.
import * as nodeModule from 'node:module';

const runtime = (globalThis as any).__awaitlens$;
if (runtime && !runtime.hooksOnMainThread) { // (else they already run on the main thread, see trace.ts)
  const register = (nodeModule as any).register;
  if (typeof register === 'function') {
    // The loader thread also hosts the blocking watchdog (its heartbeat and sample port go with the data).
    const watchdog = typeof runtime.watchdogForHooks === 'function' ? runtime.watchdogForHooks() : null;
    register(new URL('./hooks.mjs', import.meta.url).href, {
      data: { tracerDir: runtime.tracerDir ?? null, cacheDir: runtime.cacheDir ?? null, watchdog: watchdog?.data },
      transferList: watchdog?.transferList ?? [],
    });
  } else {
    runtime.warn(`Node ${process.versions.node} has no module.register: ES modules run untraced (CommonJS files are traced); use Node 18.19+ or 20.6+`);
  }
}
