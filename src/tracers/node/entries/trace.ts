// Loaded by preload.js on the traced program's main thread, which calls startTracer: starts the
// trace runtime and the CommonJS hooks. Reads its settings from the environment and removes them,
// so programs this one forks are not written into the same trace.
import { join, resolve } from 'node:path';
import { startRuntime } from '../runtime';
import { installCommonJsHooks } from '../cjs';
import { requireCompiled } from '../cache';
import { hookOnMainThread } from '../node20';
import { pathToFileURL } from 'node:url';

/**
 * The ES module hooks on this thread, so that no loader thread starts (Node 20's module.register
 * makes the program wait 40 ms or more for one): with module.registerHooks on Node 22.15+ / 23.5+,
 * else through Node's own hook chain when started with --expose-internals (see node20.ts). Then
 * register.mjs (when given) has nothing to do, and the watchdog gets a worker of its own (runtime.ts).
 */
function hookModulesOnMainThread(tracerDir: string, cacheDir: string | null, runtime: any): boolean {
  const registerHooks = (require('node:module') as { registerHooks?: (hooks: object) => unknown }).registerHooks;
  const hooks = requireCompiled(join(tracerDir, 'loaderhooks.js'), cacheDir) as typeof import('./loaderhooks');
  if (typeof registerHooks === 'function') {
    hooks.initialize({ tracerDir, cacheDir });
    registerHooks({ resolve: hooks.resolveSync, load: hooks.loadSync });
    return true;
  }
  try {
    return hookOnMainThread(hooks, { tracerDir, cacheDir }, (register) => {
      const watchdog = runtime.watchdogForHooks();
      register(pathToFileURL(join(tracerDir, 'hooks.mjs')).href, { tracerDir, cacheDir, watchdog: watchdog?.data }, watchdog?.transferList ?? []);
    });
  } catch {
    return false; // register.mjs registers them on a loader thread
  }
}

/**
 * The flags launch.ts gave node, out of process.execArgv: the program sees the flags it would see
 * untraced, and a process it forks (child_process.fork and cluster pass process.execArgv on) starts
 * without the tracer's preload and hooks.
 */
function hideTracerFlags(flagsJson: string | undefined): void {
  let flags: unknown;
  try { flags = JSON.parse(flagsJson ?? ''); } catch { return; }
  if (!Array.isArray(flags) || flags.length === 0) return;
  const argv = process.execArgv;
  for (let i = 0; i + flags.length <= argv.length; i++) {
    if (flags.every((flag, k) => argv[i + k] === flag)) {
      process.execArgv = [...argv.slice(0, i), ...argv.slice(i + flags.length)];
      return;
    }
  }
}

/** Starts tracing this process; `cacheDir` is the cache folder preload.js opened (null: none). */
export function startTracer(cacheDir: string | null): void {
  const tracePath = process.env.AWAITLENS_TRACE;
  if (!tracePath || (globalThis as any).__awaitlens$) return;
  const blockingMs = Number(process.env.AWAITLENS_BLOCKING_MS) || 100;
  const program = process.env.AWAITLENS_PROGRAM || (process.argv[1] ? resolve(process.argv[1]) : '');
  delete process.env.AWAITLENS_TRACE;
  delete process.env.AWAITLENS_BLOCKING_MS;
  delete process.env.AWAITLENS_PROGRAM;
  const nodeFlags = process.env.AWAITLENS_NODE_FLAGS;
  delete process.env.AWAITLENS_NODE_FLAGS;
  const tracerDir = __dirname;
  try {
    startRuntime({ tracePath, blockingMs, program, tracerDir });
    const runtime = (globalThis as any).__awaitlens$;
    installCommonJsHooks(tracerDir, cacheDir, (m) => runtime.warn(m));
    runtime.tracerDir = tracerDir;
    runtime.cacheDir = cacheDir;
    runtime.hooksOnMainThread = hookModulesOnMainThread(tracerDir, cacheDir, runtime);
    hideTracerFlags(nodeFlags);
  } catch (err) {
    process.stderr.write(`awaitlens: could not start the Node tracer: ${(err as Error).message}\n`);
  }
}
