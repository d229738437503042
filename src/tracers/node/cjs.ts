// CommonJS loading: every user file compiled by Module.prototype._compile gets probes, and
// .ts/.cts files load through require() with their types stripped. On a Node that strips types
// itself (22.18+), Node's require() reads them and chooses their module system as it would untraced
// (a .ts with ES module syntax runs as an ES module); on one that does not (20, 18) the tracer's own
// .ts/.cts loaders run them as CommonJS (imports turned into requires). Either way `./util.js` also
// names util.ts when there is no util.js (TypeScript's convention), as for ES module imports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { instrument as Instrument } from './instrument';
import { isTypeScript, isUserFile, nodeStripsTypes, typeScriptError, typeScriptFormat, typeScriptSpecifier, type StripBundle } from './loading';
import { cachedTransform, requireCompiled } from './cache';

const MARK = 'function __al$S(){';

export function installCommonJsHooks(tracerDir: string, cacheDir: string | null, warn: (message: string) => void): void {
  // Loaded on first use from their own bundles beside this one (acorn; sucrase only for TypeScript).
  let instrumentFn: typeof Instrument | null = null;
  let stripBundle: StripBundle | null = null;
  const strip = (): StripBundle => stripBundle ??= requireCompiled(join(tracerDir, 'strip.js'), cacheDir) as StripBundle;
  const instrument: typeof Instrument = (source, opts) => {
    instrumentFn ??= (requireCompiled(join(tracerDir, 'instrument.js'), cacheDir) as { instrument: typeof Instrument }).instrument;
    return instrumentFn(source, opts, opts.typescript ? strip().stripTypes : undefined);
  };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('node:module') as any;
  const originalCompile = Module.prototype._compile;
  // (format: Node 22+ says which module system it chose, and for TypeScript that types are still in:
  // 'commonjs-typescript', 'module-typescript', or 'typescript' when the file's syntax decides)
  Module.prototype._compile = function compile(this: unknown, content: string, filename: string, format?: unknown, ...rest: unknown[]) {
    // An ES module (Node 22's require() of one) was instrumented by the module hooks, TypeScript included.
    if (typeof content === 'string' && typeof filename === 'string' && format !== 'module'
      && isUserFile(filename, tracerDir) && !content.includes(MARK)) {
      const typescript = isTypeScript(filename);
      if (typescript && content.charCodeAt(0) === 0xfeff) content = content.slice(1);
      const source = content;
      if (typescript && (format === 'module-typescript'
        || (format === 'typescript' && typeScriptFormat(filename, source, cacheDir, strip) === 'module'))) {
        // Node's own TypeScript loading with no module hook having chosen (they choose before this when
        // they run on this thread): an ES module, as Node would run it.
        const url = pathToFileURL(filename).href;
        let code: string;
        try {
          code = cachedTransform(cacheDir, { id: url, typescript: true, toCommonJS: false, source },
            () => instrument(source, { id: url, module: true, typescript: true }).code);
        } catch (err) {
          throw typeScriptError(err, filename);
        }
        return originalCompile.call(this, code, filename, 'module', ...rest);
      }
      try {
        content = cachedTransform(cacheDir, { id: filename, typescript, toCommonJS: typescript, source },
          () => instrument(source, { id: filename, module: false, typescript, toCommonJS: typescript }).code);
        // (its types are gone: Node must not strip them again, nor look for ES module syntax)
        if (typescript && typeof format === 'string' && format.endsWith('typescript')) format = 'commonjs';
      } catch (err) {
        if (typescript) throw typeScriptError(err, filename);
        warn(`could not instrument ${filename}: ${(err as Error).message}`);
      }
    }
    return originalCompile.call(this, content, filename, format, ...rest);
  };
  const originalResolveFilename = Module._resolveFilename;
  Module._resolveFilename = function resolveFilename(this: unknown, request: unknown, ...rest: unknown[]) {
    try {
      return originalResolveFilename.call(this, request, ...rest);
    } catch (err) {
      const ts = typeof request === 'string' ? typeScriptSpecifier(request, err) : null;
      if (ts) {
        try { return originalResolveFilename.call(this, ts, ...rest); } catch { /* report the original */ }
      }
      throw err;
    }
  };
  if (nodeStripsTypes()) return;
  for (const ext of ['.ts', '.cts']) {
    if (Module._extensions[ext]) continue;
    Module._extensions[ext] = function loadTypeScript(module: { _compile(code: string, file: string): void }, filename: string) {
      let source = readFileSync(filename, 'utf8');
      if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
      module._compile(source, filename);
    };
  }
}
