#!/usr/bin/env node
// Python tracer overhead: traced/untraced wall-time ratios measured side by side (interleaved
// runs, median of several), plus trace size. Budgets (issue 2): scheduler storm <= 2.0x,
// loopback TCP echo <= 1.2x. Prints PASS/FAIL per budget; exits 1 on any FAIL.
//   node bench/python.bench.mjs          (AWAITLENS_PYTHON=/path/to/python to pick the interpreter)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const tracer = join(root, 'dist', 'tracers', 'python', 'awaitlens_tracer.py');
const programs = join(root, 'test', 'fixtures', 'python', 'bench');
const python = process.env.AWAITLENS_PYTHON || 'python3';
const REPS = Number(process.env.AWAITLENS_BENCH_REPS || 7);
const dir = mkdtempSync(join(tmpdir(), 'awaitlens-bench-'));

const benches = [
  { name: 'scheduler storm (2,000 tasks x 50 sleep(0))', file: 'storm.py', args: ['2000', '50'], budget: 2.0 },
  { name: 'loopback TCP echo (200 clients x 50 round trips)', file: 'echo.py', args: ['200', '50'], budget: 1.2 },
];

function run(cmd, args) {
  const start = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - start;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

const version = spawnSync(python, ['-c', 'import sys; print(sys.version.split()[0])'], { encoding: 'utf8' }).stdout.trim();
console.log(`python ${version} (${python}), ${REPS} interleaved runs each, median`);
let failed = 0;
for (const b of benches) {
  const file = join(programs, b.file);
  const trace = join(dir, b.file + '.ndjson');
  const plain = [];
  const traced = [];
  run(python, [file, ...b.args]); // warm the file cache and .pyc
  for (let i = 0; i < REPS; i++) {
    plain.push(run(python, [file, ...b.args]));
    traced.push(run(python, [tracer, '--out', trace, '--', file, ...b.args]));
  }
  const ratio = median(traced) / median(plain);
  const bytes = statSync(trace).size;
  const events = readFileSync(trace, 'utf8').split('\n').filter(Boolean).length;
  const ok = ratio <= b.budget;
  if (!ok) failed++;
  console.log(`${b.name}`);
  console.log(`  untraced ${median(plain).toFixed(0)} ms, traced ${median(traced).toFixed(0)} ms, ratio ${ratio.toFixed(2)}x (budget ${b.budget}x) ${ok ? 'PASS' : 'FAIL'}`);
  console.log(`  trace ${(bytes / 1e6).toFixed(1)} MB, ${events} events, ${(bytes / events).toFixed(0)} bytes/event`);
}
rmSync(dir, { recursive: true, force: true });
if (failed) process.exitCode = 1;
