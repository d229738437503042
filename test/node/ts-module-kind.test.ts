// TypeScript files run in the module system Node gives them, traced or not: a .ts with no package.json
// "type" is an ES module when its code (types stripped) has ES module syntax, as Node 22's own type
// stripping and syntax detection decide, else CommonJS (Node 20 and 18 cannot run .ts: the tracer
// applies the same rule). `./lib.js` names lib.ts when there is no lib.js (TypeScript's convention),
// for import and for require() alike. Each program runs traced under every Node at hand (the user's
// node, and Node 22 / 18 / 18.18 from the runtimes cache as in versions.test.ts) and, where that Node runs
// TypeScript itself, untraced too: both must print the same. The programs are written to a fresh
// folder with its own package.json (no "type"), so no folder above decides for them.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLaunch, nodeVersion } from '../../src/tracers/node/launch';
import { snapshotTracer } from './snapshot';
import { runProcess } from './fixtureRun';
import type { SuspendRecord, TraceRecord } from '../../src/trace/format';

const ROOT = join(__dirname, '..', '..');
const RUNTIMES = process.env.AWAITLENS_RUNTIMES || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens', 'runtimes');

// EXT is the extension the imports name: `.ts` (what Node runs untraced) and `.js` (TypeScript's
// convention, where only the .ts exists). Each program prints its name without that suffix.
const LIBRARIES: Record<string, string> = {
  'package.json': '{ "name": "ts-module-kind", "private": true }\n',
  'lib.ts': [
    'export const x: number = 1;',
    'export async function later(): Promise<number> {',
    '  await new Promise<void>((r) => setTimeout(r, 2));',
    '  return 2;',
    '}',
  ].join('\n') + '\n',
  'helper.ts': [
    'async function helper(): Promise<number> {',
    '  await new Promise<void>((r) => setTimeout(r, 2));',
    '  return 7;',
    '}',
    'module.exports = { helper };',
  ].join('\n') + '\n',
  'kinds.ts': "export type Kind = 'a' | 'b';\n",
};

const PROGRAMS: Record<string, { source: string; expected: string[] }> = {
  // import/export, no top-level await, no import.meta: an ES module (no require, `this` undefined)
  imports: {
    source: [
      "import { x, later } from './libEXT';",
      'const self: unknown = this;',
      "console.log('imports', x, typeof require, self === undefined);",
      "later().then((v: number) => console.log('later', v));",
    ].join('\n') + '\n',
    expected: ['imports 1 undefined true', 'later 2'],
  },
  // import/export only at the end
  exports: {
    source: [
      "console.log('exports', typeof require, typeof module);",
      'export {};',
    ].join('\n') + '\n',
    expected: ['exports undefined undefined'],
  },
  // require and an indented await inside a function: CommonJS
  required: {
    source: [
      "const fs = require('node:fs');",
      'const self: unknown = this;',
      'async function main(): Promise<void> {',
      '  await new Promise<void>((r) => setTimeout(r, 2));',
      "  console.log('required', typeof fs.readFileSync, typeof module, self === module.exports);",
      '}',
      'main();',
    ].join('\n') + '\n',
    expected: ['required function object true'],
  },
  // a type-only import goes with the types: CommonJS
  type_only: {
    source: [
      "import type { Kind } from './kindsEXT';",
      'const k: Kind | null = null;',
      "console.log('type_only', k, typeof require);",
    ].join('\n') + '\n',
    expected: ['type_only null function'],
  },
  // a top-level await and nothing else: an ES module
  tla: {
    source: [
      'const v: number = await Promise.resolve(3);',
      "console.log('tla', v, typeof require);",
    ].join('\n') + '\n',
    expected: ['tla 3 undefined'],
  },
  // an ES module importing a CommonJS .ts
  esm_to_cjs: {
    source: [
      "import h from './helperEXT';",
      'const v: number = await h.helper();',
      "console.log('esm_to_cjs', v, typeof require);",
    ].join('\n') + '\n',
    expected: ['esm_to_cjs 7 undefined'],
  },
  // CommonJS requiring a CommonJS .ts
  cjs_to_cjs: {
    source: [
      "const { helper } = require('./helperEXT');",
      'async function main(): Promise<void> {',
      "  console.log('cjs_to_cjs', await helper(), typeof module);",
      '}',
      'main();',
    ].join('\n') + '\n',
    expected: ['cjs_to_cjs 7 object'],
  },
};

interface Run { code: number | null; stdout: string; stderr: string; records: TraceRecord[] }

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, tracePath?: string): Promise<Run> {
  return runProcess(command, args, { cwd, env, deadlineMs: 60_000, tracePath });
}

const lines = (out: string): string[] => out.trim().split('\n').filter(Boolean);

const interpreters = [
  { label: `the user's node (${process.version})`, path: process.execPath },
  { label: 'Node 22 (runtimes cache)', path: join(RUNTIMES, 'node22', 'node_modules', 'node', 'bin', 'node') },
  { label: 'Node 18 (runtimes cache)', path: join(RUNTIMES, 'node18', 'node_modules', 'node', 'bin', 'node') },
  { label: 'Node 18.0-18.18 (runtimes cache)', path: join(RUNTIMES, 'node18.18', 'node_modules', 'node', 'bin', 'node') },
];

for (const interpreter of interpreters) {
  describe(`TypeScript module system and ./x.js specifiers under ${interpreter.label}`, function () {
    this.timeout(120_000);
    let dir = '';
    let native = false;
    const traced: Record<string, Run> = {};
    const untraced: Record<string, Run> = {};

    before(async function () {
      if (!existsSync(interpreter.path)) {
        // eslint-disable-next-line no-console
        console.log(`      skipped: no ${interpreter.path} (see versions.test.ts for how to install it)`);
        this.skip();
      }
      assert.ok(nodeVersion(interpreter.path), `${interpreter.path} answers --version`);
      native = spawnSync(interpreter.path, ['-p', 'Boolean(process.features.typescript)'], { encoding: 'utf8' }).stdout.trim() === 'true';
      dir = mkdtempSync(join(tmpdir(), 'awaitlens-ts-kind-'));
      const work = join(dir, 'program');
      mkdirSync(work);
      for (const [name, text] of Object.entries(LIBRARIES)) writeFileSync(join(work, name), text);
      for (const [name, p] of Object.entries(PROGRAMS)) {
        writeFileSync(join(work, `${name}.ts`), p.source.replaceAll('EXT', '.ts'));
        if (p.source.includes('EXT')) writeFileSync(join(work, `${name}_js.ts`), p.source.replaceAll('EXT', '.js'));
      }
      const tracer = snapshotTracer(ROOT, dir);
      const jobs: Promise<void>[] = [];
      for (const [name, p] of Object.entries(PROGRAMS)) {
        for (const file of p.source.includes('EXT') ? [`${name}.ts`, `${name}_js.ts`] : [`${name}.ts`]) {
          const tracePath = join(dir, `${file}.trace.ndjson`);
          const plan = nodeLaunch({ file: join(work, file), args: [], tracePath, distDir: tracer.distDir, interpreter: interpreter.path });
          const env = { ...process.env, ...plan.env, AWAITLENS_CACHE_DIR: tracer.cacheDir };
          jobs.push(run(plan.command, plan.args, work, env, tracePath).then((r) => { traced[file] = r; }));
        }
        if (native) jobs.push(run(interpreter.path, [join(work, `${name}.ts`)], work, process.env).then((r) => { untraced[name] = r; }));
      }
      await Promise.all(jobs);
    });
    after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

    for (const [name, p] of Object.entries(PROGRAMS)) {
      const files = p.source.includes('EXT') ? [`${name}.ts`, `${name}_js.ts`] : [`${name}.ts`];
      it(`${name}: traced, it prints ${JSON.stringify(p.expected)}${files.length > 1 ? ' (with ./x.ts and ./x.js specifiers)' : ''}, as Node does untraced where it runs .ts`, () => {
        for (const file of files) {
          const r = traced[file];
          assert.equal(r.code, 0, `${file} traced: ${r.stderr}`);
          assert.deepEqual(lines(r.stdout), p.expected, `${file} traced (stderr: ${r.stderr})`);
          assert.equal(r.records[r.records.length - 1]?.type, 'exit', `${file}: the trace is whole`);
        }
        if (native) {
          const r = untraced[name];
          assert.equal(r.code, 0, `${name}.ts untraced: ${r.stderr}`);
          assert.deepEqual(lines(r.stdout), lines(traced[`${name}.ts`].stdout), `${name}.ts untraced and traced print the same`);
        }
      });
    }

    it('the awaits of the imported and required .ts files are traced where they are', () => {
      for (const [file, site] of [['imports.ts', 'lib.ts:3'], ['imports_js.ts', 'lib.ts:3'], ['esm_to_cjs_js.ts', 'helper.ts:2'], ['cjs_to_cjs_js.ts', 'helper.ts:2']]) {
        const suspends = traced[file].records.filter((r) => r.type === 'suspend') as SuspendRecord[];
        const sites = suspends.map((s) => s.site && `${s.site.file.slice(s.site.file.lastIndexOf('/') + 1)}:${s.site.line}`);
        assert.ok(sites.includes(site), `${file}: a suspension at ${site}, got ${sites.join(', ')}`);
      }
    });
  });
}
