// ES module loader hooks (run on Node's loader thread): add probes to the user's ES modules and
// load TypeScript (.ts/.mts as modules; .ts/.cts that run as CommonJS go back to the require hooks).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';
import type { instrument as Instrument, StripTypes } from '../instrument';
import { isTypeScript, isUserFile, typeScriptError, typeScriptFormat } from '../loading';
import { cacheLookup, cacheStore } from '../cache';
import { runWatchdog, type WatchdogData } from '../watchdog';

let stripTypes: StripTypes | null = null;
// acorn (and sucrase) load on the first file not found in the cache: a program traced again loads neither.
let instrumentReady: Promise<typeof Instrument> | null = null;
const loadInstrument = (): Promise<typeof Instrument> =>
  instrumentReady ??= import(new URL('./instrument.mjs', import.meta.url).href).then((m: { instrument: typeof Instrument }) => m.instrument);

// Set by initialize() (module.register). Loaded with --experimental-loader (Node before 18.19 / 20.6)
// there is no initialize: the tracer is the folder of this file, and on the main thread (18.x) the
// runtime started by preload.js says where the cache is.
let tracerDir: string | null = dirname(fileURLToPath(import.meta.url));
let cacheDir: string | null = (globalThis as { __awaitlens$?: { cacheDir?: string | null } }).__awaitlens$?.cacheDir ?? null;

export function initialize(data: { tracerDir?: string | null; cacheDir?: string | null; watchdog?: WatchdogData } | undefined): void {
  tracerDir = data?.tracerDir ?? tracerDir;
  cacheDir = data?.cacheDir ?? null;
  // This thread lives as long as the program: it hosts the blocking watchdog, no thread to start.
  const watchdog = data?.watchdog;
  if (watchdog) {
    import('node:inspector').then((inspector) => runWatchdog(watchdog, inspector, false), () => undefined);
  }
}

type Next = (specifier: string, context?: any) => Promise<any>;

export async function resolve(specifier: string, context: any, nextResolve: Next): Promise<any> {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    // TypeScript's convention: `import './util.js'` names util.ts.
    const m = /^(\.{1,2}\/.*)\.(m|c)?js$/.exec(specifier);
    if (m && (err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      try { return await nextResolve(`${m[1]}.${m[2] ?? ''}ts`, context); } catch { /* report the original */ }
    }
    throw err;
  }
}

export async function load(url: string, context: any, nextLoad: Next): Promise<any> {
  if (!url.startsWith('file:')) return nextLoad(url, context);
  const file = fileURLToPath(url);
  if (!isUserFile(file, tracerDir)) return nextLoad(url, context);
  if (isTypeScript(file)) {
    const source = await readFile(file, 'utf8');
    const format = typeScriptFormat(file, source);
    if (format === 'commonjs') return { format: 'commonjs', shortCircuit: true };
    const cached = cacheLookup(cacheDir, { id: url, typescript: true, toCommonJS: false, source });
    if (cached.code !== null) return { format: 'module', source: cached.code, shortCircuit: true };
    stripTypes ??= ((await import(new URL('./strip.mjs', import.meta.url).href)) as { stripTypes: StripTypes }).stripTypes;
    const instrument = await loadInstrument();
    let code: string;
    try {
      code = instrument(source, { id: url, module: true, typescript: true }, stripTypes).code;
    } catch (err) {
      throw typeScriptError(err, file);
    }
    if (cached.file) cacheStore(cached.file, code);
    return { format: 'module', source: code, shortCircuit: true };
  }
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null) return result;
  const source = typeof result.source === 'string' ? result.source : Buffer.from(result.source).toString('utf8');
  const cached = cacheLookup(cacheDir, { id: url, typescript: false, toCommonJS: false, source });
  if (cached.code !== null) return { ...result, source: cached.code };
  const instrument = await loadInstrument();
  let code: string;
  try {
    code = instrument(source, { id: url, module: true, typescript: false }).code;
  } catch {
    return result;
  }
  if (cached.file) cacheStore(cached.file, code);
  return { ...result, source: code };
}
