// The instrumenter on programs whose syntax its probes could break: each fixture runs untraced and
// under the tracer (real node processes, nodeLaunch's plan as the CLI uses it); the program must
// behave the same, and the trace must still have its tasks and call sites.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeLaunch } from '../../src/tracers/node/launch';
import { stripTypes } from '../../src/tracers/node/strip';
import { snapshotTracer } from './snapshot';
import { runProcess } from './fixtureRun';
import type { EndRecord, TaskRecord, TraceRecord, WarningRecord } from '../../src/trace/format';

const ROOT = join(__dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'node');

interface Run { code: number | null; stdout: string; stderr: string; records: TraceRecord[]; problems: number }

function run(name: string, traced: { distDir: string; cacheDir: string; tracePath: string } | null): Promise<Run> {
  const file = join(FIXTURES, name);
  let command = process.execPath, args = [file], env: NodeJS.ProcessEnv = process.env;
  if (traced) {
    const plan = nodeLaunch({ file, args: [], tracePath: traced.tracePath, distDir: traced.distDir, interpreter: process.execPath });
    command = plan.command; args = plan.args; env = { ...process.env, ...plan.env, AWAITLENS_CACHE_DIR: traced.cacheDir };
  }
  return runProcess(command, args, { cwd: FIXTURES, env, deadlineMs: 30_000, tracePath: traced ? traced.tracePath : null });
}

const of = <T extends TraceRecord['type']>(r: Run, type: T) => r.records.filter((x) => x.type === type) as Extract<TraceRecord, { type: T }>[];
const tasksNamed = (r: Run, name: string): TaskRecord[] => of(r, 'task').filter((t) => t.name === name);
const tracerWarnings = (r: Run): WarningRecord[] => of(r, 'warning').filter((w) => w.kind === 'tracer');
const outcome = (r: Run, task: TaskRecord): string | undefined => of(r, 'end').find((e: EndRecord) => e.task === task.task)?.outcome;
/** 1-based line and column of `fragment` (plus `offset`) in a fixture: where a call site must be. */
function where(name: string, fragment: string, offset = 0): { line: number; col: number } {
  const lines = readFileSync(join(FIXTURES, name), 'utf8').split('\n');
  const found = lines.map((l, i) => ({ i, col: l.indexOf(fragment) })).filter((x) => x.col >= 0);
  assert.equal(found.length, 1, `one line with "${fragment}" in ${name}`);
  return { line: found[0].i + 1, col: found[0].col + offset + 1 };
}
/** Lines of `name` that call `fn` with no arguments at the start of a statement. */
function statementCalls(name: string, fn: string): number[] {
  return readFileSync(join(FIXTURES, name), 'utf8').split('\n').flatMap((l, i) => (l.trim() === `${fn}()` ? [i + 1] : []));
}

describe('Node instrumentation keeps programs meaning what they meant', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'awaitlens-instrument-'));
  let tracer = { distDir: join(ROOT, 'dist'), cacheDir: '' };
  let runs = 0;
  const both = async (name: string): Promise<{ plain: Run; traced: Run }> => {
    const plain = await run(name, null);
    const traced = await run(name, { ...tracer, tracePath: join(dir, `${name}.${++runs}.trace.ndjson`) });
    assert.equal(traced.problems, 0, 'every trace line parses');
    assert.equal(traced.stdout, plain.stdout, `${name}: same output traced as untraced\n${traced.stderr}`);
    assert.equal(traced.code, plain.code, `${name}: same exit code traced as untraced\n${traced.stderr}`);
    return { plain, traced };
  };

  before(() => { tracer = snapshotTracer(ROOT, dir); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('asi.js: a statement starting with a probed call or await does not continue a line with no semicolon', async () => {
    const { traced } = await both('asi.js');
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, 'asi abcdpefpgh 18 number string string object object function function number u true\n');
    // The probes are still there: each call of ping() (no arguments) is its task's call site.
    const pings = tasksNamed(traced, 'ping');
    const lines = statementCalls('asi.js', 'ping');
    assert.equal(lines.length, 2);
    assert.deepEqual(pings.map((t) => t.site?.line), lines);
    for (const t of pings) assert.equal(t.site?.col, 3);
    assert.equal(tasksNamed(traced, 'tick').length, 8);
    const main = tasksNamed(traced, 'main');
    assert.equal(main.length, 1);
    assert.deepEqual([main[0].site?.line, main[0].site?.col], [statementCalls('asi.js', 'main')[0], 1]);
    assert.equal(outcome(traced, main[0]), 'returned');
  });

  it('empty_async.js: async functions with empty bodies (or only a directive) run and are tasks', async () => {
    const { traced } = await both('empty_async.js');
    assert.equal(traced.code, 0, traced.stderr);
    assert.equal(traced.stdout, 'undefined undefined undefined undefined done\n');
    for (const name of ['nothing', 'onlyDirective', 'Store.close', 'arrow', 'main']) {
      const found = tasksNamed(traced, name);
      assert.equal(found.length, 1, name);
      assert.equal(outcome(traced, found[0]), 'returned', name);
    }
  });

  it('chain.mjs: optional chains stay whole (a null short-circuits the rest of the chain)', async () => {
    const { traced } = await both('chain.mjs');
    assert.equal(traced.code, 0, traced.stderr);
    assert.deepEqual(traced.stdout.trim().split('\n'), [
      'undefined 1', 'undefined 2 2', 'undefined undefined 1', 'undefined 1', 'undefined 7',
      'undefined 2', 'undefined ran', 'undefined 1', 'undefined 1', 'true',
    ]);
    // A call that is a whole chain keeps its probe: `await obj?.run()` names its call site.
    const ran = tasksNamed(traced, 'run');
    assert.equal(ran.length, 1);
    const site = where('chain.mjs', 'obj?.run()', 'obj?.'.length);
    assert.deepEqual([ran[0].site?.line, ran[0].site?.col], [site.line, site.col]);
    assert.equal(ran[0].parent, tasksNamed(traced, 'main')[0].task);
  });

  for (const name of ['module_try.mjs', 'module_try.cjs']) {
    it(`${name}: top-level try/catch/finally with no top-level await runs (no probe needs a module task)`, async () => {
      const { traced } = await both(name);
      assert.equal(traced.code, 0, traced.stderr);
      assert.deepEqual(traced.stdout.trim().split('\n'), ['bad', 'fin', 'sync caught', 'sync fin', 'static caught', 'async caught']);
      const later = tasksNamed(traced, 'later');
      assert.equal(later.length, 1);
      assert.equal(outcome(traced, later[0]), 'returned');
      assert.deepEqual(tracerWarnings(traced), []);
    });
  }

  it('import_assert.mjs: syntax acorn cannot parse runs untraced, and the trace says so once (cached too)', async function () {
    const plain = await run('import_assert.mjs', null);
    if (plain.code !== 0) this.skip(); // a Node without import assertions (22+): nothing to trace
    for (let i = 0; i < 2; i++) { // the second run takes the file from the instrumentation cache
      const { traced } = await both('import_assert.mjs');
      assert.equal(traced.stdout, 'answer 42\n');
      const warnings = tracerWarnings(traced);
      assert.equal(warnings.length, 1, JSON.stringify(warnings));
      assert.ok(warnings[0].message.includes(join(FIXTURES, 'import_assert.mjs')), warnings[0].message);
      assert.match(warnings[0].message, /Unexpected token \(2:\d+\).*untraced/);
      assert.deepEqual(of(traced, 'task'), [], 'no probes, no tasks');
    }
  });

  for (const name of ['tostring.mjs', 'tostring.cjs']) {
    it(`${name}: fn.toString() is the source as written (no probes), so the text runs in a fresh vm context`, async () => {
      const { traced } = await both(name);
      assert.equal(traced.stdout, [
        'collect true', 'double true', 'plain true', 'Store true', 'load true', 'collected 1,2', 'in a fresh context 42', 'toString toString 0 true 0', '',
      ].join('\n'));
      assert.equal(tasksNamed(traced, 'collect').length, 1, 'the functions were instrumented');
    });
  }

  it('import_with.mjs: import attributes, which acorn parses, are traced with no warning', async () => {
    const { traced } = await both('import_with.mjs');
    assert.equal(traced.stdout, 'answer 42\n');
    assert.equal(tasksNamed(traced, 'main').length, 1);
    assert.deepEqual(tracerWarnings(traced), []);
  });
});

describe('TypeScript namespaces under the type stripper', function () {
  this.timeout(60_000);
  const strip = (source: string) => stripTypes(source, 'x.ts', false).code;

  it('a namespace that holds code is refused, naming its line; one of types, an ambient one, or the word in a comment or string is not', () => {
    assert.throws(() => strip('const a = 1;\nnamespace NS {\n  export const x = 1;\n}\nconsole.log(NS.x);\n'), /namespace NS holds code \(line 3\).*\(2:1\)$/);
    assert.throws(() => strip('export namespace A.B {\n  export function f() {}\n}\n'), /namespace A holds code/);
    assert.throws(() => strip('  module Old {\n    class K {}\n  }\n'), /namespace Old holds code \(line 2\).*\(1:3\)$/);
    assert.throws(() => strip('namespace One { export const x = 1; }\nconsole.log(One.x);\n'), /namespace One holds code \(line 1\).*\(1:1\)$/);
    const fine = [
      'namespace Types { export interface A { x: number } }\nconst t: Types.A = { x: 1 };\n',
      'export namespace More {\n  export type B = string;\n  export interface C { b: B }\n}\n',
      'declare namespace Ambient {\n  const y: number;\n}\n',
      '// namespace Commented {\n//   export const x = 1;\n// }\n',
      'const s = `namespace X {\n  export const y = 1;\n}`;\n',
      'declare module "lib" {\n  export const z: number;\n}\n',
    ];
    for (const source of fine) assert.doesNotThrow(() => strip(source), source);
  });

  it('namespace_code.ts: traced, the program stops with a SyntaxError naming the namespace and its line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'awaitlens-namespace-'));
    try {
      const tracer = snapshotTracer(ROOT, dir);
      const r = await run('namespace_code.ts', { ...tracer, tracePath: join(dir, 'ns.trace.ndjson') });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /SyntaxError: namespace Settings holds code \(line 7\).*\(TypeScript, \S*namespace_code\.ts:6:1\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
