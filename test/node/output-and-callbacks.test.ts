// The Node tracer's output records, blocking in plain callbacks, and abortable timers:
// - output records hold the text the streams wrote ('hex'/'base64' strings decoded, bytes decoded
//   across writes, writes joined up to the newline per task and stream), and what an 'exit'
//   listener prints comes before the exit record;
// - a timer callback or an http request handler (no async function) that holds the loop gets a
//   blocking warning naming its busy line (site and hotspots, sampled by the watchdog), also in a
//   long gap where every async function waits;
// - `await setTimeout(ms, v, { signal })` ended by abort() resumes with the task that aborted (or a
//   callback), and with the timer when the timer fired.
// Each fixture runs under the user's node and, when present, the Node 22 and 18 of the runtimes cache.
import { strict as assert } from 'node:assert';
import type { OutputRecord, ResumeRecord, TaskRecord, TraceRecord, WarningRecord } from '../../src/trace/format';
import { readFileSync } from 'node:fs';
import { describeOnEachNode, runFixture, type FixtureRun } from './fixtureRun';

type Run = FixtureRun;
const run = (interpreter: string, name: string, dir: string | null, tracer: Parameters<typeof runFixture>[4]) =>
  runFixture(interpreter, name, [], dir, tracer, 30000);

const of = <T extends TraceRecord['type']>(r: Run, type: T) => r.records.filter((x) => x.type === type) as Extract<TraceRecord, { type: T }>[];
const taskNamed = (r: Run, name: string): TaskRecord => {
  const t = of(r, 'task').find((x) => x.name === name);
  assert.ok(t, `a task named ${name}`);
  return t!;
};
const lineOf = (file: string, marker: string): number => readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(marker)) + 1;

describeOnEachNode('Node tracer: output records, blocking callbacks and aborted timers', (interpreter, suite) => {
  let dir = '';
  let tracer = { distDir: '', cacheDir: '' };
  beforeEach(() => ({ dir, tracer } = suite()));

  it('exec_argv.mjs: process.execArgv is as untraced, and a forked child runs without the tracer', async () => {
    const plain = await run(interpreter, 'exec_argv.mjs', null, null);
    const traced = await run(interpreter, 'exec_argv.mjs', dir, tracer);
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(plain.stdout, 'execArgv []\nchild execArgv [], tracer undefined\nchild exited 0\n');
    assert.equal(traced.stdout, plain.stdout);
    assert.equal(traced.problems, 0);
  });

  it('output_encodings.mjs: output records are the decoded text, one per line, task and stream; exit listeners before the exit record', async () => {
    const plain = await run(interpreter, 'output_encodings.mjs', null, null);
    const traced = await run(interpreter, 'output_encodings.mjs', dir, tracer);
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.problems, 0);
    assert.equal(traced.stdout, plain.stdout, 'the program prints the same traced');
    assert.equal(plain.stdout, 'ABC é🎉\nhello\nhi\none, two, three\nexit listener 0\n');
    const outputs = of(traced, 'output');
    const stdout = outputs.filter((o) => o.stream === 'stdout');
    // What the records say is what was printed, line by line: no hex, base64 or U+FFFD.
    assert.deepEqual(stdout.map((o) => o.text), ['ABC é🎉\n', 'hello\n', 'hi\n', 'one, two, three\n', 'exit listener 0\n']);
    assert.deepEqual(outputs.filter((o) => o.stream === 'stderr').map((o) => [o.text, o.task]), [['to stderr\n', null]]);
    const speaker = taskNamed(traced, 'speaker');
    assert.equal(stdout[3].task, speaker.task, 'the three writes of speaker() are its one line');
    for (const o of stdout.slice(0, 3)) assert.equal(o.task, null);
    // Time order kept: each record no earlier than the one before it.
    for (let i = 1; i < traced.records.length; i++) {
      const a = traced.records[i - 1] as { t?: number; type: string }, b = traced.records[i] as { t?: number; type: string };
      if (typeof a.t === 'number' && typeof b.t === 'number' && a.type !== 'warning' && b.type !== 'warning') assert.ok(b.t >= a.t, `${JSON.stringify(a)} before ${JSON.stringify(b)}`);
    }
    const last = traced.records[traced.records.length - 1] as { type: string; code?: number };
    const beforeLast = traced.records[traced.records.length - 2] as OutputRecord;
    assert.equal(last.type, 'exit');
    assert.equal(beforeLast.type, 'output');
    assert.equal(beforeLast.text, 'exit listener 0\n', 'what the exit listener printed comes just before the exit record');
  });

  const callbackBlock = (name: string, label: string) => async () => {
    const traced = await run(interpreter, name, dir, tracer);
    assert.equal(traced.code, 0, traced.stderr);
    const hotLine = lineOf(traced.file, 'the hot line');
    const blocking = of(traced, 'warning').filter((w: WarningRecord) => w.kind === 'blocking' && w.task === null && (w.dur ?? 0) >= 300e6);
    assert.equal(blocking.length, 1, JSON.stringify(of(traced, 'warning')));
    const w = blocking[0];
    assert.ok(w.hotspots?.length, `the ${label} was sampled: ${JSON.stringify(w)}`);
    const col = readFileSync(traced.file, 'utf8').split('\n')[hotLine - 1].search(/\S/) + 1;
    assert.deepEqual(w.hotspots![0].site, { file: traced.file, line: hotLine, col }, JSON.stringify(w.hotspots));
    assert.deepEqual(w.site, { file: traced.file, line: hotLine, col }, 'site: the most sampled line');
    assert.match(w.message, new RegExp(`most time at ${name.replace('.', '\\.')}:${hotLine}`));
  };
  it('callback_block.cjs: a timer callback holding the loop is a blocking warning naming its busy line', callbackBlock('callback_block.cjs', 'timer callback'));
  it('http_block.mjs: an http request handler holding the loop is a blocking warning naming its busy line', callbackBlock('http_block.mjs', 'request handler'));
  it('gap_block.mjs: a timer callback holding the loop while every async function waits long is a blocking warning too', callbackBlock('gap_block.mjs', 'timer callback'));

  it('abort_timer.mjs: an aborted timer resumes with who aborted it; a timer that fired, with the timer', async () => {
    const traced = await run(interpreter, 'abort_timer.mjs', dir, tracer);
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, 'AbortError  done AbortError\n');
    const resumes = (name: string): ResumeRecord[] => {
      const t = taskNamed(traced, name);
      return of(traced, 'resume').filter((r) => r.task === t.task && r.cause.kind !== 'start');
    };
    const canceller = taskNamed(traced, 'canceller');
    assert.deepEqual(resumes('waiter').map((r) => r.cause), [{ kind: 'task', task: canceller.task, label: 'abort()' }]);
    assert.deepEqual(resumes('patient').map((r) => r.cause), [{ kind: 'timer', delay: 0.02 }]);
    assert.deepEqual(resumes('byCallback').map((r) => r.cause.kind), ['callback']);
  });
});
