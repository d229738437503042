// How a runner starts a program under the Node tracer: the user's own node, with preload.js
// (runtime + CommonJS hooks, and the ES module hooks on the main thread: module.registerHooks on
// Node 22.15+, Node's internals under --expose-internals on Node 20, see node20.ts) and, on Node
// that registers hooks otherwise, register.mjs (module.register: a loader thread) or hooks.mjs
// (--experimental-loader). Settings go through the environment.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LaunchOptions, LaunchPlan } from '../launch';

const versions = new Map<string, [number, number] | null>();

/** The interpreter's [major, minor], null when it cannot be asked (the runner reports a missing node). */
export function nodeVersion(interpreter: string): [number, number] | null {
  if (versions.has(interpreter)) return versions.get(interpreter)!;
  let version: [number, number] | null = null;
  try {
    const out = spawnSync(interpreter, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    const m = /^v(\d+)\.(\d+)/.exec((out.stdout || '').trim());
    if (m) version = [Number(m[1]), Number(m[2])];
  } catch { /* leave null */ }
  versions.set(interpreter, version);
  return version;
}

/** module.register and --import: Node 20.6+, 18.19+ (and every version after 20). */
export function canRegisterHooks(v: [number, number] | null): boolean {
  if (!v) return true;
  const [major, minor] = v;
  return major > 20 || (major === 20 && minor >= 6) || (major === 18 && minor >= 19);
}

/** module.registerHooks, hooks on the main thread: Node 22.15+, 23.5+ (preload.js registers them). */
export function canRegisterSyncHooks(v: [number, number] | null): boolean {
  if (!v) return false;
  const [major, minor] = v;
  return major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 15);
}

/**
 * Before module.register (18.0-18.18, 19, 20.0-20.5) the same hooks load with --experimental-loader
 * (resolve/load hooks exist from 16.12); Node prints one ExperimentalWarning for it.
 */
export function needsLoaderFlag(v: [number, number] | null): boolean {
  if (!v || canRegisterHooks(v)) return false;
  const [major, minor] = v;
  return major > 16 || (major === 16 && minor >= 12);
}

export function nodeLaunch(opts: LaunchOptions): LaunchPlan {
  const dir = join(opts.distDir, 'tracers', 'node');
  const args = ['--require', join(dir, 'preload.js')];
  const version = nodeVersion(opts.interpreter);
  if (canRegisterSyncHooks(version)) {
    // preload.js registers the hooks on the main thread
  } else if (canRegisterHooks(version)) {
    // preload.js runs them on the main thread through Node's internals when it can (node20.ts),
    // else register.mjs registers them on a loader thread
    args.unshift('--expose-internals');
    args.push('--import', pathToFileURL(join(dir, 'register.mjs')).href);
  }
  else if (needsLoaderFlag(version)) args.push('--experimental-loader', pathToFileURL(join(dir, 'hooks.mjs')).href);
  // The runtime takes these back out of process.execArgv once the hooks are in (entries/trace.ts).
  const nodeFlags = JSON.stringify(args);
  args.push(opts.file, ...opts.args);
  return {
    command: opts.interpreter,
    args,
    env: {
      AWAITLENS_TRACE: opts.tracePath,
      AWAITLENS_BLOCKING_MS: String(opts.blockingMs ?? 100),
      AWAITLENS_PROGRAM: opts.file,
      AWAITLENS_NODE_FLAGS: nodeFlags,
    },
  };
}
