// The traced program behaves as untraced where the tracer's machinery could change it:
// - `debugger;` statements with no debugger attached do nothing, also after or inside a stretch the
//   blocking watchdog sampled through its inspector session (they used to stop the program for good),
//   and a debugger the user attached keeps the pauses it takes (the watchdog never resumes them);
// - the exit record has the code the process exits with, also when it is decided after the
//   tracer's 'exit' listener ran (an unsettled top-level await on Node 18/20, 'exit' listeners).
// Each fixture runs under the user's node and, when present, the Node 22 and 18 of the runtimes
// cache (see versions.test.ts), with a deadline: a hang is a failure, not a stuck suite.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLaunch, nodeVersion } from '../../src/tracers/node/launch';
import { parseTrace } from '../../src/trace/reader';
import { snapshotTracer } from './snapshot';
import type { TraceRecord, WarningRecord } from '../../src/trace/format';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'node');
const RUNTIMES = process.env.AWAITLENS_RUNTIMES || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens', 'runtimes');
const DEADLINE_MS = 20_000;

interface Run { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; records: TraceRecord[]; problems: number }

function run(interpreter: string, name: string, args: string[], dir: string | null, tracer: { distDir: string; cacheDir: string } | null): Promise<Run> {
  const file = join(FIXTURES, name);
  const tracePath = join(dir ?? tmpdir(), `${name}.${args.join('-')}.trace.ndjson`);
  const plan = tracer
    ? nodeLaunch({ file, args, tracePath, distDir: tracer.distDir, interpreter })
    : { command: interpreter, args: [file, ...args], env: {} };
  const env = { ...process.env, ...plan.env, ...(tracer ? { AWAITLENS_CACHE_DIR: tracer.cacheDir } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, plan.args, { cwd: FIXTURES, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const parsed = parseTrace(tracer && existsSync(tracePath) ? readFileSync(tracePath, 'utf8') : '');
      resolve({ code, signal, stdout, stderr, records: parsed.records, problems: parsed.problems.length });
    });
  });
}

const exitRecord = (r: Run): { code: number } => {
  const last = r.records[r.records.length - 1] as { type: string; code: number } | undefined;
  assert.equal(last?.type, 'exit', `the trace ends with its exit record (${r.signal === 'SIGKILL' ? 'killed after the deadline: it hung' : `exit ${r.code}`})\n${r.stderr}`);
  return last!;
};

const interpreters = [
  { label: 'the default node', path: process.execPath },
  { label: 'Node 22 (runtimes cache)', path: join(RUNTIMES, 'node22', 'node_modules', 'node', 'bin', 'node') },
  { label: 'Node 18 (runtimes cache)', path: join(RUNTIMES, 'node18', 'node_modules', 'node', 'bin', 'node') },
];

for (const { label, path: interpreter } of interpreters) {
  describe(`Node tracer: debugger statements and exit codes under ${label}`, function () {
    this.timeout(120_000);
    let dir = '';
    let tracer = { distDir: '', cacheDir: '' };

    before(function () {
      if (!existsSync(interpreter) || !nodeVersion(interpreter)) {
        // eslint-disable-next-line no-console
        console.log(`      skipped: no ${interpreter}`);
        this.skip();
      }
      dir = mkdtempSync(join(tmpdir(), 'awaitlens-pauses-'));
      tracer = snapshotTracer(ROOT, dir);
    });
    after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('debugger_statements.mjs: `debugger;` after and inside sampled stretches does not stop the program; sampling goes on', async () => {
      const plain = await run(interpreter, 'debugger_statements.mjs', [], null, null);
      const traced = await run(interpreter, 'debugger_statements.mjs', [], dir, tracer);
      const lines = (r: Run) => r.stdout.trim().split('\n').map((l) => l.replace(/\d+ ms$/, 'N ms'));
      assert.deepEqual(lines(plain), ['after block', 'after mid-stretch debugger', 'after debugger loop', 'done in N ms'], plain.stderr);
      assert.notEqual(traced.signal, 'SIGKILL', `the traced program hung after: ${JSON.stringify(traced.stdout)}`);
      assert.deepEqual(lines(traced), lines(plain), traced.stderr);
      assert.equal(traced.code, 0, traced.stderr);
      assert.equal(traced.problems, 0, 'every trace line parses');
      assert.equal(exitRecord(traced).code, 0);
      const blocking = traced.records.filter((r) => r.type === 'warning' && r.kind === 'blocking') as WarningRecord[];
      assert.ok(blocking.length >= 4, `the four long stretches are blocking warnings: ${JSON.stringify(blocking)}`);
      // The watchdog still samples: hotspots for the plain stretches (the one it let go of while a
      // `debugger;` ran in every turn may have none).
      assert.ok(blocking.some((w) => w.hotspots?.length), `some blocking warning has hotspots: ${JSON.stringify(blocking)}`);
    });

    it('debugger_user.mjs: a pause of a debugger the user attached stays paused until that debugger resumes it', async () => {
      const traced = await run(interpreter, 'debugger_user.mjs', [], dir, tracer);
      assert.notEqual(traced.signal, 'SIGKILL', `the traced program hung: ${JSON.stringify(traced.stdout)}`);
      assert.equal(traced.stdout.trim(), 'paused until resumed by the user debugger', traced.stderr);
      assert.equal(traced.code, 0, traced.stderr);
      assert.equal(exitRecord(traced).code, 0);
    });

    it('tla_unsettled.mjs: a top-level await that never settles exits 13, and the exit record says 13', async () => {
      const traced = await run(interpreter, 'tla_unsettled.mjs', [], dir, tracer);
      assert.equal(traced.code, 13, traced.stderr);
      assert.equal(traced.stdout.trim(), 'start');
      assert.equal(exitRecord(traced).code, 13);
      const pending = traced.records.filter((r) => r.type === 'warning' && r.kind === 'pending-at-exit');
      assert.equal(pending.length, 1, JSON.stringify(pending));
    });

    it('exit_listeners.cjs: process.exitCode set in an exit listener, and process.exit() called in one, are the recorded code', async () => {
      const set = await run(interpreter, 'exit_listeners.cjs', [], dir, tracer);
      assert.equal(set.code, 3, set.stderr);
      assert.equal(exitRecord(set).code, 3);
      const exited = await run(interpreter, 'exit_listeners.cjs', ['7'], dir, tracer);
      assert.equal(exited.code, 7, exited.stderr);
      assert.equal(exitRecord(exited).code, 7);
    });
  });
}
