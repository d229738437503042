#!/usr/bin/env node
// Node tracer budget: traced/untraced wall-time ratios on a scheduler storm (2,000 async functions
// x 50 awaits of setImmediate from node:timers/promises, budget 3x) and a loopback TCP echo
// (200 clients x 50 round trips, budget 1.3x). Runs alternate traced and untraced in one session,
// several repetitions, and compare medians (the machine is shared). Also prints trace size.
// Exits non-zero when a budget is missed or a run fails.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = join(import.meta.dirname, '..');
const programs = join(root, 'test', 'fixtures', 'node', 'bench');
const tracerDir = join(root, 'dist', 'tracers', 'node');
const reps = Number(process.env.BENCH_REPS || 5);
const work = mkdtempSync(join(tmpdir(), 'awaitlens-node-bench-'));

const cases = [
  { name: 'scheduler storm (2000 async fns x 50 setImmediate)', file: 'storm.mjs', args: ['2000', '50'], budget: 3.0 },
  { name: 'loopback TCP echo (200 clients x 50 round trips)', file: 'echo.mjs', args: ['200', '50'], budget: 1.3 },
];

/** One run; returns wall ms. Traced runs use the same arguments as nodeLaunch (src/tracers/node/launch.ts). */
function runOnce(c, traced, tracePath) {
  const file = join(programs, c.file);
  const args = traced
    ? ['--require', join(tracerDir, 'preload.js'), '--import', pathToFileURL(join(tracerDir, 'register.mjs')).href, file, ...c.args]
    : [file, ...c.args];
  const env = traced ? { ...process.env, AWAITLENS_TRACE: tracePath, AWAITLENS_PROGRAM: file } : process.env;
  const start = process.hrtime.bigint();
  const out = spawnSync(process.execPath, args, { env, encoding: 'utf8', timeout: 120_000 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (out.status !== 0) throw new Error(`${c.file}${traced ? ' (traced)' : ''} failed with ${out.status ?? out.signal}: ${out.stderr}`);
  return ms;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

let failed = false;
try {
  for (const c of cases) {
    const plain = [], traced = [];
    const tracePath = join(work, `${c.file}.trace.ndjson`);
    runOnce(c, false); // warm the file cache
    for (let i = 0; i < reps; i++) {
      plain.push(runOnce(c, false));
      traced.push(runOnce(c, true, tracePath));
    }
    const ratio = median(traced) / median(plain);
    const bytes = statSync(tracePath).size;
    const events = readFileSync(tracePath, 'utf8').split('\n').filter(Boolean).length;
    const ok = ratio <= c.budget;
    if (!ok) failed = true;
    console.log(`${c.name}`);
    console.log(`  untraced median ${median(plain).toFixed(0)} ms, traced median ${median(traced).toFixed(0)} ms (${reps} runs each)`);
    console.log(`  ratio ${ratio.toFixed(2)}x (budget ${c.budget}x) ${ok ? 'PASS' : 'FAIL'}`);
    console.log(`  trace ${(bytes / 1e6).toFixed(1)} MB, ${events} events, ${(bytes / events).toFixed(0)} bytes/event`);
  }
} catch (err) {
  console.log(`FAIL: ${err.message}`);
  failed = true;
} finally {
  rmSync(work, { recursive: true, force: true });
}
if (failed) process.exitCode = 1;
