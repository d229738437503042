// The model on real traces, recorded in `before` by running the real tracer through the
// built CLI: lanes, steps, waits, the loop lane, hand-offs, await-site statistics, the
// sequential cost, and the hover text for known await lines.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { PROGRAMS, runCli, tempDir } from '../cli/helpers';
import { loadTraceModel } from '../../src/runner/load';
import { describeAwaitSite } from '../../src/model/hover';
import type { TraceModel, TaskLane } from '../../src/model/types';

const MS = 1e6;

/** Total time the tasks running these coroutines spent suspended. */
function waitedIn(model: TraceModel, coros: string[]): number {
  let total = 0;
  for (const t of model.tasks) if (coros.includes(t.coro)) for (const i of t.waits) total += model.waits[i].end - model.waits[i].start;
  return total;
}

function trace(dir: string, program: string, args: string[] = []): TraceModel {
  const out = join(dir, `${program}-${args.join('-')}.trace.ndjson`);
  const r = runCli(['trace', join(PROGRAMS, program), '--out', out, '--no-summary', '--', ...args]);
  assert.equal(r.status, 0, r.stderr);
  return loadTraceModel(out).model;
}

/** Tasks running the program's own coroutines (not asyncio's shutdown helpers). */
function ownTasks(model: TraceModel): TaskLane[] {
  const program = model.header!.program;
  return model.tasks.filter((t) => t.def?.file === program);
}

function lane(model: TraceModel, coro: string): TaskLane {
  const found = model.tasks.find((t) => t.coro === coro);
  assert.ok(found, `no task running ${coro}`);
  return found;
}

/** Invariants every model must keep, whatever the program. */
function checkInvariants(m: TraceModel): void {
  for (let i = 0; i < m.steps.length; i++) {
    const s = m.steps[i];
    assert.equal(s.index, i);
    assert.ok(s.end >= s.start);
    if (i) assert.ok(s.start >= m.steps[i - 1].start);
  }
  for (const w of m.waits) assert.ok(w.end >= w.start);
  for (let i = 1; i < m.loop.length; i++) assert.ok(m.loop[i].start >= m.loop[i - 1].end - 1, `loop overlap at ${i}`);
  assert.equal(m.handoffs.length, m.steps.length);
  const laneBusy = m.tasks.reduce((sum, t) => sum + t.busy, 0);
  assert.ok(Math.abs(laneBusy - m.stats.busy) < 1000);
  assert.ok(m.stats.busy + m.stats.idle <= m.stats.wall + 1000);
  for (const t of m.tasks) {
    for (const i of t.steps) assert.equal(m.steps[i].task, t.id);
    for (const i of t.waits) assert.equal(m.waits[i].task, t.id);
  }
}

describe('model on real traces', function () {
  const dir = tempDir('awaitlens-model-');
  let gather: TraceModel;
  let queue: TraceModel;
  let awaited: TraceModel;
  let tasked: TraceModel;

  before(function () {
    gather = trace(dir, 'gather.py');
    queue = trace(dir, 'producer_consumer.py');
    awaited = trace(dir, 'await_vs_task.py', ['await']);
    tasked = trace(dir, 'await_vs_task.py', ['task']);
  });

  it('keeps its invariants on every trace', () => {
    for (const m of [gather, queue, awaited, tasked]) checkInvariants(m);
  });

  describe('gather of sleeps 0.2, 0.3, 0.1', () => {
    it('one lane per task, children of main, finishing func3, func1, func2', () => {
      const main = lane(gather, 'main');
      const funcs = ['func1', 'func2', 'func3'].map((c) => lane(gather, c));
      for (const f of funcs) assert.equal(f.parent, main.id);
      const order = [...funcs].sort((a, b) => a.end!.t - b.end!.t).map((f) => f.coro);
      assert.deepEqual(order, ['func3', 'func1', 'func2']);
      for (const f of funcs) assert.equal(f.end!.outcome, 'returned');
    });

    it('each func suspends once at its sleep line, waiting on its sleep', () => {
      const expected: Record<string, [number, number]> = { func1: [7, 0.2], func2: [13, 0.3], func3: [19, 0.1] };
      for (const [coro, [line, delay]] of Object.entries(expected)) {
        const t = lane(gather, coro);
        assert.equal(t.waits.length, 1);
        const w = gather.waits[t.waits[0]];
        assert.equal(w.site?.line, line);
        assert.equal(w.awaiting.kind, 'sleep');
        assert.equal((w.awaiting as { delay: number }).delay, delay);
        assert.ok(w.end - w.start >= delay * 1000 * MS * 0.95, `${coro} waited ${w.end - w.start}`);
        assert.equal(w.resumedBy?.kind, 'timer');
      }
    });

    it('main waits at the gather line on the three tasks, woken by the last to finish', () => {
      const main = lane(gather, 'main');
      const w = gather.waits[main.waits[0]];
      assert.equal(w.site?.line, 24);
      assert.equal(w.awaiting.kind, 'tasks');
      assert.deepEqual(w.resumedBy, { kind: 'task', task: lane(gather, 'func2').id });
    });

    it('wall about the longest sleep, sequential about the sum, peak 4', () => {
      const s = gather.stats;
      assert.ok(s.wall >= 300 * MS && s.wall < 1800 * MS, `wall ${s.wall}`);
      const sleeps = waitedIn(gather, ['func1', 'func2', 'func3']);
      assert.ok(s.sequential - s.busy >= 600 * MS && s.sequential - s.busy <= sleeps + MS, `sequential ${s.sequential}, busy ${s.busy}, sleeps ${sleeps}`);
      assert.ok(s.idle > 250 * MS, `idle ${s.idle}`);
      assert.ok(s.peakConcurrency >= 4);
    });

    it('loop lane: idle gaps while everyone sleeps; hand-offs with causes', () => {
      const idle = gather.loop.filter((seg) => seg.task === null);
      assert.ok(idle.length >= 3);
      // The three timer wake-ups come out of idle: no step gave the loop to them.
      const wakeups = gather.handoffs.filter((h) => h.cause.kind === 'timer');
      assert.equal(wakeups.length, 3);
      for (const h of wakeups) assert.equal(h.from, null);
      // main's first step hands the loop to func1's first step.
      const first = gather.handoffs.find((h) => h.to === lane(gather, 'func1').steps[0])!;
      assert.equal(first.from, lane(gather, 'main').steps[0]);
      assert.equal(first.cause.kind, 'start');
    });

    it('prints are attributed to the task that printed them', () => {
      for (const [text, coro] of [['Function 1 started..', 'func1'], ['Function 3 Ended', 'func3'], ['Main Ended..', 'main']]) {
        const out = gather.outputs.find((o) => o.text.startsWith(text));
        assert.ok(out, text);
        assert.equal(out.task, lane(gather, coro).id);
      }
    });

    it('await sites and hover text', () => {
      const program = gather.header!.program;
      const sleep = describeAwaitSite(gather, program, 13)!;
      assert.match(sleep.headline, /^Suspended once here$/);
      assert.deepEqual(sleep.waitedOn, ['asyncio.sleep(0.3)']);
      assert.match(sleep.timing, /^suspended (\d{3} ms|\d\.\d\d s)$/);
      assert.ok(sleep.resumedBy[0].startsWith('timer'));
      const g = describeAwaitSite(gather, program, 24)!;
      assert.match(g.waitedOn[0], /gather/);
      // While main waited at gather, the three funcs ran.
      const ran = gather.awaitSites.find((s) => s.site.line === 24)!.ranMeanwhile;
      for (const c of ['func1', 'func2', 'func3']) assert.ok(ran.includes(lane(gather, c).id), c);
      assert.match(g.text, /Ran meanwhile: .*Task-\d+ \(func\d\)/);
      // Most of main's wait the loop was idle: the three sleeps overlapped.
      assert.match(g.loopMeanwhile, /^the loop sat idle \S+ m?s, other tasks ran \S+ .s$/);
      const gatherSite = gather.awaitSites.find((s) => s.site.line === 24)!;
      assert.ok(gatherSite.idleDuring! > 0.7 * gatherSite.total, `idle ${gatherSite.idleDuring} of ${gatherSite.total}`);
      assert.equal(describeAwaitSite(gather, program, 3), null);
      // Sites sorted by total time: gather's 0.3 s wait (or func2's) first.
      assert.ok([24, 13].includes(gather.awaitSites[0].site.line));
    });
  });

  describe('producer / consumer over a queue', () => {
    it('the consumer is woken by the producer, not by a timer', () => {
      const consumer = lane(queue, 'consumer');
      const producer = lane(queue, 'producer');
      const getSite = queue.awaitSites.find((s) => s.tasks.includes(consumer.id))!;
      assert.equal(getSite.site.line, 16);
      // Four items each after a pause; the final None is put right after item 3, so get() finds it without waiting.
      assert.equal(getSite.count, 4);
      assert.equal(getSite.awaiting[0].kind, 'queue');
      assert.deepEqual(getSite.resumedBy?.map((r) => r.task), [producer.id]);
      assert.ok(getSite.ranMeanwhile.includes(producer.id));
      // Each wake-up links to the producer's step that put the item.
      for (const i of consumer.steps.slice(1)) {
        const handoff = queue.handoffs.find((h) => h.to === i)!;
        if (handoff.cause.kind !== 'task') continue;
        const waker = queue.steps[handoff.wokenBy!];
        assert.equal(waker.task, producer.id);
        assert.ok(waker.start < queue.steps[i].start);
      }
    });

    it('sequential cost counts the producer\'s sleeps once, not the consumer\'s waits on them', () => {
      const s = queue.stats;
      // Four sleeps of 50 ms: ~200 ms (more if the machine made them late). Counting the
      // consumer's queue waits too would nearly double it.
      const sleeps = waitedIn(queue, ['producer']);
      const queueWaits = waitedIn(queue, ['consumer']);
      assert.ok(queueWaits > 150 * MS);
      assert.ok(s.sequential - s.busy >= 200 * MS && s.sequential - s.busy <= sleeps + MS, `sequential ${s.sequential}, busy ${s.busy}, sleeps ${sleeps}`);
      assert.ok(s.wall >= 200 * MS);
    });
  });

  describe('await fn2() versus create_task(fn2())', () => {
    it('await: one task, suspended inside fn2 at its sleep', () => {
      const own = ownTasks(awaited);
      assert.equal(own.length, 1);
      const w = awaited.waits[own[0].waits[0]];
      assert.equal(w.site?.line, 8);
      assert.deepEqual(w.stack.filter((f) => f.file === awaited.header!.program).map((f) => f.fn), ['fn', 'fn2']);
    });

    it('create_task: two tasks, fn2 a child of fn', () => {
      const own = ownTasks(tasked);
      assert.equal(own.length, 2);
      assert.equal(lane(tasked, 'fn2').parent, lane(tasked, 'fn').id);
    });
  });
});
