// Where a trace of a program goes: awaitLens.traceDirectory (default `.awaitlens`), relative
// to the program's folder unless absolute; `~`, `${workspaceFolder}`, `${userHome}` expanded. One file per program, overwritten by the next run,
// so the folder does not grow without bound.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve } from 'node:path';

export const DEFAULT_TRACE_DIRECTORY = '.awaitlens';

export interface TraceDirectoryContext {
  /** The workspace folder of the program, for `${workspaceFolder}` (default: the program's folder). */
  workspaceFolder?: string;
  /** The home folder, for `~` and `${userHome}` (default: os.homedir()). */
  home?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Expands what a path setting may say as in VS Code's own settings: a leading `~`,
 * `${workspaceFolder}`, `${userHome}`, `${fileDirname}` and `${env:NAME}`.
 */
export function expandPathSetting(value: string, program: string, context: TraceDirectoryContext = {}): string {
  const home = context.home ?? homedir();
  const env = context.env ?? process.env;
  let v = value.trim();
  if (v === '~' || v.startsWith('~/') || v.startsWith('~\\')) v = home + v.slice(1);
  return v.replace(/\$\{(workspaceFolder|userHome|fileDirname|env:([^}]+))\}/g, (_all, name: string, envName?: string) => {
    if (envName) return env[envName] ?? '';
    if (name === 'workspaceFolder') return context.workspaceFolder ?? dirname(program);
    if (name === 'userHome') return home;
    return dirname(program);
  });
}

export function traceDirectoryFor(program: string, setting: string | undefined, context: TraceDirectoryContext = {}): string {
  const dir = setting && setting.trim() ? expandPathSetting(setting, program, context) : DEFAULT_TRACE_DIRECTORY;
  return isAbsolute(dir) ? normalize(dir) : resolve(dirname(program), dir || '.');
}

export function tracePathFor(program: string, setting: string | undefined, context: TraceDirectoryContext = {}): string {
  return join(traceDirectoryFor(program, setting, context), `${basename(program)}.ndjson`);
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
