// What the extension says when a traced program fails: the error line and the place in the
// program, read from the stderr of REAL failing runs under the tracers (Python syntax and runtime
// errors, a TaskGroup's exception group, Node.js and TypeScript errors), and program text kept
// from turning into links in the notification.
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrace } from '../../src/runner/run';
import { launchers } from '../../src/runner/launchers';
import { plainForNotification, programError } from '../../src/extension/programError';

const root = join(__dirname, '..', '..');

const PROGRAMS: Record<string, string> = {
  'syntax.py': 'import asyncio\n\nasync def main(:\n    await asyncio.sleep(0.01)\n\nasyncio.run(main())\n',
  'raises.py': [
    'import asyncio', '', '', 'async def work():', '    await asyncio.sleep(0.01)',
    '    raise ValueError("bad value [see](command:workbench.action.quit)")', '', '',
    'async def main():', '    await asyncio.gather(work())', '', '', 'asyncio.run(main())', '',
  ].join('\n'),
  'group.py': [
    'import asyncio', '', '', 'async def work():', '    await asyncio.sleep(0.01)', '    raise KeyError("missing")', '', '',
    'async def main():', '    async with asyncio.TaskGroup() as tg:', '        tg.create_task(work())', '', '', 'asyncio.run(main())', '',
  ].join('\n'),
  'raises.mjs': 'async function work() {\n  await new Promise((r) => setTimeout(r, 10));\n  throw new TypeError("not a function");\n}\nawait work();\n',
  'syntax.ts': 'const x: number = 1;\nasync function f(a: number {\n  return a + x;\n}\n',
  'exits.cjs': 'setTimeout(() => process.exit(3), 10);\n',
};

describe('extension: the error of a program that failed under the tracer', function () {
  this.timeout(60_000);
  let dir: string;
  const results = new Map<string, { code: number | null; stderr: string; file: string }>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-failing-'));
    await Promise.all(Object.entries(PROGRAMS).map(async ([name, source]) => {
      const file = join(dir, name);
      writeFileSync(file, source);
      let stderr = '';
      const run = await startTrace({
        file, tracePath: join(dir, `${name}.ndjson`), distDir: join(root, 'dist'), launchers, cwd: dir, stdin: 'eof',
        output: { onStdout: () => {}, onStderr: (t) => { stderr += t; } },
      });
      results.set(name, { code: (await run.done).code, stderr, file });
    }));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const lineOf = (name: string, text: string) => PROGRAMS[name].split('\n').findIndex((l) => l.includes(text)) + 1;

  function errorOf(name: string) {
    const r = results.get(name)!;
    assert.notEqual(r.code, 0, `${name} failed`);
    return { ...programError(r.stderr, r.file), file: programError(r.stderr, r.file)?.file, r };
  }

  it('Python syntax error: the error and its line', () => {
    const e = errorOf('syntax.py');
    assert.match(e.message ?? '', /^SyntaxError\b/, e.r.stderr);
    assert.equal(e.file, e.r.file);
    assert.equal(e.line, lineOf('syntax.py', 'async def main(:'));
  });

  it('Python exception in a task: the innermost line of the program, not asyncio internals', () => {
    const e = errorOf('raises.py');
    assert.match(e.message ?? '', /^ValueError: bad value/, e.r.stderr);
    assert.equal(e.file, e.r.file);
    assert.equal(e.line, lineOf('raises.py', 'raise ValueError'));
  });

  it("Python TaskGroup: the sub-exception of the exception group", () => {
    const e = errorOf('group.py');
    assert.match(e.message ?? '', /^KeyError: 'missing'/, e.r.stderr);
    assert.equal(e.line, lineOf('group.py', 'raise KeyError'));
  });

  it('Node.js: the thrown error and where it was thrown (line and column)', () => {
    const e = errorOf('raises.mjs');
    assert.match(e.message ?? '', /^TypeError: not a function/, e.r.stderr);
    assert.equal(e.file, e.r.file);
    assert.equal(e.line, lineOf('raises.mjs', 'throw new TypeError'));
    // V8 places it where the error object was made.
    assert.equal(e.col, PROGRAMS['raises.mjs'].split('\n')[e.line! - 1].indexOf('new TypeError') + 1);
  });

  it('TypeScript syntax error reported by the loader: the error and its place', () => {
    const e = errorOf('syntax.ts');
    assert.match(e.message ?? '', /SyntaxError/, e.r.stderr);
    assert.equal(e.file, e.r.file);
    assert.equal(e.line, lineOf('syntax.ts', 'async function f'));
  });

  it('a program that just exits with a code has no error to report', () => {
    const r = results.get('exits.cjs')!;
    assert.equal(r.code, 3);
    assert.equal(programError(r.stderr, r.file), undefined, r.stderr);
  });

  it("program text cannot become a link in the notification", () => {
    const e = errorOf('raises.py');
    const shown = plainForNotification(e.message!);
    assert.ok(!/\]\(/.test(shown), shown);
    assert.ok(shown.includes('command:workbench.action.quit'), 'the words are kept');
    assert.ok(plainForNotification('x'.repeat(1000)).length <= 300);
  });
});
