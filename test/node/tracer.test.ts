// The Node tracer on real programs: each fixture in test/fixtures/node runs once under the user's
// node with nodeLaunch's plan (the same one the CLI uses), and the assertions read its trace.
// Expected await sites are found in the fixture's own text, never typed in here.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRegisterHooks, canRegisterSyncHooks, needsLoaderFlag, nodeLaunch, nodeVersion } from '../../src/tracers/node/launch';
import { parseTrace } from '../../src/trace/reader';
import { snapshotTracer } from './snapshot';
import type {
  TraceRecord, TaskRecord, SuspendRecord, ResumeRecord, EndRecord, OutputRecord, WarningRecord, ExitRecord, HeaderRecord,
} from '../../src/trace/format';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'node');
// Set by the suite's before(): its own copy of the built tracer (see snapshot.ts).
let tracerCopy = { distDir: join(ROOT, 'dist'), cacheDir: '' };
const MS = 1e6;

interface Run {
  file: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  records: TraceRecord[];
  problems: number;
  /** The trace file as written. */
  text: string;
}

function runFixture(name: string, dir: string, onStdout?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const file = join(FIXTURES, name);
  const tracePath = join(dir, `${name}.trace.ndjson`);
  const plan = nodeLaunch({ file, args: [], tracePath, distDir: tracerCopy.distDir, interpreter: process.execPath });
  const env = { ...process.env, ...plan.env, ...(tracerCopy.cacheDir ? { AWAITLENS_CACHE_DIR: tracerCopy.cacheDir } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(plan.command, plan.args, { cwd: FIXTURES, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; onStdout?.(String(d), child); });
    child.stderr!.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const text = existsSync(tracePath) ? readFileSync(tracePath, 'utf8') : '';
      const parsed = parseTrace(text);
      resolve({ file, code, signal, stdout, stderr, records: parsed.records, problems: parsed.problems.length, text });
    });
  });
}

// ---- helpers over a trace ----
const of = <T extends TraceRecord['type']>(run: Run, type: T) => run.records.filter((r) => r.type === type) as Extract<TraceRecord, { type: T }>[];
const tasks = (run: Run): TaskRecord[] => of(run, 'task');
const taskNamed = (run: Run, name: string): TaskRecord => {
  const found = tasks(run).filter((t) => t.name === name);
  assert.equal(found.length, 1, `one task named ${name}, got ${found.length}: ${tasks(run).map((t) => t.name).join(', ')}`);
  return found[0];
};
/** Real awaits (not the pause of a caller while an async function it called runs synchronously). */
const awaits = (run: Run, task?: number): SuspendRecord[] =>
  of(run, 'suspend').filter((s) => !(s.awaiting as { call?: boolean }).call && (task === undefined || s.task === task));
const endOf = (run: Run, task: number): EndRecord => {
  const e = of(run, 'end').find((r) => r.task === task);
  assert.ok(e, `task ${task} ended`);
  return e;
};
const resumesOf = (run: Run, task: number): ResumeRecord[] => of(run, 'resume').filter((r) => r.task === task);
const outputTask = (run: Run, text: string): number | null => {
  const o = of(run, 'output').find((r: OutputRecord) => r.text.trim() === text);
  assert.ok(o, `output "${text}" recorded`);
  return o.task;
};
/** Total time the given tasks spent suspended at real awaits (each suspend to the task's next resume). */
function waitedTotal(run: Run, taskIds: number[]): number {
  let total = 0;
  for (const id of taskIds) {
    const resumes = resumesOf(run, id);
    for (const s of awaits(run, id)) {
      const next = resumes.find((r) => r.t >= s.t);
      if (next) total += next.t - s.t;
    }
  }
  return total;
}
const exitOf = (run: Run): ExitRecord => {
  const last = run.records[run.records.length - 1];
  assert.equal(last?.type, 'exit', 'the trace ends with an exit record');
  return last as ExitRecord;
};

/** Every `await` in the fixture's text (1-based line/col of the keyword), including `for await`. */
function awaitSitesInSource(file: string): { line: number; col: number; text: string }[] {
  const out: { line: number; col: number; text: string }[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (text.trimStart().startsWith('//')) return;
    for (const m of text.matchAll(/\bawait\b/g)) out.push({ line: i + 1, col: m.index! + 1, text });
  });
  return out;
}
function siteOf(file: string, fragment: string): { line: number; col: number } {
  const sites = awaitSitesInSource(file).filter((s) => s.text.includes(fragment));
  assert.equal(sites.length, 1, `one await on a line with "${fragment}"`);
  return sites[0];
}

/** Structural checks every trace must pass: header first, exit last, times ordered, one task running at a time. */
function checkWellFormed(run: Run): void {
  assert.equal(run.problems, 0, 'every trace line parses');
  const header = run.records[0] as HeaderRecord;
  assert.equal(header.type, 'header');
  assert.equal(header.runtime, 'node');
  assert.equal(header.program, run.file);
  exitOf(run);
  let last = 0;
  let running: number | null = null;
  const state = new Map<number, string>();
  for (const r of run.records) {
    // Warnings are written when a stretch ends but dated from its start, like the Python tracer's.
    if ('t' in r && typeof r.t === 'number' && r.type !== 'warning') {
      assert.ok(r.t >= last, `records in time order (${r.type} at ${r.t} after ${last})`);
      last = r.t;
    }
    if (r.type === 'task') { assert.ok(!state.has(r.task)); state.set(r.task, 'new'); }
    if (r.type === 'resume') {
      assert.equal(running, null, `task ${r.task} resumed while task ${running} runs`);
      assert.ok(['new', 'suspended'].includes(state.get(r.task)!), `task ${r.task} resumed from ${state.get(r.task)}`);
      running = r.task; state.set(r.task, 'running');
    }
    if (r.type === 'suspend') {
      assert.equal(running, r.task, `suspend of the running task ${r.task}`);
      running = null; state.set(r.task, 'suspended');
    }
    if (r.type === 'end') {
      assert.equal(running, r.task, `end of the running task ${r.task}`);
      state.set(r.task, 'ended');
    }
    if (r.type === 'end') running = null;
    if (r.type === 'idle') assert.equal(running, null, 'idle while no task runs');
  }
}

describe('Node tracer (async_hooks-free probes + promise hooks) on real programs', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'awaitlens-node-'));
  const runs: Record<string, Run> = {};
  const names = ['gather.mjs', 'gather_types.ts', 'sequential.cjs', 'parallel.mts', 'download.cts', 'hello_world.js',
    'shapes.ts', 'errors.mjs', 'io.mjs', 'blocking.mjs', 'forawait.mjs', 'hotspots.mjs', 'module_block.cjs', 'esm_hooks.mjs'];

  before(async function () {
    tracerCopy = snapshotTracer(ROOT, dir);
    // Two at a time: the machine is shared, and timing assertions need the loop to be free.
    const queue = [...names];
    const worker = async (): Promise<void> => {
      for (let name = queue.shift(); name; name = queue.shift()) runs[name] = await runFixture(name, dir);
    };
    await Promise.all([worker(), worker()]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nodeLaunch: the user\'s node, preload + loader hooks, the program and its args, settings in env', () => {
    const plan = nodeLaunch({ file: '/x/app.ts', args: ['a', 'b'], tracePath: '/t/trace.ndjson', distDir: '/d', interpreter: process.execPath, blockingMs: 50 });
    assert.equal(plan.command, process.execPath);
    // Node 22.15+: hooks registered by preload.js on the main thread. Before: --expose-internals lets
    // preload.js run them on the main thread too (node20.ts), register.mjs on a loader thread if not.
    const version = nodeVersion(process.execPath);
    if (canRegisterSyncHooks(version)) assert.deepEqual(plan.args.slice(0, -3), ['--require', '/d/tracers/node/preload.js']);
    else assert.deepEqual(plan.args.slice(0, -3), ['--expose-internals', '--require', '/d/tracers/node/preload.js', '--import', 'file:///d/tracers/node/register.mjs']);
    assert.deepEqual(plan.args.slice(-3), ['/x/app.ts', 'a', 'b']);
    assert.equal(plan.env.AWAITLENS_TRACE, '/t/trace.ndjson');
    assert.equal(plan.env.AWAITLENS_BLOCKING_MS, '50');
  });

  it('loader hooks through module.register where Node has it (18.19+, 20.6+), else through --experimental-loader (16.12+)', () => {
    const versions = [[16, 11], [16, 12], [18, 18], [18, 19], [19, 9], [20, 5], [20, 6], [22, 0], [24, 3]] as [number, number][];
    assert.deepEqual(versions.map((v) => canRegisterHooks(v)), [false, false, false, true, false, false, true, true, true]);
    assert.deepEqual(versions.map((v) => needsLoaderFlag(v)), [false, true, true, false, true, true, false, false, false]);
  });

  it('every trace is well formed: header, time order, one running task at a time, exit last', () => {
    for (const name of names) {
      try { checkWellFormed(runs[name]); } catch (err) { throw new Error(`${name}: ${(err as Error).message}`); }
    }
  });

  it('a step that ends at an await is written once, as a step record: the reader gives its resume and its suspend', () => {
    let steps = 0;
    for (const name of names) {
      const written = runs[name].text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; where?: number; d?: number });
      const count = (type: string) => written.filter((r) => r.type === type).length;
      const stepLines = written.filter((r) => r.type === 'step');
      for (const r of stepLines) assert.ok(typeof r.where === 'number' && typeof r.d === 'number' && r.d >= 0, JSON.stringify(r));
      assert.equal(of(runs[name], 'resume').length, count('resume') + stepLines.length, `${name}: resumes read`);
      assert.equal(of(runs[name], 'suspend').length, count('suspend') + stepLines.length, `${name}: suspends read`);
      steps += stepLines.length;
    }
    assert.ok(steps > 20, `${steps} step records`);
  });

  describe('gather of three sleeps (seed 001, Promise.all)', () => {
    for (const name of ['gather.mjs', 'gather_types.ts']) {
      it(`${name}: same tasks, each suspended once at its sleep line/col, finishing 3,1,2 in about the longest sleep`, () => {
        const run = runs[name];
        assert.equal(run.code, 0, run.stderr);
        assert.deepEqual(run.stdout.trim().split('\n').map((l) => l.replace(/ \d+$/, '')), [
          'Function 1 started..', 'Function 2 started..', 'Function 3 started..',
          'Function 3 Ended', 'Function 1 Ended', 'Function 2 Ended', 'Main Ended..',
        ]);
        const main = taskNamed(run, 'main');
        const funcs = ['func1', 'func2', 'func3'].map((n) => taskNamed(run, n));
        assert.equal(main.parent, null);
        for (const f of funcs) {
          assert.equal(f.parent, main.task, `${f.name}'s parent is main`);
          assert.equal(f.kind, 'call');
        }
        // Suspension sites: exactly the awaits of the file, at the user's own line and column.
        const expected = awaitSitesInSource(run.file).map((s) => `${s.line}:${s.col}`).sort();
        const seen = awaits(run).map((s) => `${s.site!.line}:${s.site!.col}`).sort();
        assert.deepEqual(seen, expected);
        const delays = [200, 300, 100];
        funcs.forEach((f, i) => {
          const waits = awaits(run, f.task);
          assert.equal(waits.length, 1, `${f.name} suspends once`);
          assert.equal(waits[0].site!.file, run.file);
          assert.deepEqual(waits[0].awaiting, { kind: 'timer', label: `setTimeout ${delays[i]} ms`, delay: delays[i] });
          const resumes = resumesOf(run, f.task);
          assert.equal(resumes[resumes.length - 1].cause.kind, 'timer');
          assert.equal((resumes[resumes.length - 1].cause as { delay?: number }).delay, delays[i] / 1000);
        });
        const mainWait = awaits(run, main.task);
        assert.equal(mainWait.length, 1);
        assert.equal(mainWait[0].awaiting.kind, 'tasks');
        assert.deepEqual((mainWait[0].awaiting as { tasks: number[] }).tasks, funcs.map((f) => f.task));
        assert.equal((mainWait[0].awaiting as { how: string }).how, 'all');
        // Order of completion and who handed control back to main: func2, the last to finish.
        const endOrder = of(run, 'end').map((e) => e.task);
        assert.deepEqual(endOrder, [funcs[2].task, funcs[0].task, funcs[1].task, main.task]);
        const mainResume = resumesOf(run, main.task).pop()!;
        assert.deepEqual([mainResume.cause.kind, (mainResume.cause as { task?: number }).task], ['task', funcs[1].task]);
        // About the longest sleep (300 ms), not the sum (600 ms): bounded by the sleeps as measured,
        // so a loaded machine that makes every sleep late does not fail it.
        const dur = endOf(run, main.task).t - main.t;
        const sum = waitedTotal(run, funcs.map((f) => f.task));
        assert.ok(dur >= 295 * MS && dur < 0.75 * sum, `main took ${dur / MS} ms, the three sleeps ${sum / MS} ms together`);
        // Prints attributed to the task that printed them.
        for (const [i, f] of funcs.entries()) {
          assert.equal(outputTask(run, `Function ${i + 1} started..`), f.task);
          assert.equal(outputTask(run, `Function ${i + 1} Ended`), f.task);
        }
        assert.equal(of(run, 'output').find((o) => o.text.startsWith('Main Ended..'))!.task, main.task);
        assert.equal(exitOf(run).code, 0);
        // Each func was created at its call inside the Promise.all([...]) of main, at the user's column.
        const src = readFileSync(run.file, 'utf8').split('\n');
        for (const f of funcs) {
          const line = src[f.site!.line - 1];
          assert.equal(line.slice(f.site!.col - 1, f.site!.col - 1 + f.name.length), f.name, `call site of ${f.name}`);
        }
      });
    }
  });

  it('sequential.cjs (CommonJS, seed 001 `await fn2()`): one chain, fn waits on fn2, about the sum of sleeps', () => {
    const run = runs['sequential.cjs'];
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['one', 'two', 'three', 'four', 'five']);
    const fn = taskNamed(run, 'fn'), fn2 = taskNamed(run, 'fn2');
    assert.equal(fn2.parent, fn.task);
    assert.equal(tasks(run).length, 2);
    const atCall = awaits(run, fn.task).find((s) => s.awaiting.kind === 'task');
    assert.ok(atCall, 'fn suspends waiting on fn2');
    assert.equal((atCall.awaiting as { task: number }).task, fn2.task);
    assert.deepEqual(atCall.site && [atCall.site.line, atCall.site.col], [siteOf(run.file, 'fn2()').line, siteOf(run.file, 'fn2()').col]);
    const resumedBy = resumesOf(run, fn.task).find((r) => r.t >= endOf(run, fn2.task).t)!;
    assert.deepEqual([resumedBy.cause.kind, (resumedBy.cause as { task?: number }).task], ['task', fn2.task]);
    const dur = endOf(run, fn.task).t - fn.t;
    assert.ok(dur >= 245 * MS && dur >= 0.95 * waitedTotal(run, [fn2.task]) && dur < 10_000 * MS, `five 50 ms sleeps one after another took ${dur / MS} ms`);
    assert.equal(outputTask(run, 'two'), fn2.task);
    assert.equal(outputTask(run, 'four'), fn.task);
    // Once fn awaits fn2, fn2's suspensions carry the chain: fn at `await fn2()`, then fn2's own await.
    const chained = awaits(run, fn2.task).filter((s) => s.stack.length > 0);
    assert.ok(chained.length >= 1, 'a suspension of fn2 while fn waits on it');
    const call = siteOf(run.file, 'fn2()');
    for (const s of chained) {
      assert.deepEqual(s.stack.map((f) => [f.fn, f.line, f.col]), [['fn', call.line, call.col], ['fn2', s.site!.line, s.site!.col]]);
    }
  });

  it('parallel.mts (ES module TypeScript, seed 001 create_task): fn2 runs alongside fn, about 100 ms not 150', () => {
    const run = runs['parallel.mts'];
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['two', 'one', 'four', 'three', 'five']);
    const mod = taskNamed(run, '<module>'), fn = taskNamed(run, 'fn'), fn2 = taskNamed(run, 'fn2');
    assert.equal(fn.parent, mod.task, 'top-level await: the module body is the root task');
    assert.equal(fn2.parent, fn.task);
    assert.equal(outputTask(run, 'two'), fn2.task);
    assert.equal(outputTask(run, 'one'), fn.task);
    const dur = endOf(run, fn.task).t - fn.t;
    // fn's two sleeps and fn2's one, but not fn's wait on fn2 (that one overlaps them)
    const fnSleeps = awaits(run, fn.task).filter((s) => s.awaiting.kind === 'timer');
    const resumes = resumesOf(run, fn.task);
    const sum = waitedTotal(run, [fn2.task]) + fnSleeps.reduce((acc, s) => acc + (resumes.find((r) => r.t >= s.t)!.t - s.t), 0);
    assert.ok(dur >= 95 * MS && dur < 0.9 * sum, `took ${dur / MS} ms; all sleeps together ${sum / MS} ms`);
    const sites = awaits(run).map((s) => `${s.site!.line}:${s.site!.col}`);
    for (const s of awaitSitesInSource(run.file)) assert.ok(sites.includes(`${s.line}:${s.col}`), `await at ${s.line}:${s.col} suspended`);
  });

  it('download.cts (CommonJS TypeScript, seed 003): both downloads run at once under main', () => {
    const run = runs['download.cts'];
    assert.equal(run.code, 0, run.stderr);
    const main = taskNamed(run, 'main');
    const pages = tasks(run).filter((t) => t.name === 'download_page');
    assert.equal(pages.length, 2);
    const sleepSite = siteOf(run.file, 'sleep(100)');
    for (const p of pages) {
      assert.equal(p.parent, main.task);
      const w = awaits(run, p.task);
      assert.deepEqual(w.map((s) => [s.site!.line, s.site!.col]), [[sleepSite.line, sleepSite.col]]);
    }
    assert.equal(outputTask(run, 'Downloading lol.com'), pages[0].task);
    assert.equal(outputTask(run, 'Downloaded sike.org'), pages[1].task);
    const dur = endOf(run, main.task).t - main.t;
    const sum = waitedTotal(run, pages.map((p) => p.task));
    assert.ok(dur >= 95 * MS && dur < 0.8 * sum, `took ${dur / MS} ms; both downloads ${sum / MS} ms together`);
  });

  it('hello_world.js (plain .js CommonJS, seed 002): three calls, two suspensions each, ~150 ms not 450', () => {
    const run = runs['hello_world.js'];
    assert.equal(run.code, 0, run.stderr);
    const hw = tasks(run).filter((t) => t.name === 'hello_world');
    assert.equal(hw.length, 3);
    const expected = awaitSitesInSource(run.file).filter((s) => s.text.includes('sleep')).map((s) => `${s.line}:${s.col}`);
    for (const t of hw) assert.deepEqual(awaits(run, t.task).map((s) => `${s.site!.line}:${s.site!.col}`), expected);
    const main = taskNamed(run, 'main');
    const dur = endOf(run, main.task).t - main.t;
    const sum = waitedTotal(run, hw.map((t) => t.task));
    assert.ok(dur >= 145 * MS && dur < 0.6 * sum, `took ${dur / MS} ms; the six sleeps ${sum / MS} ms together`);
  });

  it('shapes.ts: class methods, static methods, field arrows, object methods, arrows and anonymous callbacks are named', () => {
    const run = runs['shapes.ts'];
    assert.equal(run.code, 0, run.stderr);
    const main = taskNamed(run, 'main');
    for (const name of ['Worker.create', 'Worker.run', 'Worker.poll', 'twice']) assert.equal(taskNamed(run, name).parent, main.task, name);
    assert.equal(taskNamed(run, 'fetchOne').parent, taskNamed(run, 'twice').task);
    const anon = tasks(run).filter((t) => t.name === '<anonymous>');
    assert.equal(anon.length, 2, 'the two map callbacks have no name to borrow');
    for (const a of anon) assert.equal(a.parent, main.task);
    // def sites point at the functions in the .ts file
    const src = readFileSync(run.file, 'utf8').split('\n');
    assert.match(src[taskNamed(run, 'Worker.run').def!.line - 1], /async run\(/);
    assert.match(src[taskNamed(run, 'twice').def!.line - 1], /const twice = async/);
    const expected = awaitSitesInSource(run.file).map((s) => `${s.line}:${s.col}`).sort();
    const seen = [...new Set(awaits(run).map((s) => `${s.site!.line}:${s.site!.col}`))].sort();
    assert.deepEqual(seen, expected);
    assert.equal(outputTask(run, 'twice 42'), main.task);
  });

  it('errors.mjs: caught rejection, raised ends with messages, unhandled rejection warning, exit code 1', () => {
    const run = runs['errors.mjs'];
    assert.equal(run.code, 1);
    const fails = taskNamed(run, 'fails'), careful = taskNamed(run, 'careful'), careless = taskNamed(run, 'careless');
    assert.deepEqual([endOf(run, fails.task).outcome, endOf(run, fails.task).error], ['raised', 'Error: boom']);
    assert.equal(endOf(run, careful.task).outcome, 'returned');
    assert.deepEqual([endOf(run, careless.task).outcome, endOf(run, careless.task).error], ['raised', 'TypeError: nobody catches this']);
    assert.equal(outputTask(run, 'caught boom'), careful.task, 'the catch block runs as careful');
    const unhandled = of(run, 'warning').filter((w: WarningRecord) => w.kind === 'unhandled-rejection');
    assert.equal(unhandled.length, 1);
    assert.equal(unhandled[0].task, careless.task);
    assert.match(unhandled[0].message, /nobody catches this/);
    assert.equal(exitOf(run).code, 1);
  });

  it('io.mjs: real file and loopback socket I/O are what tasks wait on and what wakes them', () => {
    const run = runs['io.mjs'];
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['file: hello file', 'echo: ping']);
    const file = taskNamed(run, 'fileRoundTrip');
    const fileWaits = awaits(run, file.task);
    assert.deepEqual(fileWaits.map((w) => [w.awaiting.kind, (w.awaiting as { op?: string }).op]), [['io', 'writeFile'], ['io', 'readFile'], ['io', 'rm']]);
    for (const r of resumesOf(run, file.task).slice(1)) assert.equal(r.cause.kind, 'io');
    const client = taskNamed(run, 'client');
    const clientWaits = awaits(run, client.task);
    assert.equal(clientWaits.length, 2);
    for (const w of clientWaits) assert.equal(w.awaiting.kind, 'io');
    const clientResumes = resumesOf(run, client.task).slice(1);
    assert.deepEqual(clientResumes.map((r) => [r.cause.kind, (r.cause as { label?: string }).label]), [['io', 'socket'], ['io', 'socket']]);
  });

  it('blocking.mjs: a 250 ms busy loop is a blocking warning naming the task and its lines; process.exitCode kept', () => {
    const run = runs['blocking.mjs'];
    assert.equal(run.code, 3);
    assert.equal(exitOf(run).code, 3);
    const hog = taskNamed(run, 'hog');
    const blocking = of(run, 'warning').filter((w: WarningRecord) => w.kind === 'blocking');
    assert.equal(blocking.length, 1, JSON.stringify(blocking));
    const w = blocking[0] as WarningRecord & { endSite?: { line: number } };
    assert.equal(w.task, hog.task);
    assert.ok(w.dur! >= 240 * MS && w.dur! < 10_000 * MS, `dur ${w.dur}`);
    const lines = awaitSitesInSource(run.file).filter((s) => s.text.includes('sleep(10)')).map((s) => s.line);
    assert.deepEqual([w.site!.line, w.endSite!.line], lines, 'from the await it resumed at to the one it suspended at');
    // The victim's 20 ms sleep ended late: it could only resume after the busy loop.
    const victim = taskNamed(run, 'victim');
    const woke = resumesOf(run, victim.task).pop()!;
    assert.ok(woke.t - victim.t >= 240 * MS, 'victim resumed after the busy loop');
  });

  it('hotspots.mjs: blocking warnings name the line where the time went (sampled by the watchdog thread)', () => {
    const run = runs['hotspots.mjs'];
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'spun');
    const hog = taskNamed(run, 'hog');
    const blocking = of(run, 'warning').filter((w: WarningRecord) => w.kind === 'blocking' && w.task === hog.task);
    assert.ok(blocking.length >= 4, `most of the six 150 ms stretches are blocking warnings (${blocking.length})`);
    const hotLine = readFileSync(run.file, 'utf8').split('\n').findIndex((l) => l.includes('the hot line')) + 1;
    // The watchdog starts with the program; on a loaded machine its first samples may come late,
    // so not every stretch has them, but the later ones do, and they name the spin line first.
    // (A watchdog that starts a stretch's sampling only at its very end gets one sample, landing
    // wherever the stretch is then, e.g. at the await that ends it: that says nothing of where
    // its time went, so only stretches sampled several times are held to it.)
    const sampled = blocking.filter((w) => w.hotspots?.length);
    assert.ok(sampled.length >= 1, `some blocking warning has hotspots: ${JSON.stringify(blocking)}`);
    const wellSampled = sampled.filter((w) => w.hotspots!.reduce((n, h) => n + h.samples, 0) >= 3);
    assert.ok(wellSampled.length >= 1, `some blocking warning is sampled several times: ${JSON.stringify(sampled)}`);
    for (const w of wellSampled) {
      const top = w.hotspots![0];
      assert.equal(top.site.file, run.file);
      assert.equal(top.site.line, hotLine, JSON.stringify(w.hotspots));
      assert.match(w.message, new RegExp(`most time at hotspots\\.mjs:${hotLine}`));
    }
    for (const w of sampled) for (const h of w.hotspots!) assert.equal(h.site.file, run.file, 'samples are of the user\'s code');
    // Stretches that did not block are never sampled: no hotspots anywhere else.
    for (const w of of(run, 'warning')) if (w.kind !== 'blocking') assert.equal(w.hotspots, undefined);
  });

  it('module_block.cjs: module code holding the loop is a blocking warning whose hotspot is the busy line; the wait after it is not sampled', () => {
    const run = runs['module_block.cjs'];
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(run.stdout.trim().split('\n'), ['summed', 'then waited']);
    const blocking = of(run, 'warning').filter((w: WarningRecord) => w.kind === 'blocking');
    assert.equal(blocking.length, 1, JSON.stringify(blocking));
    const w = blocking[0];
    assert.equal(w.task, null);
    assert.ok(w.dur! >= 550 * MS, `dur ${w.dur}`);
    const lines = readFileSync(run.file, 'utf8').split('\n');
    const hotLine = lines.findIndex((l) => l.includes('the hot line')) + 1;
    assert.ok(w.hotspots?.length, `the module code was sampled: ${JSON.stringify(w)}`);
    assert.deepEqual(w.hotspots![0].site, { file: run.file, line: hotLine, col: lines[hotLine - 1].search(/\S/) + 1 });
    // Only the busy line and the call into it: nothing from the 50 ms wait that follows.
    const checksumCall = lines.findIndex((l) => l.includes('checksum(600)')) + 1;
    for (const h of w.hotspots!) assert.ok([hotLine, checksumCall].includes(h.site.line), JSON.stringify(w.hotspots));
  });

  it('esm_hooks.mjs: module hooks on the main thread; import.meta.resolve, and hooks the program registers itself, still work', () => {
    const run = runs['esm_hooks.mjs'];
    assert.equal(run.code, 0, run.stderr);
    // Verified on Node 20.20 (Node's internals, node20.ts) and 22.15+ (module.registerHooks): no loader thread.
    const [major, minor] = process.versions.node.split('.').map(Number);
    const onMain = (major === 20 && minor >= 20) || canRegisterSyncHooks([major, minor]) ? 'true' : /true|false/;
    const lines = run.stdout.trim().split('\n');
    if (typeof onMain === 'string') assert.equal(lines[0], `hooks on main thread: ${onMain}`);
    else assert.match(lines[0], /^hooks on main thread: (true|false)$/);
    assert.deepEqual(lines.slice(1), ['resolved: esm_hooks_lib.mjs', 'answer: 42', 'later: done']);
    // Imported after the program registered its own hooks: still instrumented, its await on its line.
    const later = taskNamed(run, 'later');
    const lib = join(FIXTURES, 'esm_hooks_lib.mjs');
    const site = awaitSitesInSource(lib)[0];
    assert.deepEqual(awaits(run, later.task).map((w) => [w.site!.file, w.site!.line, w.site!.col]), [[lib, site.line, site.col]]);
    assert.equal(endOf(run, later.task).outcome, 'returned');
  });

  it('forawait.mjs: for await over an async generator and a stream suspends at the for-await line', () => {
    const run = runs['forawait.mjs'];
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), 'sum 3 chunks 2');
    const consume = taskNamed(run, 'consume');
    const gen = taskNamed(run, 'numbers');
    assert.equal(gen.parent, consume.task);
    const loopSites = awaitSitesInSource(run.file).filter((s) => s.text.includes('for await'));
    const waits = awaits(run, consume.task);
    for (const s of loopSites) assert.ok(waits.some((w) => w.site!.line === s.line && w.site!.col === s.col), `suspends at ${s.line}:${s.col}`);
    assert.ok(waits.filter((w) => w.site!.line === loopSites[0].line).length >= 4, 'once per item and once at the end');
    const sleepSite = siteOf(run.file, 'sleep(20)');
    assert.equal(awaits(run, gen.task).filter((w) => w.site!.line === sleepSite.line).length, 3);
    assert.equal(endOf(run, gen.task).outcome, 'returned');
  });

  it('SIGTERM: the trace keeps every event, pending tasks are named, exit says the signal', async () => {
    const run = await runFixture('sleeper.mjs', dir, (text, child) => { if (text.includes('ready')) child.kill('SIGTERM'); });
    assert.equal(run.signal, 'SIGTERM');
    const exit = exitOf(run);
    assert.deepEqual([exit.code, exit.signal], [143, 'SIGTERM']);
    const waiter = taskNamed(run, 'waitForever');
    const pending = of(run, 'warning').filter((w: WarningRecord) => w.kind === 'pending-at-exit').map((w) => w.task);
    assert.ok(pending.includes(waiter.task));
    assert.equal(outputTask(run, 'ready'), waiter.task);
  });
});
