// Runs real Python programs under the real tracer (through pythonLaunch, as the runner does)
// and parses the trace they write. No mocks: every test here reads a trace a real interpreter wrote.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonLaunch } from '../../src/tracers/python/launch';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord, TaskRecord, SuspendRecord, ResumeRecord, EndRecord, OutputRecord, WarningRecord, ExitRecord } from '../../src/trace/format';

export const ROOT = join(__dirname, '..', '..');
export const DIST = join(ROOT, 'dist');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'python');
export const SEEDS = join(FIXTURES, 'seeds');
export const ALL_VERSIONS = ['3.8', '3.9', '3.10', '3.11', '3.12', '3.13'];

/** The interpreter for a minor version (pyenv's), or null when this machine lacks it. */
export function findPython(minor: string): string | null {
  const root = process.env.PYENV_ROOT || join(homedir(), '.pyenv');
  const versions = join(root, 'versions');
  if (!existsSync(versions)) return null;
  const matches = readdirSync(versions).filter((v) => v === minor || v.startsWith(minor + '.')).sort();
  for (const v of matches.reverse()) {
    const exe = join(versions, v, 'bin', 'python');
    if (existsSync(exe)) return exe;
  }
  return null;
}

export interface Traced {
  file: string;
  records: TraceRecord[];
  problems: { line: number; message: string }[];
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  tracePath: string;
}

let tempRoot: string | null = null;
export function tempDir(): string {
  if (!tempRoot) {
    const dir = mkdtempSync(join(tmpdir(), 'awaitlens-py-'));
    tempRoot = dir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return tempRoot;
}
let counter = 0;

export interface RunOptions {
  args?: string[];
  stdin?: string;
  blockingMs?: number;
  /** Called once the trace file exists with at least this text, or text it accepts (for kill tests). */
  onTrace?: { contains: string | ((text: string) => boolean); then: (child: import('node:child_process').ChildProcess) => void };
  timeoutMs?: number;
  /** Extra environment for the traced process. */
  env?: Record<string, string>;
}

/** Runs FILE under the tracer with interpreter PY; resolves when the process exits. */
export function traceProgram(py: string, file: string, opts: RunOptions = {}): Promise<Traced> {
  const tracePath = join(tempDir(), `t${++counter}-${process.pid}.ndjson`);
  const plan = pythonLaunch({
    file, args: opts.args ?? [], tracePath, distDir: DIST, interpreter: py, blockingMs: opts.blockingMs,
  });
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, plan.args, { env: { ...process.env, ...plan.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // (decoded across chunks: a character the program wrote in two pieces stays whole)
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => { stdout += d; });
    child.stderr.on('data', (d: string) => { stderr += d; });
    child.stdin.end(opts.stdin ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    let poll: NodeJS.Timeout | undefined;
    if (opts.onTrace) {
      const { contains, then } = opts.onTrace;
      poll = setInterval(() => {
        const text = existsSync(tracePath) ? readFileSync(tracePath, 'utf8') : '';
        if (text && (typeof contains === 'string' ? text.includes(contains) : contains(text))) {
          clearInterval(poll);
          poll = undefined;
          then(child);
        }
      }, 20);
    }
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      const text = existsSync(tracePath) ? readFileSync(tracePath, 'utf8') : '';
      const parsed = parseTrace(text);
      resolve({ file, records: parsed.records, problems: parsed.problems, stdout, stderr, code, signal, tracePath });
    });
  });
}

/** Runs jobs with at most `limit` at once (2 cores shared: keep it small). */
export async function pool<T>(jobs: (() => Promise<T>)[], limit = 3): Promise<T[]> {
  const out: T[] = new Array(jobs.length);
  let next = 0;
  async function worker() {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return out;
}

// --- reading a trace ---------------------------------------------------------------------------
export const tasks = (t: Traced) => t.records.filter((r): r is TaskRecord => r.type === 'task');
export const suspends = (t: Traced, task?: number) =>
  t.records.filter((r): r is SuspendRecord => r.type === 'suspend' && (task === undefined || r.task === task));
export const resumes = (t: Traced, task?: number) =>
  t.records.filter((r): r is ResumeRecord => r.type === 'resume' && (task === undefined || r.task === task));
export const ends = (t: Traced) => t.records.filter((r): r is EndRecord => r.type === 'end');
export const outputs = (t: Traced) => t.records.filter((r): r is OutputRecord => r.type === 'output');
export const warnings = (t: Traced, kind?: string) =>
  t.records.filter((r): r is WarningRecord => r.type === 'warning' && (kind === undefined || r.kind === kind));
export const exitRecord = (t: Traced) => t.records.find((r): r is ExitRecord => r.type === 'exit');

export function taskByCoro(t: Traced, coro: string): TaskRecord {
  const found = tasks(t).filter((r) => r.coro === coro);
  if (found.length !== 1) throw new Error(`expected one task running ${coro}, found ${found.length}: ${JSON.stringify(tasks(t))}`);
  return found[0];
}

export function endOf(t: Traced, task: number): EndRecord {
  const e = ends(t).find((r) => r.task === task);
  if (!e) throw new Error(`task ${task} has no end record`);
  return e;
}

/** 1-based line of the first line in `file` containing `text` (after line `after`). */
export function lineOf(file: string, text: string, after = 0): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  for (let i = after; i < lines.length; i++) if (lines[i].includes(text)) return i + 1;
  throw new Error(`${text} not found in ${file}`);
}

/** What the program printed on a stream, rebuilt from the trace's output records. */
export const printed = (t: Traced, stream: 'stdout' | 'stderr') =>
  outputs(t).filter((o) => o.stream === stream).map((o) => o.text).join('');

/** Task that printed a line (exact text without the newline). */
export function printer(t: Traced, line: string): number | null {
  const o = outputs(t).find((r) => r.text.split('\n').includes(line));
  if (!o) throw new Error(`nothing printed ${JSON.stringify(line)}`);
  return o.task;
}
