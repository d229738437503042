// Trace warnings as Problems-panel marks, from a REAL trace: the built CLI traces a program that
// blocks the loop three times from one line and leaves a coroutine un-awaited.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraceModel, readTraceFile } from '../../src/runner/load';
import { TraceStore } from '../../src/extension/traceStore';
import { normalizeFile } from '../../src/extension/siteIndex';
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

describe('Problems entries follow their lines through edits (real Python trace)', () => {
  let dir: string;
  let store: TraceStore;
  const text = readFileSync(program, 'utf8');
  const lines = text.split('\n');
  const sleepLine = lineOf('time.sleep(0.15)');
  const placed = () => store.placedMarks().get(normalizeFile(program)) ?? [];
  const blockingAt = () => placed().filter((p) => p.mark.kind === 'blocking').map((p) => [p.line, p.edited]);

  before(function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-warn-edit-'));
    const tracePath = join(dir, 'blocking.ndjson');
    execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', program, '--out', tracePath, '--blocking-ms', '100', '--no-summary'], { stdio: 'pipe' });
    const parsed = readTraceFile(tracePath);
    store = new TraceStore();
    store.set(tracePath, parsed.records, parsed.problems, program);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a line added above moves the blocking entry down, marked as traced before the edit; undo puts it back', () => {
    assert.deepEqual(blockingAt(), [[sleepLine, false]]);
    assert.ok(store.hasMarksIn(program));
    const edited = [lines[0], '', ...lines.slice(1)].join('\n');
    store.documentChanged(program, edited, [{ startLine: 0, startCol: lines[0].length, endLine: 0, endCol: lines[0].length, text: '\n' }]);
    assert.deepEqual(blockingAt(), [[sleepLine + 1, true]]);
    assert.equal(placed().length, 2, 'the never-awaited entry moved too');
    store.documentChanged(program, text, [{ startLine: 0, startCol: lines[0].length, endLine: 1, endCol: 0, text: '' }]);
    assert.deepEqual(blockingAt(), [[sleepLine, false]]);
  });

  it('the blocking line deleted: its entry goes, the others stay', () => {
    const at = sleepLine - 1;
    store.documentChanged(program, lines.filter((_, i) => i !== at).join('\n'), [{ startLine: at, startCol: 0, endLine: at + 1, endCol: 0, text: '' }]);
    assert.deepEqual(blockingAt(), []);
    assert.deepEqual(placed().map((p) => p.mark.kind), ['never-awaited']);
  });
});
