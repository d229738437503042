// The seed tutorials (test/fixtures/python/seeds: examples/python with delays scaled down 10x)
// traced on every Python 3.8-3.13 this machine has. Each program runs once per version in the
// `before` hook (versions in parallel); the tests read the traces.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import {
  ALL_VERSIONS, SEEDS, endOf, exitRecord, findPython, lineOf, pool, printed, printer, resumes, suspends,
  taskByCoro, tasks, traceProgram, type Traced,
} from './helpers';

const PROGRAMS = ['000_even', '001a_sleep', '001b_await_fn2', '001c_create_task', '001d_gather', '002_hello_world',
  '003_download_page', '004_hello_world_gather'];
const S = 1e9;

const runs = new Map<string, Map<string, Traced>>();

before(async function () {
  this.timeout(180_000);
  const jobs: (() => Promise<void>)[] = [];
  for (const v of ALL_VERSIONS) {
    const py = findPython(v);
    if (!py) continue;
    const byProgram = new Map<string, Traced>();
    runs.set(v, byProgram);
    for (const p of PROGRAMS) jobs.push(async () => { byProgram.set(p, await traceProgram(py, join(SEEDS, p + '.py'))); });
  }
  await pool(jobs, 4);
});

for (const version of ALL_VERSIONS) {
  describe(`seed examples on Python ${version}`, function () {
    let r: Map<string, Traced>;
    before(function () {
      const got = runs.get(version);
      if (!got) {
        this.skip(); // no such interpreter here (looked in $PYENV_ROOT/versions or ~/.pyenv/versions)
        return;
      }
      r = got;
    });

    it('every seed runs to exit 0 with a complete trace that reproduces its output', () => {
      for (const p of PROGRAMS) {
        const t = r.get(p)!;
        assert.equal(t.code, 0, `${p}: ${t.stderr}`);
        assert.deepEqual(t.problems, [], p);
        assert.equal(t.records[0].type, 'header', p);
        const header = t.records[0] as { runtime: string; runtimeVersion: string; program: string };
        assert.equal(header.runtime, 'python');
        assert.ok(header.runtimeVersion.startsWith(version + '.'), header.runtimeVersion);
        assert.equal(header.program, t.file);
        assert.equal(t.records[t.records.length - 1].type, 'exit', p);
        assert.equal(exitRecord(t)!.code, 0);
        assert.equal(printed(t, 'stdout'), t.stdout, `${p}: output records rebuild stdout`);
        // Every task that started also ended; resumes and suspends alternate per task.
        for (const task of tasks(t)) {
          endOf(t, task.task);
          assert.equal(resumes(t, task.task).length, suspends(t, task.task).length + 1, `${p} task ${task.name}`);
        }
      }
    });

    it('gather(func1(), func2(), func3()): three tasks, one sleep each, done in about the longest sleep', () => {
      const t = r.get('001d_gather')!;
      const file = t.file;
      const main = taskByCoro(t, 'main');
      const funcs = ['func1', 'func2', 'func3'].map((c) => taskByCoro(t, c));
      const delays = [0.2, 0.3, 0.1];
      funcs.forEach((f, i) => {
        assert.equal(f.parent, main.task, 'created by main');
        const sus = suspends(t, f.task);
        assert.equal(sus.length, 1, `${f.coro} suspends once`);
        assert.equal(sus[0].site?.file, file);
        assert.equal(sus[0].site?.line, lineOf(file, `await asyncio.sleep(${delays[i]})`));
        assert.deepEqual({ kind: sus[0].awaiting.kind, delay: (sus[0].awaiting as { delay: number }).delay }, { kind: 'sleep', delay: delays[i] });
        assert.deepEqual(resumes(t, f.task).map((x) => x.cause.kind), ['start', 'timer']);
      });
      // Finish order func3, func1, func2.
      const order = funcs.map((f) => ({ coro: f.coro, t: endOf(t, f.task).t })).sort((a, b) => a.t - b.t).map((x) => x.coro);
      assert.deepEqual(order, ['func3', 'func1', 'func2']);
      // main waits at the gather line on exactly those three tasks.
      const mainSus = suspends(t, main.task);
      assert.equal(mainSus.length, 1);
      assert.equal(mainSus[0].site?.line, lineOf(file, 'L = await asyncio.gather('));
      assert.equal(mainSus[0].awaiting.kind, 'tasks');
      assert.deepEqual([...(mainSus[0].awaiting as { tasks: number[] }).tasks].sort(), funcs.map((f) => f.task).sort());
      // The last func to end (func2) is what woke main.
      const mainResumes = resumes(t, main.task);
      assert.deepEqual(mainResumes[1].cause, { kind: 'task', task: funcs[1].task });
      // The loop sat idle (waiting for the timers) for most of it.
      const idle = t.records.filter((x) => x.type === 'idle').reduce((sum, x) => sum + (x as { dur: number }).dur, 0);
      assert.ok(idle >= 0.2 * S, `idle ${idle / 1e6} ms`);
      // About the longest sleep (0.3 s), not the sum (0.6 s): the three sleeps were all pending
      // at once (each began before any ended), so the whole took the longest one.
      const sleeps = funcs.map((f) => ({ from: suspends(t, f.task)[0].t, to: resumes(t, f.task)[1].t }));
      assert.ok(Math.max(...sleeps.map((x) => x.from)) < Math.min(...sleeps.map((x) => x.to)), JSON.stringify(sleeps));
      const took = endOf(t, main.task).t - mainResumes[0].t;
      assert.ok(took >= 0.3 * S && took < 0.6 * S, `main took ${took / 1e6} ms`);
      // Each print belongs to the task that printed it.
      assert.equal(printer(t, 'Function 1 started..'), funcs[0].task);
      assert.equal(printer(t, 'Function 2 Ended'), funcs[1].task);
      assert.equal(printer(t, 'Function 3 Ended'), funcs[2].task);
      assert.equal(printer(t, 'Main Ended..'), main.task);
    });

    it('`await fn2()` is one task; `create_task(fn2())` is two', () => {
      const awaited = r.get('001b_await_fn2')!;
      assert.equal(tasks(awaited).length, 1);
      // fn2's sleeps show up inside fn's task, with fn2 on the stack.
      const fn = taskByCoro(awaited, 'fn');
      const inFn2 = suspends(awaited, fn.task).filter((s) => s.stack.some((f) => f.fn === 'fn2'));
      assert.equal(inFn2.length, 2);
      assert.equal(printer(awaited, 'two'), fn.task);
      assert.equal(awaited.stdout, 'one\ntwo\nthree\nfour\nfive\n');

      const created = r.get('001c_create_task')!;
      assert.equal(tasks(created).length, 2);
      const fnT = taskByCoro(created, 'fn');
      const fn2T = taskByCoro(created, 'fn2');
      assert.equal(fn2T.parent, fnT.task);
      assert.equal(fn2T.site?.line, lineOf(created.file, 'task = asyncio.create_task(fn2())'));
      assert.equal(printer(created, 'two'), fn2T.task);
      assert.equal(printer(created, 'four'), fnT.task);
      assert.equal(created.stdout, 'one\nfour\ntwo\nfive\nthree\n');
    });

    it('asyncio.wait over two even() tasks, run with get_event_loop().run_until_complete', () => {
      const t = r.get('000_even')!;
      const main = taskByCoro(t, 'main');
      const evens = tasks(t).filter((x) => x.coro === 'even');
      assert.equal(evens.length, 2);
      const s = suspends(t, main.task)[0];
      assert.equal(s.awaiting.kind, 'tasks');
      assert.equal((s.awaiting as { how: string }).how, 'wait');
      assert.deepEqual([...(s.awaiting as { tasks: number[] }).tasks].sort(), evens.map((e) => e.task).sort());
      for (const e of evens) assert.ok(suspends(t, e.task).every((x) => x.awaiting.kind === 'sleep'));
    });

    it('create_task + gather (003), hello_world x3 (002), module-level gather (004)', () => {
      const dl = r.get('003_download_page')!;
      const pages = tasks(dl).filter((x) => x.coro === 'download_page');
      assert.equal(pages.length, 2);
      const main = taskByCoro(dl, 'main');
      const g = suspends(dl, main.task)[0];
      assert.equal(g.site?.line, lineOf(dl.file, 'await asyncio.gather(*tasks)'));
      assert.deepEqual([...(g.awaiting as { tasks: number[] }).tasks].sort(), pages.map((p) => p.task).sort());
      // Tasks are recorded in creation order: lol.com's first, sike.org's second.
      assert.equal(printer(dl, 'Downloading lol.com'), pages[0].task);
      assert.equal(printer(dl, 'Downloaded sike.org'), pages[1].task);

      const hw = r.get('002_hello_world')!;
      assert.equal(tasks(hw).filter((x) => x.coro === 'hello_world').length, 3);

      const sw = r.get('004_hello_world_gather')!;
      const hello = taskByCoro(sw, 'say_hello');
      const world = taskByCoro(sw, 'say_world');
      assert.equal(hello.parent, null);
      assert.equal(printer(sw, 'Hello'), hello.task);
      assert.equal(printer(sw, 'World'), world.task);
      // The two 0.1 s sleeps overlap: each began before the other one ended.
      const [h, w] = [hello, world].map((x) => ({ from: suspends(sw, x.task)[0].t, to: resumes(sw, x.task)[1].t }));
      assert.ok(h.from < w.to && w.from < h.to, JSON.stringify({ h, w }));
    });
  });
}
