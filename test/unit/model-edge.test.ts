// Edge cases of the model builder on small record lists written by hand: truncated traces,
// missing header, unknown ids, out-of-order timestamps, nested steps. Behaviour on real
// traces is tested in model-real.test.ts.
import { strict as assert } from 'node:assert';
import { buildModel, ModelBuilder } from '../../src/model/build';
import { describeAwaitSite, escapeMarkdown, taskLabel } from '../../src/model/hover';
import { formatDuration, formatOffset } from '../../src/model/format-time';
import type { TraceRecord, Site } from '../../src/trace/format';
import { checkTraceHeader, parseTrace } from '../../src/trace/reader';
import { displayWidth, formatSummary } from '../../src/summary';

const S = 1e9;
const site = (line: number): Site => ({ file: '/p/prog.py', line, col: 5 });
const header: TraceRecord = {
  type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.12.0', program: '/p/prog.py', argv: [],
};

/** gather(func1, func2, func3) with sleeps 2, 3, 1 as a tracer would write it. */
function gatherTrace(): TraceRecord[] {
  const r: TraceRecord[] = [header];
  r.push({ type: 'task', task: 1, name: 'Task-1', coro: 'main', parent: null, t: 0 });
  r.push({ type: 'resume', task: 1, t: 10, cause: { kind: 'start' } });
  for (const [id, coro] of [[2, 'func1'], [3, 'func2'], [4, 'func3']] as const) {
    r.push({ type: 'task', task: id, name: `Task-${id}`, coro, parent: 1, t: 20 + id, site: site(12) });
  }
  r.push({ type: 'suspend', task: 1, t: 100, site: site(12), stack: [], awaiting: { kind: 'tasks', label: 'gather(3 tasks)', tasks: [2, 3, 4], how: 'gather' } });
  const delays: Record<number, number> = { 2: 2, 3: 3, 4: 1 };
  let t = 100;
  for (const id of [2, 3, 4]) {
    r.push({ type: 'resume', task: id, t: t += 10, cause: { kind: 'start' } });
    r.push({ type: 'output', t: t + 5, task: id, stream: 'stdout', text: `start ${id}\n` });
    r.push({ type: 'suspend', task: id, t: t += 10, site: site(5), stack: [], awaiting: { kind: 'sleep', label: `sleep(${delays[id]})`, delay: delays[id] } });
  }
  r.push({ type: 'idle', t: t + 1, dur: 1 * S - 200 });
  for (const id of [4, 2, 3]) {
    const at = delays[id] * S + 100;
    r.push({ type: 'resume', task: id, t: at, cause: { kind: 'timer', delay: delays[id] } });
    r.push({ type: 'end', task: id, t: at + 50, outcome: 'returned' });
    if (id !== 3) r.push({ type: 'idle', t: at + 60, dur: 1 * S - 100 });
  }
  r.push({ type: 'resume', task: 1, t: 3 * S + 200, cause: { kind: 'task', task: 3 } });
  r.push({ type: 'end', task: 1, t: 3 * S + 300, outcome: 'returned' });
  r.push({ type: 'exit', t: 3 * S + 400, code: 0 });
  return r;
}

describe('model: hand-written traces', () => {
  it('gather of sleeps 2, 3, 1: wall ~3 s, sequential ~6 s, waits and hand-offs', () => {
    const m = buildModel(gatherTrace());
    assert.equal(m.tasks.length, 4);
    assert.ok(Math.abs(m.stats.wall - 3 * S) < 1e6, `wall ${m.stats.wall}`);
    assert.ok(Math.abs(m.stats.sequential - 6 * S) < 1e6, `sequential ${m.stats.sequential}`);
    assert.equal(m.stats.peakConcurrency, 4);
    const main = m.taskById.get(1)!;
    assert.equal(main.waits.length, 1);
    const gatherWait = m.waits[main.waits[0]];
    assert.equal(gatherWait.awaiting.kind, 'tasks');
    assert.deepEqual(gatherWait.resumedBy, { kind: 'task', task: 3 });
    // Finish order func3, func1, func2.
    const ends = m.tasks.filter((l) => l.parent === 1).sort((a, b) => a.end!.t - b.end!.t).map((l) => l.coro);
    assert.deepEqual(ends, ['func3', 'func1', 'func2']);
    // Loop lane alternates tasks and idle, ordered.
    for (let i = 1; i < m.loop.length; i++) assert.ok(m.loop[i].start >= m.loop[i - 1].start);
    assert.ok(m.loop.some((s) => s.task === null));
    // Hand-off from main's first step to func1's first step (no idle between).
    const h = m.handoffs.find((x) => x.to === m.taskById.get(2)!.steps[0])!;
    assert.equal(h.from, main.steps[0]);
    // After idle, hand-off comes from nowhere.
    const afterIdle = m.handoffs.find((x) => x.to === m.taskById.get(4)!.steps[1])!;
    assert.equal(afterIdle.from, null);
    assert.deepEqual(afterIdle.cause, { kind: 'timer', delay: 1 });
    // Await site line 5: 3 waits, max 3 s, labels.
    const s5 = m.awaitSites.find((s) => s.site.line === 5)!;
    assert.equal(s5.count, 3);
    assert.ok(Math.abs(s5.max - 3 * S) < 1e6);
    assert.deepEqual(s5.awaiting.map((a) => a.label).sort(), ['sleep(1)', 'sleep(2)', 'sleep(3)']);
    assert.deepEqual([...s5.tasks].sort(), [2, 3, 4]);
    const s12 = m.awaitSites.find((s) => s.site.line === 12)!;
    assert.deepEqual([...s12.ranMeanwhile].sort(), [2, 3, 4]);
    assert.equal(m.outputs.length, 3);
    assert.equal(m.exit?.code, 0);
    const hover = describeAwaitSite(m, '/p/prog.py', 12)!;
    assert.match(hover.text, /Suspended once here/);
    assert.match(hover.text, /gather\(3 tasks\)/);
    assert.match(hover.text, /Task-3 \(func2\)/);
    assert.equal(describeAwaitSite(m, '/p/prog.py', 99), null);
  });

  it('a truncated trace (no exit, open step and wait) closes them at its end', () => {
    const records = gatherTrace().slice(0, 12); // cut while tasks are sleeping
    const m = buildModel(records);
    assert.equal(m.exit, null);
    const open = m.waits.filter((w) => w.open);
    assert.ok(open.length >= 1);
    for (const w of m.waits) assert.ok(w.end >= w.start && w.end <= m.end);
    const truncatedMidStep = buildModel(gatherTrace().slice(0, 9));
    assert.ok(truncatedMidStep.steps.some((s) => s.open));
  });

  it('no header, unknown task ids, garbage fields: still a model', () => {
    const m = buildModel([
      { type: 'resume', task: 7, t: 1000, cause: undefined as never },
      { type: 'suspend', task: 7, t: 2000, site: null, stack: [], awaiting: undefined as never },
      { type: 'bogus' } as never,
      { type: 'resume', task: 7, t: 'x' as never, cause: { kind: 'timer' } },
      { type: 'end', task: 9, t: 5000, outcome: 'raised', error: 'ValueError: x' },
    ]);
    assert.equal(m.header, null);
    assert.equal(m.tasks.length, 2);
    assert.equal(m.taskById.get(7)!.name, 'Task 7');
    assert.equal(m.taskById.get(9)!.end!.outcome, 'raised');
    assert.equal(m.start, 1000);
    assert.equal(m.end, 5000);
    assert.equal(m.steps.length, 2);
  });

  it('timestamps slightly out of order are clamped and sorted', () => {
    const m = buildModel([
      header,
      { type: 'task', task: 1, name: 'A', coro: 'a', parent: null, t: 0 },
      { type: 'task', task: 2, name: 'B', coro: 'b', parent: null, t: 0 },
      { type: 'resume', task: 2, t: 300, cause: { kind: 'start' } },
      { type: 'suspend', task: 2, t: 400, site: site(3), stack: [], awaiting: { kind: 'sleep', label: 'sleep(0)', delay: 0 } },
      { type: 'resume', task: 1, t: 100, cause: { kind: 'start' } },
      { type: 'suspend', task: 1, t: 90, site: site(4), stack: [], awaiting: { kind: 'sleep', label: 'sleep(0)', delay: 0 } },
    ]);
    for (let i = 0; i < m.steps.length; i++) {
      assert.equal(m.steps[i].index, i);
      assert.ok(m.steps[i].end >= m.steps[i].start);
      if (i) assert.ok(m.steps[i].start >= m.steps[i - 1].start);
    }
    assert.equal(m.taskById.get(1)!.steps[0], 0);
  });

  it('nested steps (an async call inside its caller) do not double count busy time', () => {
    const m = buildModel([
      header,
      { type: 'task', task: 1, name: 'main', coro: 'main', parent: null, t: 0, kind: 'call' },
      { type: 'task', task: 2, name: 'inner', coro: 'inner', parent: 1, t: 10, kind: 'call' },
      { type: 'resume', task: 1, t: 0, cause: { kind: 'start' } },
      { type: 'resume', task: 2, t: 10, cause: { kind: 'start' } },
      { type: 'suspend', task: 2, t: 30, site: site(2), stack: [], awaiting: { kind: 'timer', label: 'setTimeout(5)' } },
      { type: 'suspend', task: 1, t: 50, site: site(8), stack: [], awaiting: { kind: 'task', label: 'inner()', task: 2 } },
    ]);
    assert.equal(m.stats.busy, 50);
    assert.equal(m.taskById.get(1)!.busy, 30);
    assert.equal(m.taskById.get(2)!.busy, 20);
    assert.deepEqual(m.loop.map((s) => [s.start, s.end, s.task]), [[0, 10, 1], [10, 30, 2], [30, 50, 1]]);
  });

  it('incremental builder: snapshots while records stream in match a one-shot build', () => {
    const records = gatherTrace();
    const builder = new ModelBuilder();
    const snapshots = [];
    for (let i = 0; i < records.length; i += 5) {
      builder.add(records.slice(i, i + 5));
      snapshots.push(builder.model());
    }
    const whole = buildModel(records);
    const last = snapshots[snapshots.length - 1];
    assert.deepEqual(last.stats, whole.stats);
    assert.deepEqual(last.steps, whole.steps);
    assert.deepEqual(last.waits, whole.waits);
    assert.deepEqual(last.awaitSites, whole.awaitSites);
    // Earlier snapshots are not changed by later records.
    assert.ok(snapshots[2].waits.some((w) => w.open));
  });

  it('stays linear: 2,000 tasks awaiting at the same lines, 200,000 events (a quadratic pass would take minutes)', () => {
    const records: TraceRecord[] = [header];
    let t = 0;
    const tasks = 2000;
    for (let i = 0; i < tasks; i++) records.push({ type: 'task', task: i, name: `Task-${i}`, coro: 'worker', parent: null, t: t++ });
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < tasks; i++) {
        records.push({ type: 'resume', task: i, t, cause: { kind: 'yield' } });
        t += 1000;
        records.push({ type: 'suspend', task: i, t, site: site(5 + (i % 3)), stack: [], awaiting: { kind: 'sleep', label: 'sleep(0)', delay: 0 } });
      }
    }
    const started = Date.now();
    const m = buildModel(records);
    const ms = Date.now() - started;
    assert.equal(m.steps.length, 100_000);
    assert.equal(m.awaitSites.length, 3);
    assert.equal(m.stats.peakConcurrency, tasks);
    assert.equal(m.awaitSites[0].ranMeanwhile.length, 200); // capped
    assert.ok(ms < 10_000, `took ${ms} ms`);
    // sleep(0) waits are queueing behind the other tasks, not a cost: one after another, only the steps remain.
    assert.equal(m.stats.sequential, m.stats.busy);
  });

  it('sequential cost of an I/O wait is the idle time during it; a sleep costs at least its delay', () => {
    const m = buildModel([
      header,
      { type: 'task', task: 1, name: 'A', coro: 'reader', parent: null, t: 0 },
      { type: 'task', task: 2, name: 'B', coro: 'sleeper', parent: null, t: 0 },
      { type: 'resume', task: 1, t: 0, cause: { kind: 'start' } },
      { type: 'suspend', task: 1, t: 10, site: site(3), stack: [], awaiting: { kind: 'io', label: 'read' } },
      { type: 'resume', task: 2, t: 10, cause: { kind: 'start' } },
      { type: 'suspend', task: 2, t: 30, site: site(9), stack: [], awaiting: { kind: 'sleep', label: 'sleep(1e-7)', delay: 1e-7 } },
      { type: 'idle', t: 30, dur: 50 },
      { type: 'resume', task: 2, t: 140, cause: { kind: 'timer' } },
      { type: 'resume', task: 1, t: 150, cause: { kind: 'io' } },
      { type: 'end', task: 1, t: 160, outcome: 'returned' },
      { type: 'end', task: 2, t: 145, outcome: 'returned' },
    ]);
    // busy: A 10 + 10, B 20 + 5 = 45; A's read: idle 50 of its 140; B's sleep: delay 100 ns (idle 50 only).
    assert.equal(m.stats.busy, 45);
    assert.equal(m.stats.sequential, 45 + 50 + 100);
  });

  it('formats durations with units', () => {
    assert.equal(formatDuration(800), '800 ns');
    assert.equal(formatDuration(12_345), '12.3 µs');
    assert.equal(formatDuration(450e6), '450 ms');
    assert.equal(formatDuration(1.234e9), '1.23 s');
    assert.equal(formatDuration(999.99e6), '1.00 s');
    assert.equal(formatDuration(125e9), '2 min 05 s');
    assert.equal(formatOffset(1.5e9), '+1.500 s');
  });

  it('escapes program text in hover markdown', () => {
    assert.equal(escapeMarkdown('[x](command:evil) <img>'), '\\[x\\]\\(command:evil\\) \\<img\\>');
  });
});

describe('summary of odd headers', () => {
  const summaryOf = (text: string): string => {
    const parsed = parseTrace(text);
    checkTraceHeader(parsed);
    return formatSummary(buildModel(parsed.records));
  };

  it('a header without a program path, or with a number for it, reads as an unknown program', () => {
    for (const extra of ['', ',"program":123', ',"program":null,"runtime":5']) {
      const text = summaryOf(`{"type":"header","format":"awaitlens","version":1${extra}}\n`);
      assert.match(text, /^Await Lens: unknown program, the trace ended without an exit record/);
      assert.doesNotMatch(text, /\(\s*\)/);
      assert.match(text, /\n1 event$/);
    }
  });

  it('a version that is not the number 1 is refused saying what it is', () => {
    assert.throws(() => checkTraceHeader(parseTrace('{"type":"header","format":"awaitlens","version":"1"}\n')), /version "1"; this Await Lens reads version 1/);
    assert.throws(() => checkTraceHeader(parseTrace('{"type":"header","format":"awaitlens"}\n')), /version missing;/);
  });
});

describe('tasks that share a name', () => {
  it('are numbered in the order they were made; a unique name stays as it is', () => {
    const records: TraceRecord[] = [header];
    records.push({ type: 'task', task: 1, name: 'main', coro: 'main', parent: null, t: 0 });
    for (const id of [2, 3, 4]) records.push({ type: 'task', task: id, name: 'fetchItem', coro: 'fetchItem', parent: 1, t: id });
    records.push({ type: 'task', task: 5, name: 'worker', coro: 'job', parent: 1, t: 5 });
    records.push({ type: 'task', task: 6, name: 'worker', coro: 'job', parent: 1, t: 6 });
    const model = buildModel(records);
    assert.deepEqual(model.tasks.map((l) => l.name), ['main', 'fetchItem #1', 'fetchItem #2', 'fetchItem #3', 'worker #1', 'worker #2']);
    // A numbered function name is not followed by the function's name again; other names are.
    assert.equal(taskLabel(model, 3), 'fetchItem #2');
    assert.equal(taskLabel(model, 6), 'worker #2 (job)');
  });
});

describe('summary tables with wide and combining characters', () => {
  it('columns line up by the width a terminal draws, not by string length', () => {
    assert.equal(displayWidth('下载'), 4);
    assert.equal(displayWidth('cafe\u0301'), 4);
    assert.equal(displayWidth('👩\u200d👩\u200d👧'), 2);
    assert.equal(displayWidth('plain'), 5);
    const records: TraceRecord[] = [header];
    const names = ['下载任务-图片', 'cafe\u0301', 'plain', '👩\u200d👩\u200d👧 family'];
    names.forEach((name, i) => records.push({ type: 'task', task: i + 1, name, coro: `c${i}`, parent: null, t: i }));
    const text = formatSummary(buildModel(records));
    const rows = text.split('\n').filter((l) => / c\d /.test(l));
    assert.equal(rows.length, names.length);
    const columnOfCoro = rows.map((l) => displayWidth(l.slice(0, l.search(/ c\d /))));
    assert.deepEqual(columnOfCoro, columnOfCoro.map(() => columnOfCoro[0]), rows.join('\n'));
    assert.ok(text.includes('👩\u200d👩\u200d👧 family'), 'joiners are kept');
  });
});

describe('trace reader: two task records with one id', () => {
  it('is a problem naming both lines; the first record names the task, the events of both stay', () => {
    const text = [
      '{"type":"header","format":"awaitlens","version":1,"runtime":"python","runtimeVersion":"3.12.1","program":"/p/a.py","argv":[]}',
      '{"type":"task","task":1,"name":"first","coro":"a","parent":null,"t":0}',
      '{"type":"resume","task":1,"t":10}',
      '{"type":"suspend","task":1,"t":20,"site":null,"stack":[],"awaiting":{"kind":"sleep","label":"asyncio.sleep(1)","delay":1}}',
      '{"type":"task","task":1,"name":"second","coro":"b","parent":null,"t":30}',
      '{"type":"resume","task":1,"t":40}',
      '{"type":"end","task":1,"t":50,"outcome":"returned"}',
    ].join('\n') + '\n';
    const parsed = parseTrace(text);
    assert.deepEqual(parsed.problems, [{ line: 5, message: 'task 1 is already defined on line 2: this task record is ignored, and the events of both are shown as one task' }]);
    const model = buildModel(parsed.records, parsed.problems);
    assert.equal(model.tasks.length, 1);
    assert.equal(model.tasks[0].name, 'first');
    assert.equal(model.problems.length, 1);
    assert.deepEqual(model.steps.filter((s) => s.task === 1).map((s) => [s.start, s.end]), [[10, 20], [40, 50]]);
  });
});
