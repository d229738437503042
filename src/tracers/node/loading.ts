// Which files get probes, and in what module format a TypeScript file runs.
// Shared by the CommonJS hooks (main thread) and the ES module loader hooks (loader thread).
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import type { StripTypes } from './instrument';
import { cachedTransform } from './cache';

export const TS_EXTENSIONS = ['.ts', '.cts', '.mts'];
const SOURCE_EXTENSIONS = new Set(['.js', '.cjs', '.mjs', '.ts', '.cts', '.mts']);

export function extensionOf(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const dot = file.lastIndexOf('.');
  return dot > slash ? file.slice(dot).toLowerCase() : '';
}

export const isTypeScript = (file: string): boolean => TS_EXTENSIONS.includes(extensionOf(file));

/** The user's own code: a source file outside node_modules and outside the tracer itself. */
export function isUserFile(file: string, tracerDir: string | null): boolean {
  if (!SOURCE_EXTENSIONS.has(extensionOf(file))) return false;
  if (file.includes(`${sep}node_modules${sep}`) || file.includes('/node_modules/')) return false;
  if (tracerDir && file.startsWith(tracerDir)) return false;
  return true;
}

const packageTypes = new Map<string, string | null>();
/** "module" / "commonjs" from the nearest package.json, null when none says. */
export function packageType(file: string): string | null {
  let dir = dirname(file);
  const seen: string[] = [];
  for (;;) {
    const cached = packageTypes.get(dir);
    if (cached !== undefined) { for (const d of seen) packageTypes.set(d, cached); return cached; }
    seen.push(dir);
    let type: string | null | undefined;
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { type?: unknown };
      type = pkg.type === 'module' || pkg.type === 'commonjs' ? pkg.type : null;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') type = null; // unreadable: stop here
    }
    const parent = dirname(dir);
    if (type !== undefined || parent === dir) {
      const found = type ?? null;
      for (const d of seen) packageTypes.set(d, found);
      return found;
    }
    dir = parent;
  }
}

/** The strip bundle (strip.js, sucrase): loaded only for TypeScript. */
export interface StripBundle {
  stripTypes: StripTypes;
  /** Node's syntax detection on the file with its types stripped (strip.ts). */
  hasModuleSyntax(source: string, file: string): boolean;
}

// Without one of these words a file has no ES module syntax Node's detection looks for
// (import/export, import.meta, a top-level await, a top-level declaration of a CommonJS variable).
const MAYBE_MODULE = /\b(?:import|export|await|require|module|exports|__filename|__dirname)\b/;
const detected = new Map<string, { source: string; format: 'module' | 'commonjs' }>();

/**
 * How Node runs this TypeScript file: .mts module, .cts commonjs, .ts by package.json "type", else
 * by its syntax, as Node decides it (Node 22.18+ runs .ts itself; Node 20 and 18 cannot, and the same
 * rule serves there). The decision is cached with the instrumented code (it needs the types stripped).
 */
export function typeScriptFormat(file: string, source: string, cacheDir: string | null, strip: () => StripBundle): 'module' | 'commonjs' {
  const ext = extensionOf(file);
  if (ext === '.mts') return 'module';
  if (ext === '.cts') return 'commonjs';
  const type = packageType(file);
  if (type) return type as 'module' | 'commonjs';
  if (!MAYBE_MODULE.test(source)) return 'commonjs';
  const seen = detected.get(file);
  if (seen && seen.source === source) return seen.format;
  // (keyed by V8's version too: what compiles, and its error messages, are V8's)
  const key = { id: `module syntax\0${file}\0${process.versions.v8}`, typescript: true, toCommonJS: false, source };
  const answer = cachedTransform(cacheDir, key, () => (strip().hasModuleSyntax(source, file) ? 'module' : 'commonjs'));
  const format = answer === 'module' ? 'module' : 'commonjs';
  detected.set(file, { source, format });
  return format;
}

/** TypeScript's convention: `./util.js` names util.ts (.mjs .mts, .cjs .cts) when that file is not there. */
export function typeScriptSpecifier(specifier: string, err: unknown): string | null {
  const m = /^(\.{1,2}\/.*)\.(m|c)?js$/.exec(specifier);
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return m && (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') ? `${m[1]}.${m[2] ?? ''}ts` : null;
}

/** sucrase's parse error as one SyntaxError naming the file, line and column, without a stack. */
export function typeScriptError(err: unknown, file: string): SyntaxError {
  let message = err instanceof Error ? err.message : String(err);
  message = message.replace(/^Error transforming [^:]*: /, '');
  const at = /\s*\((\d+):(\d+)\)$/.exec(message);
  const where = at ? `${file}:${at[1]}:${at[2]}` : file;
  if (at) message = message.slice(0, at.index);
  const e = new SyntaxError(`${message} (TypeScript, ${where})`);
  e.stack = `SyntaxError: ${e.message}`;
  return e;
}

/**
 * Whether this Node loads TypeScript itself (type stripping: 22.18+ and 23.6+ by default, 22.6+ with
 * --experimental-strip-types): then its own require() reads .ts/.cts/.mts files and chooses their
 * module system, and the tracer only adds probes. Else (Node 20, 18) the tracer loads them.
 */
export function nodeStripsTypes(): boolean {
  const feature = (process.features as { typescript?: unknown }).typescript;
  if (feature !== undefined) return Boolean(feature);
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.includes('--experimental-strip-types') || flags.includes('--experimental-transform-types');
}
