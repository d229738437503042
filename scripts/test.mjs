#!/usr/bin/env node
// `npm test`: builds, type-checks, prepares what the browser and VS Code suites need
// (Debian's chromium, code-server: installed when missing, reused when present),
// then runs every mocha suite under test/ in one process and prints one closing line.
//   npm test                      everything
//   npm test -- test/python       only files under that path
//   npm test -- --grep gather     only tests whose title matches
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = join(import.meta.dirname, '..');
process.chdir(root);

const args = process.argv.slice(2);
let grep;
const paths = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--grep' || args[i] === '-g') grep = args[++i];
  else paths.push(args[i].replace(/\/$/, ''));
}

function run(cmd, cmdArgs) {
  console.log(`\n> ${cmd} ${cmdArgs.join(' ')}`);
  execFileSync(cmd, cmdArgs, { stdio: 'inherit' });
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name === 'fixtures' || name === 'node_modules') continue;
    if (statSync(full).isDirectory()) out.push(...findTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

let files = findTests('test').map((f) => relative(root, f)).sort();
if (paths.length) files = files.filter((f) => paths.some((p) => f === p || f.startsWith(p + sep)));

run('node', ['esbuild.mjs']);
run('npx', ['tsc', '-p', '.', '--noEmit']);

// Suites declare what they need by folder: test/webview needs chromium, test/e2e code-server too.
const needs = (folder) => files.some((f) => f.startsWith(join('test', folder) + sep));
if (needs('webview') || needs('e2e')) run('bash', ['scripts/ensure-chromium.sh']);
if (needs('node')) run('node', ['scripts/ensure-node22.mjs']);
if (needs('e2e') && existsSync('scripts/ensure-code-server.mjs')) run('node', ['scripts/ensure-code-server.mjs']);

require('tsx/cjs/api').register();
const Mocha = require('mocha');
const mocha = new Mocha({ timeout: 60_000, reporter: 'spec', grep });
for (const f of files) mocha.addFile(join(root, f));
console.log(`\nrunning ${files.length} test files`);
mocha.run((failures) => {
  process.exitCode = failures ? 1 : 0;
}).on('end', function () {
  const s = this.stats;
  console.log(`\n${s.passes} passed, ${s.failures} failed${s.pending ? `, ${s.pending} skipped` : ''}`);
  if (s.passes + s.failures === 0) { console.log('no test ran'); process.exitCode = 1; }
});
