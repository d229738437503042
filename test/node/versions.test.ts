// The Node tracer under the other ways Node loads hooks, each with a Node from the runtimes cache:
// 22.15+ registers them on the main thread (module.registerHooks, no loader thread), 18.19+ with
// module.register (a loader thread, as Node 20 here), 18.0-18.18 with --experimental-loader.
// npm test installs Node 22 there when it is missing (scripts/ensure-node22.mjs); the Node 18s
// (about 45 MB each) only by hand:
//   npm install --prefix ~/.cache/awaitlens/runtimes/node18 node@18
//   npm install --prefix ~/.cache/awaitlens/runtimes/node18.18 node@18.18.2
// (AWAITLENS_RUNTIMES names another cache folder.) Absent ones are skipped with that reason.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { canRegisterHooks, canRegisterSyncHooks, nodeLaunch, nodeVersion } from '../../src/tracers/node/launch';
import { snapshotTracer } from './snapshot';
import { runProcess } from './fixtureRun';
import type { SuspendRecord, TaskRecord, TraceRecord, WarningRecord } from '../../src/trace/format';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'node');
const RUNTIMES = process.env.AWAITLENS_RUNTIMES || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens', 'runtimes');

interface Run { code: number | null; stdout: string; stderr: string; records: TraceRecord[]; problems: number }

function trace(interpreter: string, name: string, dir: string, tracer: { distDir: string; cacheDir: string }): Promise<Run> {
  const file = join(FIXTURES, name);
  const tracePath = join(dir, `${name}.trace.ndjson`);
  const plan = nodeLaunch({ file, args: [], tracePath, distDir: tracer.distDir, interpreter });
  const env = { ...process.env, ...plan.env, AWAITLENS_CACHE_DIR: tracer.cacheDir };
  return runProcess(plan.command, plan.args, { cwd: FIXTURES, env, deadlineMs: 60_000, tracePath });
}

/** Lines of the fixture holding an `await` (outside comments): where suspensions must be. */
function awaitLines(name: string): Set<number> {
  const lines = new Set<number>();
  readFileSync(join(FIXTURES, name), 'utf8').split('\n').forEach((text, i) => {
    if (!text.trimStart().startsWith('//') && /\bawait\b/.test(text)) lines.add(i + 1);
  });
  return lines;
}

const installs = [
  { folder: 'node22', major: 22, what: 'Node 22.15+ (module.registerHooks, on the main thread)', install: 'npm test, or: npm install --prefix ~/.cache/awaitlens/runtimes/node22 node@22' },
  { folder: 'node18', major: 18, what: 'Node 18.19+ (module.register)', install: 'npm install --prefix ~/.cache/awaitlens/runtimes/node18 node@18' },
  { folder: 'node18.18', major: 18, what: 'Node 18.0-18.18 (--experimental-loader)', install: 'npm install --prefix ~/.cache/awaitlens/runtimes/node18.18 node@18.18.2' },
];

for (const install of installs) {
  const interpreter = join(RUNTIMES, install.folder, 'node_modules', 'node', 'bin', 'node');
  describe(`Node tracer under ${install.what}`, function () {
    this.timeout(120_000);
    const fixtures = ['sequential.cjs', 'gather.mjs', 'gather_types.ts', 'parallel.mts', 'download.cts', 'blocking.mjs'];
    const runs: Record<string, Run> = {};
    let dir = '';
    let version: [number, number] | null = null;

    before(async function () {
      if (!existsSync(interpreter)) {
        // eslint-disable-next-line no-console
        console.log(`      skipped: no ${interpreter} (install it with: ${install.install})`);
        this.skip();
      }
      version = nodeVersion(interpreter);
      assert.ok(version && version[0] === install.major, `${interpreter} is Node ${install.major} (got ${version})`);
      dir = mkdtempSync(join(tmpdir(), `awaitlens-${install.folder}-`));
      const tracer = snapshotTracer(ROOT, dir);
      for (const name of fixtures) runs[name] = await trace(interpreter, name, dir, tracer);
      // (it calls module.register, which Node before 18.19 lacks)
      if (canRegisterHooks(version)) runs['esm_hooks.mjs'] = await trace(interpreter, 'esm_hooks.mjs', dir, tracer);
    });
    after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

    it('launches with the hooks this Node has: none to add (22.15+), --import register.mjs (18.19+) or --experimental-loader hooks.mjs', () => {
      const plan = nodeLaunch({ file: '/x/a.mjs', args: [], tracePath: '/t', distDir: '/d', interpreter });
      if (canRegisterSyncHooks(version)) assert.deepEqual(plan.args, ['--require', join('/d', 'tracers', 'node', 'preload.js'), '/x/a.mjs']);
      else if (canRegisterHooks(version)) assert.ok(plan.args.includes('--import') && plan.args.includes('--expose-internals'), plan.args.join(' '));
      else assert.ok(plan.args.includes('--experimental-loader'), plan.args.join(' '));
    });

    for (const name of fixtures) {
      it(`${name}: traced with its tasks, every await suspends on its own line, the trace is whole`, () => {
        const run = runs[name];
        assert.equal(run.code, name === 'blocking.mjs' ? 3 : 0, run.stderr);
        assert.equal(run.problems, 0, 'every trace line parses');
        const header = run.records[0] as { type: string; runtime: string; runtimeVersion: string };
        assert.equal(header.type, 'header');
        assert.match(header.runtimeVersion, new RegExp(`^${install.major}\\.`));
        assert.equal(run.records[run.records.length - 1].type, 'exit');
        const tasks = run.records.filter((r) => r.type === 'task') as TaskRecord[];
        assert.ok(tasks.length >= 2, `async functions are tasks: ${tasks.map((t) => t.name).join(', ')}`);
        const suspends = (run.records.filter((r) => r.type === 'suspend') as SuspendRecord[]).filter((s) => !(s.awaiting as { call?: boolean }).call);
        assert.ok(suspends.length >= 2, 'awaits suspend');
        const lines = awaitLines(name);
        for (const s of suspends) {
          assert.equal(s.site?.file, join(FIXTURES, name));
          assert.ok(lines.has(s.site!.line), `suspension at line ${s.site!.line}, an await line of ${name}`);
        }
      });
    }

    it('esm_hooks.mjs: import.meta.resolve and the program\'s own module.register work; what it imports after is traced', function () {
      const run = runs['esm_hooks.mjs'];
      if (!run) this.skip(); // Node before 18.19: no module.register
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trim().split('\n');
      // On Node 22.15+ the hooks run on the main thread (module.registerHooks); on 18 the internals
      // this tracer checks differ, and the loader thread (or --experimental-loader) serves.
      assert.equal(lines[0], `hooks on main thread: ${install.major >= 22}`);
      assert.deepEqual(lines.slice(1), ['resolved: esm_hooks_lib.mjs', 'answer: 42', 'later: done']);
      const tasks = run.records.filter((r) => r.type === 'task') as TaskRecord[];
      assert.ok(tasks.some((t) => t.name === 'later'), tasks.map((t) => t.name).join(', '));
    });

    it('gather.mjs and gather_types.ts: the three workers and main, finishing 3, 1, 2', () => {
      for (const name of ['gather.mjs', 'gather_types.ts']) {
        const run = runs[name];
        const tasks = run.records.filter((r) => r.type === 'task') as TaskRecord[];
        const byId = new Map(tasks.map((t) => [t.task, t.name]));
        const ends = run.records.filter((r) => r.type === 'end').map((e) => byId.get((e as { task: number }).task));
        const order = ends.filter((n) => n && /^func[123]$/.test(n));
        assert.deepEqual(order, ['func3', 'func1', 'func2'], `${name}: ${ends.join(', ')}`);
      }
    });

    it('blocking.mjs: the busy loop is a blocking warning with hotspots on the busy line (the watchdog on its own thread)', () => {
      const run = runs['blocking.mjs'];
      const w = run.records.find((r) => r.type === 'warning' && r.kind === 'blocking') as WarningRecord | undefined;
      assert.ok(w, 'a blocking warning');
      assert.ok(w.dur! >= 240e6, `dur ${w.dur}`);
      const busyLine = readFileSync(join(FIXTURES, 'blocking.mjs'), 'utf8').split('\n').findIndex((l) => l.includes('while (Date.now() < end)')) + 1;
      // The watchdog may still be starting on a loaded machine: when it sampled, it names the busy line.
      if (w.hotspots?.length) assert.equal(w.hotspots[0].site.line, busyLine, JSON.stringify(w.hotspots));
    });
  });
}
