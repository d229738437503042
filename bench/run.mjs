#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.mjs in turn. Each prints its own ratios measured
// side by side in one run (traced/untraced, ours/baseline) and its budget verdicts.
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const dir = import.meta.dirname;
const only = process.argv[2];
execFileSync('node', [join(dir, '..', 'esbuild.mjs')], { stdio: 'inherit' });
let failed = 0;
for (const name of readdirSync(dir).filter((n) => n.endsWith('.bench.mjs')).sort()) {
  if (only && !name.includes(only)) continue;
  console.log(`\n=== ${name}`);
  try {
    execFileSync('node', [join(dir, name)], { stdio: 'inherit' });
  } catch {
    failed++;
  }
}
if (failed) { console.log(`\n${failed} benchmark(s) over budget or failed`); process.exitCode = 1; }
