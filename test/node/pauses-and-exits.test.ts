// The traced program behaves as untraced where the tracer's machinery could change it:
// - `debugger;` statements with no debugger attached do nothing, also after or inside a stretch the
//   blocking watchdog sampled through its inspector session (they used to stop the program for good),
//   and a debugger the user attached keeps the pauses it takes (the watchdog never resumes them);
// - the exit record has the code the process exits with, also when it is decided after the
//   tracer's 'exit' listener ran (an unsettled top-level await on Node 18/20, 'exit' listeners).
// Each fixture runs under the user's node and, when present, the Node 22 and 18 of the runtimes
// cache (see versions.test.ts), with a deadline: a hang is a failure, not a stuck suite.
import { strict as assert } from 'node:assert';
import type { WarningRecord } from '../../src/trace/format';
import { describeOnEachNode, runFixture, type FixtureRun } from './fixtureRun';

type Run = FixtureRun;
const run = (interpreter: string, name: string, args: string[], dir: string | null, tracer: Parameters<typeof runFixture>[4]) =>
  runFixture(interpreter, name, args, dir, tracer, 20000);

const exitRecord = (r: Run): { code: number } => {
  const last = r.records[r.records.length - 1] as { type: string; code: number } | undefined;
  assert.equal(last?.type, 'exit', `the trace ends with its exit record (${r.signal === 'SIGKILL' ? 'killed after the deadline: it hung' : `exit ${r.code}`})\n${r.stderr}`);
  return last!;
};

describeOnEachNode('Node tracer: debugger statements and exit codes', (interpreter, suite) => {
  let dir = '';
  let tracer = { distDir: '', cacheDir: '' };
  beforeEach(() => ({ dir, tracer } = suite()));

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
