// Trace warnings as Problems-panel marks, from a REAL trace: the built CLI traces a program that
// blocks the loop three times from one line and leaves a coroutine un-awaited.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraceModel } from '../../src/runner/load';
import { warningMarks, type WarningMark } from '../../src/extension/warningMarks';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'programs', 'blocking_loop.py');
const lineOf = (text: string) => readFileSync(program, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

describe('trace warnings as marks on source lines (real Python trace)', () => {
  let dir: string;
  let marks: WarningMark[];

  before(function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-warn-'));
    const tracePath = join(dir, 'blocking.ndjson');
    execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', program, '--out', tracePath, '--blocking-ms', '100', '--no-summary'], { stdio: 'pipe' });
    marks = warningMarks(loadTraceModel(tracePath).model);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('one mark for the blocking line, saying how often and how long at worst', () => {
    const blocking = marks.filter((m) => m.kind === 'blocking');
    assert.equal(blocking.length, 1, JSON.stringify(marks, null, 1));
    const [mark] = blocking;
    assert.equal(mark.file, program);
    assert.equal(mark.line, lineOf('time.sleep(0.15)'));
    assert.equal(mark.count, 3);
    assert.match(mark.message, /3 times, longest \d+(\.\d+)? ms/);
    assert.match(mark.message, /threshold 100 ms/);
  });

  it('marks the coroutine that was never awaited', () => {
    const never = marks.filter((m) => m.kind === 'never-awaited');
    assert.equal(never.length, 1, JSON.stringify(marks, null, 1));
    assert.equal(never[0].file, program);
    assert.match(never[0].message, /save/);
    assert.ok(never[0].line > 0);
  });

  it('lists marks by file and line, each with a column and plain one-line text', () => {
    for (let i = 1; i < marks.length; i++) {
      assert.ok(marks[i - 1].file < marks[i].file || (marks[i - 1].file === marks[i].file && marks[i - 1].line <= marks[i].line));
    }
    for (const m of marks) {
      assert.ok(m.col >= 1);
      assert.ok(!/\n/.test(m.message));
    }
  });
});
