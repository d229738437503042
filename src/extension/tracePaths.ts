// Where a trace of a program goes: awaitLens.traceDirectory (default `.awaitlens`), relative
// to the program's folder unless absolute. One file per program, overwritten by the next run,
// so the folder does not grow without bound.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';

export const DEFAULT_TRACE_DIRECTORY = '.awaitlens';

export function traceDirectoryFor(program: string, setting: string | undefined): string {
  const dir = setting && setting.trim() ? setting.trim() : DEFAULT_TRACE_DIRECTORY;
  return isAbsolute(dir) ? dir : resolve(dirname(program), dir);
}

export function tracePathFor(program: string, setting: string | undefined): string {
  return join(traceDirectoryFor(program, setting), `${basename(program)}.ndjson`);
}

/**
 * Creates the trace folder; a fresh `.awaitlens` folder gets a .gitignore holding `*`,
 * so traces never end up committed by accident.
 */
export function prepareTraceDirectory(tracePath: string): void {
  const dir = dirname(tracePath);
  const fresh = !existsSync(dir);
  mkdirSync(dir, { recursive: true });
  if (fresh && basename(dir) === DEFAULT_TRACE_DIRECTORY) {
    try {
      writeFileSync(join(dir, '.gitignore'), '# Await Lens traces\n*\n');
    } catch {
      // Not worth failing a trace over.
    }
  }
}
