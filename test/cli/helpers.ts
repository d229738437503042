// Runs the built CLI (dist/cli.js, built by `npm test` first) as a user would.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const CLI = join(ROOT, 'dist', 'cli.js');
export const PROGRAMS = join(__dirname, 'programs');

export interface CliResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    input: options.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...(options.env ?? {}) },
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

export function tempDir(prefix = 'awaitlens-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** True when text has no stack-trace lines ("    at fn (file:1:2)"). */
export function hasNoStackTrace(text: string): boolean {
  return !/^\s+at .+[:(]/m.test(text);
}
