// Every feature the Python tracer supports, each on a small real program
// (test/fixtures/python/*.py) run under Python 3.8, 3.11 and 3.12+ where the feature exists.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  FIXTURES, endOf, exitRecord, findPython, lineOf, outputs, pool, printed, printer, resumes, suspends, taskByCoro,
  tasks, traceProgram, warnings, type Traced,
} from './helpers';
import { buildModel } from '../../src/model/build';
import type { HeaderRecord } from '../../src/trace/format';

const VERSIONS = ['3.8', '3.11', '3.12', '3.13'];
const MS = 1e6;
const minor = (v: string) => Number(v.split('.')[1]);

interface Case { name: string; since?: number; stdin?: string; args?: string[]; env?: Record<string, string>; key?: string }
const CASES: Case[] = [
  { name: 'taskgroup', since: 11 }, { name: 'eager', since: 12 }, { name: 'custom_factory' }, { name: 'cancel' },
  { name: 'exceptions' }, { name: 'queue_pc' }, { name: 'lock_event' }, { name: 'streams' }, { name: 'executor' },
  { name: 'wait_for_timeout' }, { name: 'blocking' }, { name: 'never_awaited' }, { name: 'pending_exit' },
  { name: 'syntax_error' }, { name: 'crash' }, { name: 'stdin_echo', stdin: 'first line\nsecond line\n', args: ['a b', '--x', 'é "q" \\'] },
  { name: 'waits' }, { name: 'sleep_zero' }, { name: 'run_leftover' },
  { name: 'agen_callback' }, { name: 'task_names' }, { name: 'labels' }, { name: 'protocol_blocking' },
  { name: 'loop_hooks' }, { name: 'os_exit' }, { name: 'output_bytes' }, { name: 'interrupt_in_task' },
  { name: 'never_awaited_cycle' }, { name: 'monitor', args: ['exec'] }, { name: 'monitor', key: 'monitor_thread', env: { AWAITLENS_MONITOR: 'thread' } },
  { name: 'monitor_takeover' },
];

const runs = new Map<string, Map<string, Traced>>();

before(async function () {
  this.timeout(180_000);
  const jobs: (() => Promise<void>)[] = [];
  for (const v of VERSIONS) {
    const py = findPython(v);
    if (!py) continue;
    const m = new Map<string, Traced>();
    runs.set(v, m);
    for (const c of CASES) {
      if (c.since && minor(v) < c.since) continue;
      jobs.push(async () => { m.set(c.key ?? c.name, await traceProgram(py, join(FIXTURES, c.name + '.py'), { stdin: c.stdin, args: c.args, env: c.env })); });
    }
  }
  await pool(jobs, 4);
});

for (const version of VERSIONS) {
  describe(`Python ${version} tracer features`, function () {
    let r: Map<string, Traced>;
    const get = (name: string) => {
      const t = r.get(name);
      if (!t) throw new Error(`${name} did not run`);
      return t;
    };
    before(function () {
      const got = runs.get(version);
      if (!got) { this.skip(); return; } // interpreter not installed here
      r = got;
    });

    it('TaskGroup: children created in the group, parent waits on them at the async with', function () {
      if (minor(version) < 11) this.skip(); // TaskGroup is 3.11+
      const t = get('taskgroup');
      const main = taskByCoro(t, 'main');
      const kids = tasks(t).filter((x) => x.coro === 'child');
      assert.deepEqual(kids.map((k) => k.name).sort(), ['child-a', 'child-b']);
      for (const k of kids) assert.equal(k.parent, main.task);
      const wait = suspends(t, main.task)[0];
      assert.equal(wait.awaiting.kind, 'tasks');
      assert.equal((wait.awaiting as { how: string }).how, 'taskgroup');
      assert.deepEqual([...(wait.awaiting as { tasks: number[] }).tasks].sort(), kids.map((k) => k.task).sort());
      assert.equal(wait.site?.line, lineOf(t.file, 'async with asyncio.TaskGroup()'));
      const b = kids.find((k) => k.name === 'child-b')!;
      assert.deepEqual(resumes(t, main.task)[1].cause, { kind: 'task', task: b.task });
    });

    it('eager task factory: a task that finishes eagerly still appears, marked eager', function () {
      if (minor(version) < 12) this.skip(); // eager_task_factory is 3.12+
      const t = get('eager');
      const main = taskByCoro(t, 'main');
      const quick = taskByCoro(t, 'quick');
      const slow = taskByCoro(t, 'slow');
      assert.equal(quick.eager, true);
      assert.equal(quick.parent, main.task);
      assert.equal(endOf(t, quick.task).outcome, 'returned');
      assert.equal(suspends(t, quick.task).length, 0);
      assert.equal(printer(t, 'quick ran eagerly'), quick.task);
      assert.equal(printer(t, 'slow started'), slow.task);
      assert.equal(suspends(t, slow.task)[0].awaiting.kind, 'sleep');
      // The eager step happened inside main's first step, before main suspended.
      assert.ok(endOf(t, quick.task).t < suspends(t, main.task)[0].t);
      assert.equal(t.stdout, 'quick ran eagerly\nslow started\nslow finished\nresults 0 1 2\n');
      // One that finished without a sound: recorded from create_task, with its coroutine's name.
      const silent = taskByCoro(t, 'silent');
      assert.equal(silent.eager, true);
      assert.equal(silent.parent, main.task);
      assert.equal(endOf(t, silent.task).outcome, 'returned');
    });

    it('task names: given at creation, given after an eager first step, set later by the task itself', () => {
      const t = get('task_names');
      assert.equal(t.code, 0);
      // The name a reader settles on: the task record's, then each `rename` in order.
      const finalName = new Map<number, string>();
      for (const r of t.records) {
        if (r.type === 'task' || r.type === 'rename') finalName.set(r.task, r.name);
      }
      const work = tasks(t).filter((x) => x.coro === 'work').map((x) => finalName.get(x.task));
      const expected = ['worker-1', 'worker-2', 'renamed-later'];
      if (minor(version) >= 11) expected.push('in-group');
      if (minor(version) >= 12) expected.push('eager-sleeper');
      assert.deepEqual(work, expected);
      assert.equal(finalName.get(taskByCoro(t, 'renames_itself').task), 'renamed-by-itself');
      assert.equal(finalName.get(taskByCoro(t, 'renames_itself_later').task), 'renamed-at-the-end');
      if (minor(version) >= 12) {
        const done = tasks(t).find((x) => x.coro === 'sleep')!;
        assert.equal(finalName.get(done.task), 'eager-done');
      }
      // A rename comes after the task's own record, and before its end.
      for (const r of t.records) {
        if (r.type !== 'rename') continue;
        const idx = t.records.indexOf(r);
        assert.ok(t.records.findIndex((x) => x.type === 'task' && x.task === r.task) < idx);
        const end = t.records.findIndex((x) => x.type === 'end' && x.task === r.task);
        assert.ok(end > idx);
        assert.ok(r.t <= (t.records[end] as { t: number }).t, 'renamed no later than it ended');
      }
      // The model (timeline, summary) shows the final names.
      const model = buildModel(t.records);
      assert.equal(model.tasks.find((l) => l.coro === 'renames_itself')?.name, 'renamed-by-itself');
      assert.ok(model.tasks.some((l) => l.name === 'worker-1'));
    });

    it("a user's own task factory stays in place (its names show) and is still traced", () => {
      const t = get('custom_factory');
      const lines = t.stdout.split('\n');
      assert.equal(lines[0], 'results [1, 2] factory made 2');
      const names = lines[1].replace(/^names /, '').split(' ');
      const works = tasks(t).filter((x) => x.coro === 'work');
      assert.deepEqual(works.map((w) => w.name), names);
      // (On 3.8-3.11 these are custom-1/custom-2; 3.12.x and 3.13.0 rename them to 'None' after the factory.)
      if (minor(version) < 12) assert.deepEqual(names, ['custom-1', 'custom-2']);
      for (const w of works) assert.equal(endOf(t, w.task).outcome, 'returned');
    });

    it('cancellation: the worker resumes because main cancelled it, and ends cancelled', () => {
      const t = get('cancel');
      const main = taskByCoro(t, 'main');
      const worker = taskByCoro(t, 'worker');
      assert.deepEqual(resumes(t, worker.task)[1].cause, { kind: 'cancel', task: main.task });
      assert.equal(endOf(t, worker.task).outcome, 'cancelled');
      assert.equal(printer(t, 'worker cancelled'), worker.task);
      const mainWait = suspends(t, main.task)[1];
      assert.deepEqual({ kind: mainWait.awaiting.kind, task: (mainWait.awaiting as { task: number }).task }, { kind: 'task', task: worker.task });
      assert.deepEqual(resumes(t, main.task)[2].cause, { kind: 'task', task: worker.task });
      assert.equal(endOf(t, main.task).outcome, 'returned');
    });

    it('exceptions: a raising task ends raised with its error text', () => {
      const t = get('exceptions');
      const bads = tasks(t).filter((x) => x.coro === 'bad');
      assert.equal(bads.length, 2);
      for (const b of bads) assert.deepEqual(
        { outcome: endOf(t, b.task).outcome, error: endOf(t, b.task).error }, { outcome: 'raised', error: 'ValueError: bad input 42' });
      assert.equal(endOf(t, taskByCoro(t, 'good').task).outcome, 'returned');
      assert.equal(t.stdout, "gathered ['ValueError', 'str']\ncaught bad input 42\n");
    });

    it("queue: the consumer waits on get() and the producer's put() wakes it", () => {
      const t = get('queue_pc');
      const prod = taskByCoro(t, 'producer');
      const cons = taskByCoro(t, 'consumer');
      const gets = suspends(t, cons.task);
      assert.ok(gets.length >= 3);
      for (const s of gets) {
        assert.equal(s.awaiting.kind, 'queue');
        assert.equal((s.awaiting as { op?: string }).op, 'get');
        assert.equal(s.site?.line, lineOf(t.file, 'item = await q.get()'));
      }
      const woken = resumes(t, cons.task).slice(1);
      assert.ok(woken.length >= 3);
      for (const w of woken) assert.deepEqual(w.cause, { kind: 'task', task: prod.task });
    });

    it('lock and event: the second locker waits on the lock, the event waiter is woken by the setter', () => {
      const t = get('lock_event');
      const main = taskByCoro(t, 'main');
      const lockers = tasks(t).filter((x) => x.coro === 'locked');
      const second = lockers[1];
      const lockWait = suspends(t, second.task)[0];
      assert.equal(lockWait.awaiting.kind, 'lock');
      assert.equal(lockWait.site?.line, lineOf(t.file, 'async with lock:'));
      assert.deepEqual(resumes(t, second.task)[1].cause, { kind: 'task', task: lockers[0].task });
      const waiter = taskByCoro(t, 'waiter');
      assert.equal(suspends(t, waiter.task)[0].awaiting.kind, 'event');
      assert.deepEqual(resumes(t, waiter.task)[1].cause, { kind: 'task', task: main.task });
    });

    it('streams over loopback: waits are I/O, woken by I/O readiness', () => {
      const t = get('streams');
      assert.equal(t.stdout, 'reply ONE\nreply TWO\n');
      const clients = tasks(t).filter((x) => x.coro === 'client');
      const handlers = tasks(t).filter((x) => x.coro === 'handle');
      assert.equal(clients.length, 2);
      assert.equal(handlers.length, 2);
      // asyncio's own housekeeping tasks (accepting connections) are not shown.
      assert.ok(tasks(t).every((x) => !/accept_connection|shutdown_/.test(x.coro)), JSON.stringify(tasks(t).map((x) => x.coro)));
      const fds = new Set<number>();
      for (const c of clients) {
        const read = suspends(t, c.task).find((s) => s.site?.line === lineOf(t.file, 'reply = await reader.readline()'));
        assert.ok(read, 'client suspends at its readline');
        assert.equal(read.awaiting.kind, 'io');
        assert.match(read.awaiting.label, /readline/);
        const after = resumes(t, c.task).find((x) => x.t > read.t)!;
        assert.equal(after.cause.kind, 'io');
        const cause = after.cause as { label?: string; fd?: number };
        assert.equal(cause.label, 'data to read');
        assert.equal(typeof cause.fd, 'number');
        fds.add(cause.fd!);
      }
      assert.equal(fds.size, 2, 'each client woken by data on its own socket');
      for (const h of handlers) assert.equal(suspends(t, h.task)[0].awaiting.kind, 'io');
    });

    it('executor: run_in_executor / to_thread waits are executor waits woken by the executor', () => {
      const t = get('executor');
      const main = taskByCoro(t, 'main');
      const waits = suspends(t, main.task);
      assert.equal(waits.length, 3);
      for (const w of waits.slice(0, 2)) assert.equal(w.awaiting.kind, 'executor');
      for (const x of resumes(t, main.task).slice(1, 3)) assert.deepEqual(x.cause, { kind: 'callback', label: 'executor' });
      // gather of two executor jobs: no task among them, and the label says what they are.
      assert.equal(waits[2].awaiting.kind, 'tasks');
      assert.equal(waits[2].awaiting.label, 'asyncio.gather(2 futures)');
      assert.equal(t.stdout, 'results 2 4 [6, 8]\n');
    });

    it('wait_for with a timeout: main waits on slow(), resumes by cancellation/timeout, prints timed out', () => {
      const t = get('wait_for_timeout');
      const main = taskByCoro(t, 'main');
      assert.equal(t.stdout, 'timed out\n');
      const first = suspends(t, main.task)[0];
      // <= 3.11: wait_for runs slow() as its own task; 3.12+: it awaits it in main's task.
      if (minor(version) < 12) {
        assert.equal(first.awaiting.kind, 'tasks');
        assert.equal((first.awaiting as { how: string }).how, 'wait_for');
        const slow = taskByCoro(t, 'slow');
        assert.deepEqual((first.awaiting as { tasks: number[] }).tasks, [slow.task]);
        assert.equal(endOf(t, slow.task).outcome, 'cancelled');
      } else {
        assert.equal(first.awaiting.kind, 'sleep');
        assert.ok(first.stack.some((f) => f.fn === 'slow'));
      }
      const took = endOf(t, main.task).t - resumes(t, main.task)[0].t;
      assert.ok(took >= 45 * MS && took < 1000 * MS, `${took / MS} ms`);
    });

    it('labels: a float delay reads as written (its field stays exact); wait_for names its task, or none', () => {
      const t = get('labels');
      assert.equal(t.stdout, 'timed out\n');
      const [first, second] = suspends(t, taskByCoro(t, 'main').task);
      assert.deepEqual(first.awaiting, { kind: 'sleep', label: 'asyncio.sleep(0.3)', delay: 0.1 + 0.2 });
      if (minor(version) < 12) {
        assert.equal(second.awaiting.label, 'asyncio.wait_for(1 task, timeout=0.01)');
        assert.equal((second.awaiting as { tasks: number[] }).tasks.length, 1);
      } else {
        assert.deepEqual(second.awaiting, { kind: 'tasks', label: 'asyncio.wait_for(timeout=0.01)', tasks: [], how: 'wait_for' });
      }
    });

    it('blocking: time.sleep(0.3) in a coroutine is a blocking warning naming that line', () => {
      const t = get('blocking');
      const hog = taskByCoro(t, 'hog');
      const blocks = warnings(t, 'blocking');
      assert.equal(blocks.length, 1, JSON.stringify(blocks));
      const b = blocks[0];
      assert.equal(b.task, hog.task);
      assert.ok(b.dur! >= 290 * MS && b.dur! < 2000 * MS, `${b.dur! / MS} ms`);
      assert.equal(b.site?.line, lineOf(t.file, 'time.sleep(0.3)'));
      // Sampled while it ran (every 25 ms once past half the threshold: several samples, but a
      // busy machine may delay the sampler, so only one is required).
      assert.ok(b.hotspots && b.hotspots.length >= 1 && b.hotspots[0].samples >= 1, JSON.stringify(b.hotspots));
      assert.equal(b.hotspots[0].site.line, lineOf(t.file, 'time.sleep(0.3)'));
      assert.match(b.message, /hog/);
      // A step that long has its resume written while it runs, then a plain suspend: one step.
      const lines = readFileSync(t.tracePath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; task?: number; t?: number });
      const own = lines.filter((l) => l.task === hog.task && ['resume', 'suspend', 'step', 'end'].includes(l.type));
      const early = own.findIndex((l) => l.type === 'resume' && l.t === b.t);
      assert.ok(early >= 0, JSON.stringify(own));
      assert.equal(own[early + 1].type, 'end', 'the blocking step ends the task: its end follows its resume');
      const model = buildModel(t.records);
      const step = model.steps.find((s) => s.task === hog.task && s.start === b.t)!;
      assert.ok(step && step.end - step.start === b.dur, JSON.stringify(step));
      assert.equal(model.steps.filter((s) => s.task === hog.task && s.start === b.t).length, 1);
    });

    it("the monitor stays out of the program's way: no thread, its signal handler called, a blocking read named, os.execv works", () => {
      const t = get('monitor');
      const lines = t.stdout.split('\n');
      // (The monitor is a timer signal on Linux; a thread where there is none.)
      if (process.platform === 'linux') assert.equal(lines[0], 'threads MainThread');
      assert.deepEqual(lines.slice(1), ["handled ['usr1']", "read b'late'", 'the new program ran', ''], t.stderr);
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stderr, '');
      // A read that blocks is interrupted by the timer's signal and resumed by Python: sampled while it waits.
      const reader = taskByCoro(t, 'blocked_read');
      const blocks = warnings(t, 'blocking');
      assert.equal(blocks.length, 1, JSON.stringify(blocks));
      assert.equal(blocks[0].task, reader.task);
      assert.equal(blocks[0].hotspots?.[0]?.site.line, lineOf(t.file, 'sock.recv(16)'), JSON.stringify(blocks[0]));
      assert.ok(blocks[0].hotspots![0].samples >= 2, `sampled while it waited: ${JSON.stringify(blocks[0].hotspots)}`);
      // The exec leaves no atexit to run: what was recorded is written before it, and says so.
      assert.equal(printer(t, "read b'late'"), reader.parent);
      assert.match(warnings(t, 'tracer').map((w) => w.message).join('\n'), /os\.execv\(.*python.*\) to become another program/);
      assert.equal(exitRecord(t), undefined);
    });

    it('the monitor as a thread (AWAITLENS_MONITOR=thread, as where no timer signal can be had) samples a blocking read', () => {
      const t = get('monitor_thread');
      assert.equal(t.stdout.split('\n')[0], 'threads MainThread,awaitlens-monitor');
      assert.equal(t.code, 0, t.stderr);
      const blocks = warnings(t, 'blocking');
      assert.equal(blocks.length, 1, JSON.stringify(blocks));
      assert.equal(blocks[0].task, taskByCoro(t, 'blocked_read').task);
      assert.equal(blocks[0].hotspots?.[0]?.site.line, lineOf(t.file, 'sock.recv(16)'), JSON.stringify(blocks[0]));
      assert.equal(exitRecord(t)?.code, 0);
    });

    it("a program that sets its own SIGURG handler gets only its own signals; the monitor goes on as a thread", () => {
      const t = get('monitor_takeover');
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stdout.split('\n')[0], 'urg 1');
      const blocks = warnings(t, 'blocking');
      assert.equal(blocks.length, 1, JSON.stringify(blocks));
      assert.equal(blocks[0].hotspots?.[0]?.site.line, lineOf(t.file, 'time.sleep(0.3)'), JSON.stringify(blocks[0]));
      if (process.platform === 'linux') assert.equal(t.stdout.split('\n')[1], 'threads MainThread,awaitlens-monitor');
    });

    it('I/O callbacks: a Protocol callback that blocks is a warning naming its line; each read wakes its reader by its fd', () => {
      const t = get('protocol_blocking');
      assert.equal(t.stdout, 'ONE\nTWO\nTHREE\n');
      const blocks = warnings(t, 'blocking');
      assert.equal(blocks.length, 1, JSON.stringify(blocks));
      const b = blocks[0];
      assert.equal(b.task, null, 'no task ran: a callback did');
      assert.match(b.message, /^a callback held the event loop for \d+ ms$/);
      assert.ok(b.dur! >= 290 * MS && b.dur! < 2000 * MS, `${b.dur! / MS} ms`);
      assert.equal(b.site?.line, lineOf(t.file, 'time.sleep(0.3)'));
      // The three replies: main waits at readline and is woken by its own socket becoming
      // readable, every time (the cause is remembered per I/O handle after the first).
      const main = taskByCoro(t, 'main');
      const readline = lineOf(t.file, 'await reader.readline()');
      const own = t.records.filter((r) => (r as { task?: number }).task === main.task && (r.type === 'suspend' || r.type === 'resume'));
      const wakes = own.filter((r, i) => r.type === 'resume' && i > 0 && own[i - 1].type === 'suspend' && (own[i - 1] as { site?: { line: number } }).site?.line === readline)
        .map((r) => (r as { cause: { kind: string; label?: string; fd?: number } }).cause);
      assert.equal(wakes.length, 3, JSON.stringify(own));
      for (const c of wakes) assert.deepEqual({ kind: c.kind, label: c.label }, { kind: 'io', label: 'data to read' });
      assert.ok(Number.isInteger(wakes[0].fd) && wakes[0].fd! > 2, JSON.stringify(wakes));
      assert.deepEqual(wakes.map((c) => c.fd), [wakes[0].fd, wakes[0].fd, wakes[0].fd]);
      assert.equal(exitRecord(t)?.code, 0);
    });

    it('never-awaited coroutine: a warning at the call that lacks its await; the RuntimeWarning still reaches stderr', () => {
      const t = get('never_awaited');
      const w = warnings(t, 'never-awaited');
      assert.deepEqual(w.map((x) => x.message), [
        "coroutine 'save' was never awaited", "coroutine 'Store.flush' was never awaited", "coroutine 'save' was never awaited",
      ]);
      assert.deepEqual(w[0].site, { file: t.file, line: lineOf(t.file, '    save()'), col: 5 });
      assert.equal(w[0].task, taskByCoro(t, 'main').task);
      assert.deepEqual(w[1].site, { file: t.file, line: lineOf(t.file, '    store.flush()'), col: 5 });
      // Kept in a variable and dropped after its function returned: the tracer cannot see the
      // call any more, so it names where the coroutine function is defined.
      assert.deepEqual(w[2].site, { file: t.file, line: lineOf(t.file, 'async def save'), col: 1 });
      assert.match(t.stderr, /RuntimeWarning: coroutine 'save' was never awaited/);
      assert.match(t.stderr, /RuntimeWarning: coroutine 'Store.flush' was never awaited/);
      assert.doesNotMatch(t.stderr, /awaitlens/);
      assert.equal(t.stdout, 'main done\n');
    });

    it('never-awaited coroutine in a reference cycle: found by the collection at exit; stderr as untraced', () => {
      const t = get('never_awaited_cycle');
      assert.deepEqual(warnings(t, 'never-awaited').map((x) => x.message), ["coroutine 'save' was never awaited"]);
      // Where Python says the warning comes from is its own business ("sys:1" at shutdown), never the tracer.
      const plain = spawnSync(findPython(version)!, [t.file], { encoding: 'utf8' });
      assert.equal(t.stdout, plain.stdout);
      assert.equal(t.stderr, plain.stderr);
      assert.match(t.stderr, /RuntimeWarning: coroutine 'save' was never awaited/);
    });

    it('pending at exit: the background task left sleeping is reported', () => {
      const t = get('pending_exit');
      const forever = taskByCoro(t, 'forever');
      const w = warnings(t, 'pending-at-exit');
      assert.equal(w.length, 1);
      assert.equal(w[0].task, forever.task);
      assert.equal(w[0].site?.line, lineOf(t.file, 'await asyncio.sleep(10)'));
      assert.equal(t.code, 0);
      assert.equal(exitRecord(t)!.code, 0);
      // Printed outside any task: attributed to no task.
      assert.equal(printer(t, 'leaving with a pending task'), null);
    });

    it('syntax error: a normal Python syntax error, exit 1, no tracer frames, trace closed', () => {
      const t = get('syntax_error');
      assert.equal(t.code, 1);
      assert.match(t.stderr, /SyntaxError/);
      assert.match(t.stderr, /syntax_error\.py", line 3/);
      assert.doesNotMatch(t.stderr, /Traceback|awaitlens_tracer/);
      assert.equal(t.stdout, '');
      assert.equal(exitRecord(t)!.code, 1);
      // The trace says why nothing ran, and where.
      const w = warnings(t).find((x) => x.kind === 'syntax-error');
      assert.ok(w, 'a syntax-error warning');
      assert.equal(w.site?.line, 3);
      assert.match(w.message ?? '', /^the program did not run: SyntaxError: /);
    });

    it('os._exit in a coroutine: its status, what was printed, the running step and an exit record', () => {
      const t = get('os_exit');
      assert.equal(t.code, 5);
      assert.equal(t.stdout, 'builtins module: True\n');
      assert.deepEqual(t.problems, []);
      assert.equal(exitRecord(t)!.code, 5);
      assert.equal(t.records[t.records.length - 1].type, 'exit');
      assert.equal(printer(t, 'builtins module: True'), taskByCoro(t, 'main').task);
      assert.equal(resumes(t, taskByCoro(t, 'main').task).length, 2, 'the step that called os._exit is shown running');
    });

    it('bytes written to sys.stdout.buffer pass through and are output records of the task that wrote them', () => {
      const t = get('output_bytes');
      assert.equal(t.code, 0);
      assert.equal(t.stdout, 'as text\nas bytes \u20ac\n');
      const main = taskByCoro(t, 'main').task;
      assert.deepEqual(outputs(t).map((o) => [o.text, o.task, o.stream]), [['as text\n', main, 'stdout'], ['as bytes \u20ac\n', main, 'stdout']]);
    });

    it('KeyboardInterrupt raised in a coroutine: the traceback through the loop, without tracer frames', () => {
      const t = get('interrupt_in_task');
      assert.equal(t.signal, 'SIGINT');
      assert.match(t.stderr, /^Traceback \(most recent call last\):\n/);
      assert.match(t.stderr, /base_events\.py", line \d+, in run_forever\n/);
      assert.match(t.stderr, /interrupt_in_task\.py", line 8, in main\n {4}raise KeyboardInterrupt\nKeyboardInterrupt\n$/);
      assert.doesNotMatch(t.stderr, /awaitlens_tracer/);
      assert.equal(exitRecord(t)!.signal, 'SIGINT');
    });

    it('crash: the normal traceback without tracer frames, exit 1, the task ends raised', () => {
      const t = get('crash');
      assert.equal(t.code, 1);
      assert.match(t.stderr, /^Traceback \(most recent call last\):\n {2}File ".*crash\.py", line \d+, in <module>/);
      assert.match(t.stderr, /RuntimeError: boom\n$/);
      assert.doesNotMatch(t.stderr, /awaitlens_tracer/);
      assert.equal(endOf(t, taskByCoro(t, 'main').task).error, 'RuntimeError: boom');
      assert.equal(exitRecord(t)!.code, 1);
      assert.match(printed(t, 'stderr'), /RuntimeError: boom/);
    });

    it('stdin, argv, __name__ and the exit code pass through', () => {
      const t = get('stdin_echo');
      assert.equal(t.stdout, `read first line\nread second line\nargv ['a b', '--x', 'é "q" \\\\'] name __main__\n`);
      assert.equal(t.code, 3);
      assert.equal(exitRecord(t)!.code, 3);
      assert.equal(t.stderr, '');
      // The header says what ran, as typed, in JSON that keeps the text exact.
      const header = t.records[0] as HeaderRecord;
      assert.equal(header.type, 'header');
      assert.equal(header.program, t.file);
      assert.deepEqual(header.argv, [t.file, 'a b', '--x', 'é "q" \\']);
      assert.equal(header.executable, findPython(version));
      assert.equal(header.cwd, process.cwd());
      assert.equal(header.runtimeVersion, spawnSync(findPython(version)!, ['-c', 'import platform; print(platform.python_version())'], { encoding: 'utf8' }).stdout.trim());
      assert.equal(header.blockingThreshold, 100 * MS);
      assert.match(header.tracer ?? '', /^awaitlens-python /);
    });

    it('asyncio.wait, as_completed and loops run one after another', () => {
      const t = get('waits');
      const ww = taskByCoro(t, 'with_wait');
      const w = suspends(t, ww.task)[0];
      assert.equal((w.awaiting as { how: string }).how, 'wait');
      assert.equal((w.awaiting as { tasks: number[] }).tasks.length, 2);
      const ac = taskByCoro(t, 'with_as_completed');
      const acWaits = suspends(t, ac.task);
      assert.ok(acWaits.length >= 1);
      for (const s of acWaits) assert.equal((s.awaiting as { how?: string }).how, 'as_completed');
      assert.equal(tasks(t).filter((x) => x.coro === 'job').length, 4);
      assert.ok(outputs(t).every((o) => o.task !== null));
      assert.equal(t.stdout, 'wait done [1, 2]\nas_completed 1\nas_completed 2\n');
    });
    it('asyncio.sleep(0): tasks take turns; each wait is a sleep of 0 and each turn a yield', () => {
      const t = get('sleep_zero');
      assert.equal(t.stdout, 'a 0\nb 0\na 1\nb 1\na 2\nb 2\n');
      const pings = tasks(t).filter((x) => x.coro === 'ping');
      assert.equal(pings.length, 2);
      for (const p of pings) {
        const waits = suspends(t, p.task);
        assert.equal(waits.length, 3);
        for (const w of waits) {
          assert.deepEqual({ kind: w.awaiting.kind, delay: (w.awaiting as { delay: number }).delay }, { kind: 'sleep', delay: 0 });
          assert.equal(w.site?.line, lineOf(t.file, 'await asyncio.sleep(0)'));
        }
        assert.deepEqual(resumes(t, p.task).map((r) => r.cause.kind), ['start', 'yield', 'yield', 'yield']);
      }
      // The loop alternates between them: a, b, a, b...
      const order = t.records.filter((r) => r.type === 'resume' && pings.some((p) => p.task === (r as { task: number }).task))
        .map((r) => (r as { task: number }).task);
      for (let i = 1; i < order.length; i++) assert.notEqual(order[i], order[i - 1]);
    });

    it('asyncio.run() leaving a task behind: pending-at-exit warning, then asyncio cancels it', () => {
      const t = get('run_leftover');
      const forever = taskByCoro(t, 'forever');
      const w = warnings(t, 'pending-at-exit');
      assert.equal(w.length, 1);
      assert.equal(w[0].task, forever.task);
      assert.match(w[0].message, /asyncio\.run\(\)/);
      assert.equal(endOf(t, forever.task).outcome, 'cancelled');
      assert.equal(resumes(t, forever.task)[1].cause.kind, 'cancel');
    });
    it('loop internals as asyncio has them: the own _call_soon of a loop subclass, a closed loop, debug mode, handles', function () {
      const t = get('loop_hooks');
      const py = findPython(version)!;
      const untraced = spawnSync(py, [join(FIXTURES, 'loop_hooks.py')], { encoding: 'utf8' });
      assert.equal(t.code, 0, t.stderr);
      assert.equal(t.stdout, untraced.stdout);
      assert.match(t.stdout, /own _call_soon ran: True/);
      assert.match(t.stdout, /closed loop: Event loop is closed/);
      assert.match(t.stdout, /debug mode: done/);
      assert.match(t.stdout, /handle: Handle \('never run',\) False None\ncancelled: True/);
      // Traced all the same: main ran in each loop it was given.
      assert.equal(tasks(t).filter((x) => x.coro === 'main').length, 2);
    });

    it('async generators, a raising loop callback and a bare future', () => {
      const t = get('agen_callback');
      assert.equal(t.code, 0);
      assert.equal(t.stdout, 'fut 5\ntick 0\ntick 1\n');
      // asyncio's report of the callback's exception, without tracer frames.
      assert.match(t.stderr, /Exception in callback/);
      assert.match(t.stderr, /ZeroDivisionError/);
      assert.doesNotMatch(t.stderr, /awaitlens_tracer/);
      const main = taskByCoro(t, 'main');
      const waits = suspends(t, main.task);
      assert.equal(waits[0].awaiting.kind, 'future');
      assert.equal(waits[0].site?.line, lineOf(t.file, 'print("fut", await fut)'));
      assert.equal(resumes(t, main.task)[1].cause.kind, 'timer');
      // Inside `async for`, the wait is the generator's sleep, with the generator on the stack.
      const inGen = waits.slice(1);
      assert.equal(inGen.length, 2);
      for (const w of inGen) {
        assert.equal(w.site?.line, lineOf(t.file, 'await asyncio.sleep(0.01)'));
        assert.deepEqual(w.stack.slice(0, 2).map((f) => f.fn), ['main', 'ticks']);
        assert.equal(w.awaiting.kind, 'sleep');
      }
    });
  });
}
