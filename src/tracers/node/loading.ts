// Which files get probes, and in what module format a TypeScript file runs.
// Shared by the CommonJS hooks (main thread) and the ES module loader hooks (loader thread).
import { readFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';

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

// import/export statements or a top-level await: ES module syntax (as Node's own detection decides for .js).
const ESM_SYNTAX = /^[ \t]*(?:import[ \t]*[\w{*'"]|export[ \t{*]|await[ \t(])/m;

/** How Node would run this TypeScript file: .mts module, .cts commonjs, .ts by package.json "type" or syntax. */
export function typeScriptFormat(file: string, source: string): 'module' | 'commonjs' {
  const ext = extensionOf(file);
  if (ext === '.mts') return 'module';
  if (ext === '.cts') return 'commonjs';
  const type = packageType(file);
  if (type) return type as 'module' | 'commonjs';
  return ESM_SYNTAX.test(source) ? 'module' : 'commonjs';
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
