// Loaded by preload.js on the traced program's main thread: starts the trace runtime and the
// CommonJS hooks. Reads its settings from the environment and removes them, so programs this one
// forks are not written into the same trace.
import { isMainThread } from 'node:worker_threads';
import { join, resolve } from 'node:path';
import { startRuntime } from '../runtime';
import { installCommonJsHooks } from '../cjs';
import { openCacheDir } from '../cache';

/**
 * Node 22.15+ / 23.5+: the ES module hooks run on this thread (module.registerHooks), so no loader
 * thread starts: Node 20's module.register makes the program wait ~40 ms for one. register.mjs
 * (when given) then has nothing to do. The watchdog gets a worker of its own (see runtime.ts).
 */
function registerSyncHooks(tracerDir: string, cacheDir: string | null): boolean {
  const registerHooks = (require('node:module') as { registerHooks?: (hooks: object) => unknown }).registerHooks;
  if (typeof registerHooks !== 'function') return false;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const hooks = require(join(tracerDir, 'loaderhooks.js')) as typeof import('./loaderhooks');
  hooks.initialize({ tracerDir, cacheDir });
  registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
  return true;
}

const tracePath = process.env.AWAITLENS_TRACE;
if (tracePath && isMainThread && !(globalThis as any).__awaitlens$) {
  const blockingMs = Number(process.env.AWAITLENS_BLOCKING_MS) || 100;
  const program = process.env.AWAITLENS_PROGRAM || (process.argv[1] ? resolve(process.argv[1]) : '');
  delete process.env.AWAITLENS_TRACE;
  delete process.env.AWAITLENS_BLOCKING_MS;
  delete process.env.AWAITLENS_PROGRAM;
  const tracerDir = __dirname;
  try {
    startRuntime({ tracePath, blockingMs, program, tracerDir });
    const runtime = (globalThis as any).__awaitlens$;
    const cacheDir = openCacheDir(tracerDir);
    installCommonJsHooks(tracerDir, cacheDir, (m) => runtime.warn(m));
    runtime.tracerDir = tracerDir;
    runtime.cacheDir = cacheDir;
    runtime.syncHooks = registerSyncHooks(tracerDir, cacheDir);
  } catch (err) {
    process.stderr.write(`awaitlens: could not start the Node tracer: ${(err as Error).message}\n`);
  }
}
