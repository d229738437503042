#!/usr/bin/env node
// Node tracer budget: traced/untraced wall-time ratios on a scheduler storm (2,000 async functions
// x 50 awaits of setImmediate from node:timers/promises, budget 3x) and a loopback TCP echo
// (200 clients x 50 round trips, budget 1.3x; a heavier echo variant is printed for information).
// Also prints trace size and bytes per event, and, on Node before 22.15 with a Node 22 in the runtimes
// cache, Node 22's ratios for information. Exits non-zero when a budget is missed or a run fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runtimeNode } from '../scripts/runtimes.mjs';

const root = join(import.meta.dirname, '..');
const programs = join(root, 'test', 'fixtures', 'node', 'bench');
const tracerDir = join(root, 'dist', 'tracers', 'node');
// Runs alternate untraced and traced (which goes first alternates too), several pairs side by side.
// The verdict is the median of the pairs' ratios: each traced run is compared with the untraced run
// beside it, so the machine's drift in speed (a third over a minute on shared machines) cancels,
// and one lucky fast run cannot decide it. Medians, fastest runs and CPU time are printed beside it.
const reps = Number(process.env.BENCH_REPS || 15);
const work = mkdtempSync(join(tmpdir(), 'awaitlens-node-bench-'));

const cases = [
  { name: 'scheduler storm (2000 async fns x 50 setImmediate)', file: 'storm.mjs', args: ['2000', '50'], budget: 3.0 },
  { name: 'loopback TCP echo (200 clients x 50 round trips)', file: 'echo.mjs', args: ['200', '50'], budget: 1.3 },
  // Not a budget: the same echo with a user-defined async readLine() per reply, i.e. 10,000 more
  // async calls, each a task with its own records (task, start, suspend, end, and the caller's hand-offs).
  { name: 'TCP echo reading each reply with a user async function (information)', file: 'echo_calls.mjs', args: ['200', '50'], budget: null },
];

// CPU time (user + system, all threads) is printed beside wall time: on a shared machine it moves
// far less than wall time does. It needs GNU time; without it only wall time is shown.
const gnuTime = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

// As nodeLaunch: Node 22.15+ hooks ES modules on the main thread from preload.js (module.registerHooks);
// older Node gets --expose-internals (preload.js runs the hooks on the main thread through Node's
// internals where it can, see src/tracers/node/node20.ts) and --import register.mjs (else a loader thread).
const hasSyncHooks = (node) => spawnSync(node, ['-p', "typeof require('node:module').registerHooks"], { encoding: 'utf8' }).stdout.trim() === 'function';
const esmHookArgs = (syncHooks) => (syncHooks ? [] : ['--expose-internals', '--import', pathToFileURL(join(tracerDir, 'register.mjs')).href]);

/** One run: { wall ms, cpu ms | null }. Traced runs use the same arguments as nodeLaunch (src/tracers/node/launch.ts). */
function runOnce(c, traced, tracePath, extraEnv = {}, node = process.execPath, hookArgs = mainHookArgs) {
  const file = join(programs, c.file);
  const nodeArgs = traced
    ? ['--require', join(tracerDir, 'preload.js'), ...hookArgs, file, ...c.args]
    : [file, ...c.args];
  const env = traced ? { ...process.env, AWAITLENS_TRACE: tracePath, AWAITLENS_PROGRAM: file, ...extraEnv } : process.env;
  const [cmd, args] = gnuTime ? [gnuTime, ['-f', 'AWAITLENS_CPU %U %S', node, ...nodeArgs]] : [node, nodeArgs];
  const start = process.hrtime.bigint();
  const out = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: 120_000 });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (out.status !== 0) throw new Error(`${c.file}${traced ? ' (traced)' : ''} failed with ${out.status ?? out.signal}: ${out.stderr}`);
  const m = /AWAITLENS_CPU ([\d.]+) ([\d.]+)/.exec(out.stderr || '');
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : null };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
/** The verdict: the median of each traced run's ratio to the untraced run beside it. */
const pairedRatio = (traced, plain) => median(traced.map((x, i) => x / plain[i]));
/** The middle half of the pairs' ratios, to show how far one run of the bench can land from another. */
const quartiles = (traced, plain) => { const s = traced.map((x, i) => x / plain[i]).sort((a, b) => a - b); const q = (f) => s[Math.round(f * (s.length - 1))]; return `${q(0.25).toFixed(2)}-${q(0.75).toFixed(2)}x`; };

const mainHasSyncHooks = hasSyncHooks(process.execPath);
const mainHookArgs = esmHookArgs(mainHasSyncHooks);
// Node 22 from the runtimes cache (npm test installs it there, see scripts/ensure-node22.mjs), when
// this is an older Node: the budgets are judged on this Node; Node 22's figures are printed beside
// them for information (its ES module hooks run on the main thread: no loader thread to wait for).
const node22 = runtimeNode('node22');
const extraNode = !mainHasSyncHooks && existsSync(node22) && hasSyncHooks(node22) ? node22 : null;

let failed = false;
try {
  for (const c of cases) {
    const plain = [], traced = [];
    const tracePath = join(work, `${c.file}.trace.ndjson`);
    runOnce(c, false); // warm the file cache
    // The tracer caches each file's instrumented code (src/tracers/node/cache.ts): the runs below are
    // a program traced again. One run with an empty cache shows what a first trace costs.
    const cold = runOnce(c, true, tracePath, { AWAITLENS_CACHE_DIR: mkdtempSync(join(work, 'cache-')) });
    const plainCpu = [], tracedCpu = [];
    for (let i = 0; i < reps; i++) {
      let p, t;
      if (i % 2) { t = runOnce(c, true, tracePath); p = runOnce(c, false); } else { p = runOnce(c, false); t = runOnce(c, true, tracePath); }
      plain.push(p.wall);
      traced.push(t.wall);
      if (p.cpu !== null && t.cpu !== null) { plainCpu.push(p.cpu); tracedCpu.push(t.cpu); }
    }
    const ratio = pairedRatio(traced, plain);
    const bestRatio = Math.min(...traced) / Math.min(...plain);
    const bytes = statSync(tracePath).size;
    // Events as readers see them: a step record is a resume and a suspend; where records are none.
    const lines = readFileSync(tracePath, 'utf8').split('\n').filter(Boolean);
    const events = lines.reduce((n, l) => n + (l.startsWith('{"type":"step"') ? 2 : l.startsWith('{"type":"where"') ? 0 : 1), 0);
    const ok = c.budget === null || ratio <= c.budget;
    if (!ok) failed = true;
    console.log(`${c.name}`);
    console.log(`  wall: untraced median ${median(plain).toFixed(0)} ms, traced median ${median(traced).toFixed(0)} ms (ratio ${(median(traced) / median(plain)).toFixed(2)}x; fastest ${Math.min(...plain).toFixed(0)} / ${Math.min(...traced).toFixed(0)} ms, ratio ${bestRatio.toFixed(2)}x)`);
    const verdict = `  ratio ${ratio.toFixed(2)}x, median of ${reps} side-by-side pairs (middle half ${quartiles(traced, plain)})`;
    console.log(c.budget === null ? `${verdict} (no budget)` : `${verdict} (budget ${c.budget}x) ${ok ? 'PASS' : 'FAIL'}`);
    console.log(`  first trace of the program (empty instrumentation cache): ${cold.wall.toFixed(0)} ms (for information)`);
    if (plainCpu.length) console.log(`  cpu time: untraced median ${median(plainCpu).toFixed(0)} ms, traced median ${median(tracedCpu).toFixed(0)} ms, ratio ${(median(tracedCpu) / median(plainCpu)).toFixed(2)}x (for information)`);
    console.log(`  trace ${(bytes / 1e6).toFixed(1)} MB, ${events} events, ${(bytes / events).toFixed(0)} bytes/event`);
  }
  if (extraNode) {
    const version = spawnSync(extraNode, ['--version'], { encoding: 'utf8' }).stdout.trim();
    const hookArgs = esmHookArgs(true);
    console.log(`\nNode ${version} (${extraNode}), for information: median wall ratio of ${reps} side-by-side pairs`);
    for (const c of cases.filter((x) => x.budget !== null)) {
      const tracePath = join(work, `${c.file}.node22.trace.ndjson`);
      runOnce(c, false, tracePath, {}, extraNode, hookArgs);
      runOnce(c, true, tracePath, {}, extraNode, hookArgs);
      const plain = [], traced = [];
      for (let i = 0; i < reps; i++) {
        const untracedRun = () => plain.push(runOnce(c, false, tracePath, {}, extraNode, hookArgs).wall);
        const tracedRun = () => traced.push(runOnce(c, true, tracePath, {}, extraNode, hookArgs).wall);
        if (i % 2) { tracedRun(); untracedRun(); } else { untracedRun(); tracedRun(); }
      }
      const ratio = pairedRatio(traced, plain);
      console.log(`  ${c.name}: untraced ${median(plain).toFixed(0)} ms, traced ${median(traced).toFixed(0)} ms, ratio ${ratio.toFixed(2)}x (budget on this Node: ${c.budget}x)`);
    }
  }
} catch (err) {
  console.log(`FAIL: ${err.message}`);
  failed = true;
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
