// The runner as the extension host uses it: output to callbacks, stdin at EOF, a live tail
// of the trace while the program runs, and stop() ending the whole process tree while
// keeping the trace recorded so far.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, tempDir } from './helpers';
import { startTrace, type RunResult } from '../../src/runner/run';
import { launchers } from '../../src/runner/launchers';
import { TraceTail } from '../../src/runner/tail';
import { RunnerError } from '../../src/runner/resolve';
import { ModelBuilder } from '../../src/model/build';
import { buildModel } from '../../src/model/build';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord } from '../../src/trace/format';

const DIST = join(ROOT, 'dist');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return check();
}

describe('runner: start, tail, stop', function () {
  const dir = tempDir('awaitlens-runner-');
  const pidFile = join(dir, 'child.pid');
  const tracePath = join(dir, 'long.trace.ndjson');
  let stdout = '';
  let tailed: TraceRecord[] = [];
  let liveModelTasks = 0;
  let result: RunResult;
  let childPid = 0;
  let stopMs = 0;

  before(async function () {
    const builder = new ModelBuilder();
    const tail = new TraceTail(tracePath, {
      intervalMs: 30,
      onRecords: (records) => {
        tailed = tailed.concat(records);
        builder.add(records);
      },
    });
    const run = await startTrace({
      file: join(PROGRAMS, 'long_running.py'), args: [pidFile], tracePath, distDir: DIST, launchers,
      output: { onStdout: (text) => { stdout += text; }, onStderr: () => {} },
      stdin: 'eof', killGraceMs: 1500,
    });
    tail.start();
    // Let it tick a while: the live view must see records before the program ends.
    const ticked = await waitFor(() => (stdout.match(/tick/g) ?? []).length >= 6, 20_000);
    assert.ok(ticked, `program did not tick: ${stdout}`);
    await waitFor(() => tailed.some((r) => r.type === 'suspend'), 5000);
    liveModelTasks = builder.model().tasks.length;
    childPid = Number(readFileSync(pidFile, 'utf8'));
    const stopAt = Date.now();
    run.stop();
    result = await run.done;
    stopMs = Date.now() - stopAt;
    tail.close();
  });

  it('streams output to callbacks while it runs', () => {
    assert.match(stdout, /^tick 1\n/);
  });

  it('tails the trace live into an incremental model', () => {
    assert.equal(tailed[0]?.type, 'header');
    assert.ok(liveModelTasks >= 3, `tasks seen live: ${liveModelTasks}`);
  });

  it('stop() ends the program and the child it started, promptly', async () => {
    assert.equal(result.stopped, true);
    assert.ok(stopMs < 5000, `stop took ${stopMs} ms`);
    assert.ok(childPid > 0);
    assert.ok(await waitFor(() => !alive(childPid), 3000), `child ${childPid} still alive`);
    assert.notEqual(result.exitStatus, 0);
  });

  it('keeps the trace recorded so far', () => {
    assert.ok(result.traceWritten);
    const parsed = parseTrace(readFileSync(tracePath, 'utf8'));
    const model = buildModel(parsed.records, parsed.problems);
    const tickers = model.tasks.filter((t) => t.coro === 'tick');
    assert.equal(tickers.length, 2);
    for (const t of tickers) assert.ok(t.waits.length >= 3, `waits ${t.waits.length}`);
    // Everything the tail delivered is in the file (the tail read the same bytes).
    assert.ok(parsed.records.length >= tailed.length);
  });

  it('refuses a missing interpreter before starting anything', async () => {
    await assert.rejects(
      startTrace({ file: join(PROGRAMS, 'gather.py'), interpreter: join(dir, 'python-nope'), distDir: DIST, launchers, tracePath: join(dir, 'x.ndjson') }),
      (error: unknown) => error instanceof RunnerError && error.code === 'no-interpreter' && /Python interpreter not found/.test(error.message),
    );
    assert.ok(!existsSync(join(dir, 'x.ndjson')));
  });
});
