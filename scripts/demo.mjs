#!/usr/bin/env node
// `npm run demo`: traces every example program (examples/python, examples/node) with the
// built CLI, printing each program's output and its summary (a few run at once; printed in order). Traces go to
// examples/<runtime>/.awaitlens/<file>.trace.ndjson (overwritten each run) so they can be
// reopened with `node dist/cli.js summary TRACE` or viewed in VS Code.
// Exits non-zero when a trace could not be written; a program that exits non-zero on purpose
// (an example of an unhandled exception) is reported but not a failure.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
process.chdir(root);
const cli = join(root, 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.log('> node esbuild.mjs (dist/cli.js is missing)');
  spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
}
if (!existsSync(cli)) {
  console.error('demo: dist/cli.js could not be built');
  process.exit(1);
}

const PROGRAM = /\.(py|js|mjs|cjs|ts|mts|cts)$/;
/** Per program: a hung example must not hang CI. */
const TIMEOUT_MS = 60_000;

const programs = [];
for (const dir of ['examples/python', 'examples/node']) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    // Helper modules imported by examples start with "_" and are not run on their own.
    if (PROGRAM.test(name) && !name.startsWith('_') && statSync(full).isFile()) programs.push(full);
  }
}
if (!programs.length) {
  console.error('demo: no example programs found under examples/python or examples/node');
  process.exit(1);
}

/** The examples mostly sleep (the tutorials wait seconds), so run a few at once; print in order. */
const CONCURRENCY = 3;

function traceOne(program) {
  // Keep the extension: 001d_gather.mjs and 001d_gather.ts must not share (and race for) one trace.
  const out = join(program, '..', '.awaitlens', `${program.split('/').pop()}.trace.ndjson`);
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn(process.execPath, [cli, 'trace', program, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let events = 0;
      let written = false;
      if (existsSync(out) && statSync(out).mtimeMs >= started - 1000) {
        const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
        written = lines.length > 0 && lines[0].includes('"awaitlens"');
        events = lines.length;
      }
      done({ program, text, code: timedOut ? 'timeout' : code ?? signal, written, events, ms: Date.now() - started });
    });
  });
}

const pending = programs.map(() => null);
let next = 0;
let printed = 0;
const results = [];
function printReady() {
  while (printed < programs.length && pending[printed]) {
    const r = pending[printed++];
    console.log(`\n${'='.repeat(78)}\n$ awaitlens trace ${r.program}\n${'='.repeat(78)}`);
    process.stdout.write(r.text);
    results.push(r);
  }
}
async function worker() {
  while (next < programs.length) {
    const index = next++;
    pending[index] = await traceOne(programs[index]);
    printReady();
  }
}
await Promise.all(Array.from({ length: Math.min(CONCURRENCY, programs.length) }, worker));

console.log(`\n${'='.repeat(78)}\nDemo: ${programs.length} programs traced`);
for (const r of results) {
  const status = r.written ? `trace ${r.events} events` : 'NO TRACE WRITTEN';
  console.log(`  ${r.written ? 'ok  ' : 'FAIL'}  ${relative(root, r.program).padEnd(44)} exit ${String(r.code).padEnd(7)} ${status}  (${(r.ms / 1000).toFixed(1)} s)`);
}
const failed = results.filter((r) => !r.written);
if (failed.length) {
  console.error(`\ndemo: ${failed.length} program(s) produced no trace`);
  process.exit(1);
}
console.log('\nReopen any of them: node dist/cli.js summary examples/<runtime>/.awaitlens/<file>.trace.ndjson');
