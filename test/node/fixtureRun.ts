// Runs a test/fixtures/node program under a given node, plain or traced, for the suites that
// compare the two on every Node at hand (the user's and those of the runtimes cache), each with
// its own copy of the tracer (snapshot.ts) and a deadline: a hang is a failure, not a stuck suite.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLaunch, nodeVersion } from '../../src/tracers/node/launch';
import { parseTrace } from '../../src/trace/reader';
import { snapshotTracer } from './snapshot';
import type { TraceRecord } from '../../src/trace/format';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'node');
const RUNTIMES = process.env.AWAITLENS_RUNTIMES || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens', 'runtimes');

export interface Tracer { distDir: string; cacheDir: string }
export interface ProcessRun { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; records: TraceRecord[]; problems: number }

/**
 * Runs `command` to its end (killed after `deadlineMs`: a hang fails instead of sticking), its
 * output decoded across chunks, and reads the trace it wrote at `tracePath`, if any.
 */
export function runProcess(command: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; deadlineMs: number; tracePath?: string | null }): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => { stdout += d; });
    child.stderr!.on('data', (d: string) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.deadlineMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const parsed = parseTrace(opts.tracePath && existsSync(opts.tracePath) ? readFileSync(opts.tracePath, 'utf8') : '');
      resolve({ code, signal, stdout, stderr, records: parsed.records, problems: parsed.problems.length });
    });
  });
}
export interface FixtureRun extends ProcessRun { file: string }

/** `name` with `args` under `interpreter`: traced with `tracer` (its trace written in `dir`), or plain when tracer is null. */
export function runFixture(interpreter: string, name: string, args: string[], dir: string | null, tracer: Tracer | null, deadlineMs: number): Promise<FixtureRun> {
  const file = join(FIXTURES, name);
  const tracePath = join(dir ?? tmpdir(), `${name}.${args.join('-')}.trace.ndjson`);
  const plan = tracer
    ? nodeLaunch({ file, args, tracePath, distDir: tracer.distDir, interpreter })
    : { command: interpreter, args: [file, ...args], env: {} };
  const env = { ...process.env, ...plan.env, ...(tracer ? { AWAITLENS_CACHE_DIR: tracer.cacheDir } : {}) };
  return runProcess(plan.command, plan.args, { cwd: FIXTURES, env, deadlineMs, tracePath: tracer ? tracePath : null }).then((r) => ({ file, ...r }));
}

const interpreters = [
  { label: 'the default node', path: process.execPath },
  { label: 'Node 22 (runtimes cache)', path: join(RUNTIMES, 'node22', 'node_modules', 'node', 'bin', 'node') },
  { label: 'Node 18 (runtimes cache)', path: join(RUNTIMES, 'node18', 'node_modules', 'node', 'bin', 'node') },
];

/**
 * A describe block per Node at hand ("TITLE under the default node", ...), skipped for a Node that
 * is not installed; `body` gets the interpreter and a getter for the suite's folder and tracer copy.
 */
export function describeOnEachNode(title: string, body: (interpreter: string, suite: () => { dir: string; tracer: Tracer }) => void): void {
  for (const { label, path: interpreter } of interpreters) {
    describe(`${title} under ${label}`, function () {
      this.timeout(120_000);
      let dir = '';
      let tracer: Tracer = { distDir: '', cacheDir: '' };
      before(function () {
        if (!existsSync(interpreter) || !nodeVersion(interpreter)) {
          // eslint-disable-next-line no-console
          console.log(`      skipped: no ${interpreter}`);
          this.skip();
        }
        dir = mkdtempSync(join(tmpdir(), 'awaitlens-node-suite-'));
        tracer = snapshotTracer(ROOT, dir);
      });
      after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
      body(interpreter, () => ({ dir, tracer }));
    });
  }
}
