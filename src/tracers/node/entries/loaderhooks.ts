// ES module loader hooks (run on Node's loader thread, or on the main thread when loaded with
// --experimental-loader before Node 18.19): add probes to the user's ES modules and load TypeScript
// (.ts/.mts as modules; .ts/.cts that run as CommonJS go back to the require hooks).
// CommonJS, required by the small hooks.mjs: Node's builtins and the instrumenter load through
// require on the loader thread, which is quicker than importing them as ES modules, and that
// thread's start is time the traced program waits for.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { instrument as Instrument, StripTypes } from '../instrument';
import { isTypeScript, isUserFile, typeScriptError, typeScriptFormat } from '../loading';
import { cachedTransform } from '../cache';
import { runWatchdog, type WatchdogData } from '../watchdog';

// acorn (and sucrase) load on the first file not found in the cache: a program traced again loads neither.
let instrumentFn: typeof Instrument | null = null;
let stripTypes: StripTypes | null = null;
const instrumenter = (): typeof Instrument =>
  instrumentFn ??= (require(join(__dirname, 'instrument.js')) as { instrument: typeof Instrument }).instrument;
const stripper = (): StripTypes =>
  stripTypes ??= (require(join(__dirname, 'strip.js')) as { stripTypes: StripTypes }).stripTypes;

// Set by initialize() (module.register). Loaded with --experimental-loader (Node before 18.19 / 20.6)
// there is no initialize: the tracer is the folder of this file, and on the main thread (18.x) the
// runtime started by preload.js says where the cache is.
let tracerDir: string | null = __dirname;
let cacheDir: string | null = (globalThis as { __awaitlens$?: { cacheDir?: string | null } }).__awaitlens$?.cacheDir ?? null;

export function initialize(data: { tracerDir?: string | null; cacheDir?: string | null; watchdog?: WatchdogData } | undefined): void {
  tracerDir = data?.tracerDir ?? tracerDir;
  cacheDir = data?.cacheDir ?? null;
  // This thread lives as long as the program: it hosts the blocking watchdog, no thread to start.
  const watchdog = data?.watchdog;
  if (watchdog) void runWatchdog(watchdog, false);
}

type Next = (specifier: string, context?: any) => Promise<any>;
type NextSync = (specifier: string, context?: any) => any;

export async function resolve(specifier: string, context: any, nextResolve: Next): Promise<any> {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const ts = typeScriptSpecifier(specifier, err);
    if (ts) {
      try { return await nextResolve(ts, context); } catch { /* report the original */ }
    }
    throw err;
  }
}

/** The same, for module.registerHooks (Node 22.15+, 23.5+): hooks that run on the main thread. */
export function resolveSync(specifier: string, context: any, nextResolve: NextSync): any {
  try {
    return nextResolve(specifier, context);
  } catch (err) {
    const ts = typeScriptSpecifier(specifier, err);
    if (ts) {
      try { return nextResolve(ts, context); } catch { /* report the original */ }
    }
    throw err;
  }
}

/** TypeScript's convention: `import './util.js'` names util.ts. */
function typeScriptSpecifier(specifier: string, err: unknown): string | null {
  const m = /^(\.{1,2}\/.*)\.(m|c)?js$/.exec(specifier);
  return m && (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' ? `${m[1]}.${m[2] ?? ''}ts` : null;
}

export async function load(url: string, context: any, nextLoad: Next): Promise<any> {
  const file = userFileOf(url);
  if (file === null) return nextLoad(url, context);
  if (isTypeScript(file)) return loadTypeScript(url, file, await readFile(file, 'utf8'));
  return instrumentLoaded(url, await nextLoad(url, context));
}

/** The same, for module.registerHooks. */
export function loadSync(url: string, context: any, nextLoad: NextSync): any {
  const file = userFileOf(url);
  if (file === null) return nextLoad(url, context);
  if (isTypeScript(file)) {
    const result = loadTypeScript(url, file, readFileSync(file, 'utf8'));
    // In-thread hooks also see require(): a TypeScript file that runs as CommonJS is left to
    // Node's own loading (the require hooks in cjs.ts add its probes), as for any CommonJS file.
    return result.source === undefined ? nextLoad(url, context) : result;
  }
  return instrumentLoaded(url, nextLoad(url, context));
}

/** The file path of a user's file: URL, or null when it is not one (builtins, node_modules, the tracer). */
function userFileOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  const file = fileURLToPath(url);
  return isUserFile(file, tracerDir) ? file : null;
}

function loadTypeScript(url: string, file: string, source: string): { format: string; source?: string; shortCircuit: true } {
  const format = typeScriptFormat(file, source);
  if (format === 'commonjs') return { format: 'commonjs', shortCircuit: true };
  let code: string;
  try {
    code = cachedTransform(cacheDir, { id: url, typescript: true, toCommonJS: false, source },
      () => instrumenter()(source, { id: url, module: true, typescript: true }, stripper()).code);
  } catch (err) {
    throw typeScriptError(err, file);
  }
  return { format: 'module', source: code, shortCircuit: true };
}

/** An ES module as Node loaded it, with probes added (anything else untouched). */
function instrumentLoaded(url: string, result: any): any {
  if (result.format !== 'module' || result.source == null) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source).toString('utf8');
  try {
    const code = cachedTransform(cacheDir, { id: url, typescript: false, toCommonJS: false, source },
      () => instrumenter()(source, { id: url, module: true, typescript: false }).code);
    return { ...result, source: code };
  } catch {
    return result; // (acorn could not parse it: Node reports the real syntax error)
  }
}
