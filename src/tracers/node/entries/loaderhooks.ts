// ES module loader hooks (run on Node's loader thread, or on the main thread when loaded with
// --experimental-loader before Node 18.19, module.registerHooks or node20.ts): add probes to the
// user's ES modules and load TypeScript in the module system Node gives it (.mts and .ts with ES
// module syntax as modules, as Node's own type stripping does; .ts/.cts that run as CommonJS go back
// to the require hooks), `./util.js` naming util.ts when there is no util.js.
// CommonJS, required by the small hooks.mjs: Node's builtins and the instrumenter load through
// require on the loader thread, which is quicker than importing them as ES modules, and that
// thread's start is time the traced program waits for.
import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { instrument as Instrument } from '../instrument';
import { isTypeScript, isUserFile, typeScriptError, typeScriptFormat, typeScriptSpecifier, type StripBundle } from '../loading';
import { cachedTransform, requireCompiled } from '../cache';
import { runWatchdog, type WatchdogData } from '../watchdog';

// acorn (and sucrase) load on the first file not found in the cache: a program traced again loads neither.
let instrumentFn: typeof Instrument | null = null;
let stripBundle: StripBundle | null = null;
const instrumenter = (): typeof Instrument =>
  instrumentFn ??= (requireCompiled(join(__dirname, 'instrument.js'), cacheDir) as { instrument: typeof Instrument }).instrument;
const strip = (): StripBundle => stripBundle ??= requireCompiled(join(__dirname, 'strip.js'), cacheDir) as StripBundle;

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
    if (result.source !== undefined) return result;
    // In-thread hooks also see require(), which needs a source: a TypeScript file that runs as
    // CommonJS is left to Node's own loading, types in (Module.prototype._compile in cjs.ts strips
    // them and adds its probes), as for any CommonJS file. An import gets no source, which sends
    // the file through require()'s loading (as Node does for a CommonJS .js file).
    if (askedByRequire(context)) return nextLoad(url, { ...context, format: 'commonjs-typescript' });
    return result;
  }
  return instrumentLoaded(url, nextLoad(url, context));
}

/** A load for require() (Node 22's CommonJS loader runs in-thread hooks too): its conditions say so. */
function askedByRequire(context: any): boolean {
  const conditions: unknown = context?.conditions;
  return Array.isArray(conditions) && conditions.includes('require') && !conditions.includes('import');
}

/** The file path of a user's file: URL, or null when it is not one (builtins, node_modules, the tracer). */
function userFileOf(url: string): string | null {
  if (!url.startsWith('file:')) return null;
  const file = fileURLToPath(url);
  return isUserFile(file, tracerDir) ? file : null;
}

// Node 22 loads an ES module TypeScript entry twice (require() finds module syntax, then import):
// the last one made is kept for the second time.
let lastModule: { url: string; source: string; code: string } | null = null;

function loadTypeScript(url: string, file: string, source: string): { format: string; source?: string; shortCircuit: true } {
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  let format: 'module' | 'commonjs';
  try {
    format = typeScriptFormat(file, source, cacheDir, strip);
  } catch (err) {
    throw typeScriptError(err, file);
  }
  if (format === 'commonjs') return { format: 'commonjs', shortCircuit: true };
  if (lastModule?.url === url && lastModule.source === source) return { format: 'module', source: lastModule.code, shortCircuit: true };
  let code: string;
  try {
    code = cachedTransform(cacheDir, { id: url, typescript: true, toCommonJS: false, source },
      () => instrumenter()(source, { id: url, module: true, typescript: true }, strip().stripTypes).code);
  } catch (err) {
    throw typeScriptError(err, file);
  }
  lastModule = { url, source, code };
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
