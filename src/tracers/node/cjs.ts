// CommonJS loading: every user file compiled by Module.prototype._compile gets probes, and
// .ts/.cts files load through require() with their types stripped (imports turned into requires).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { instrument as Instrument, StripTypes } from './instrument';
import { isTypeScript, isUserFile, typeScriptError } from './loading';
import { cachedTransform } from './cache';

const MARK = 'function __al$S(){';

export function installCommonJsHooks(tracerDir: string, cacheDir: string | null, warn: (message: string) => void): void {
  // Loaded on first use from their own bundles beside this one (acorn; sucrase only for TypeScript).
  let instrumentFn: typeof Instrument | null = null;
  let stripFn: StripTypes | null = null;
  const instrument: typeof Instrument = (source, opts) => {
    instrumentFn ??= (require(join(tracerDir, 'instrument.js')) as { instrument: typeof Instrument }).instrument;
    if (opts.typescript) stripFn ??= (require(join(tracerDir, 'strip.js')) as { stripTypes: StripTypes }).stripTypes;
    return instrumentFn(source, opts, stripFn ?? undefined);
  };
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const Module = require('node:module') as any;
  const originalCompile = Module.prototype._compile;
  Module.prototype._compile = function compile(this: unknown, content: string, filename: string, ...rest: unknown[]) {
    if (typeof content === 'string' && typeof filename === 'string' && isUserFile(filename, tracerDir) && !content.includes(MARK)) {
      const typescript = isTypeScript(filename);
      try {
        const source = content;
        content = cachedTransform(cacheDir, { id: filename, typescript, toCommonJS: typescript, source },
          () => instrument(source, { id: filename, module: false, typescript, toCommonJS: typescript }).code);
      } catch (err) {
        if (typescript) throw typeScriptError(err, filename);
        warn(`could not instrument ${filename}: ${(err as Error).message}`);
      }
    }
    return originalCompile.call(this, content, filename, ...rest);
  };
  for (const ext of ['.ts', '.cts']) {
    if (Module._extensions[ext]) continue;
    Module._extensions[ext] = function loadTypeScript(module: { _compile(code: string, file: string): void }, filename: string) {
      let source = readFileSync(filename, 'utf8');
      if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
      module._compile(source, filename);
    };
  }
}
