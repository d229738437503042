// Hovers follow the lines through unsaved edits: a line added above the awaits moves their
// hovers down with them, never leaving "Suspended once here" on the line above the await. A REAL
// trace of test/extension/programs/hover_gather.py, then edits as VS Code reports them.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceFile } from '../../src/runner/load';
import { shiftLine, TraceStore } from '../../src/extension/traceStore';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'programs', 'hover_gather.py');
const text = readFileSync(program, 'utf8');
const lines = text.split('\n');
const lineOf = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;

describe('hovers stay on their await lines while the file is edited', () => {
  let dir: string;
  let store: TraceStore;
  const sleepLine = lineOf('await asyncio.sleep(delay)');
  const gatherLine = lineOf('await asyncio.gather(');

  beforeEach(function () {
    this.timeout(60_000);
    if (!dir) {
      dir = mkdtempSync(join(tmpdir(), 'awaitlens-shift-'));
      execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', program, '--out', join(dir, 't.ndjson'), '--no-summary'], { stdio: 'pipe' });
    }
    const parsed = readTraceFile(join(dir, 't.ndjson'));
    store = new TraceStore();
    store.set(join(dir, 't.ndjson'), parsed.records, parsed.problems, program);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a line added above the awaits: the hovers move down with them', () => {
    assert.ok(store.siteAt(program, sleepLine));
    // Enter at the end of line 1: a new empty line 2.
    const edited = [lines[0], '', ...lines.slice(1)].join('\n');
    store.documentChanged(program, edited, [{ startLine: 0, startCol: lines[0].length, endLine: 0, endCol: lines[0].length, text: '\n' }]);
    assert.equal(store.siteAt(program, sleepLine), undefined, `line ${sleepLine} is not the await any more`);
    assert.equal(store.siteAt(program, sleepLine + 1)?.stats.site.line, sleepLine, 'the sleep await, one line down');
    assert.equal(store.siteAt(program, gatherLine + 1)?.stats.site.line, gatherLine);
    const trace = store.all()[0];
    assert.equal(store.currentLine(trace, program, sleepLine), sleepLine + 1);
    // Undo: back where they were.
    store.documentChanged(program, text, [{ startLine: 0, startCol: lines[0].length, endLine: 1, endCol: 0, text: '' }]);
    assert.equal(store.siteAt(program, sleepLine)?.stats.site.line, sleepLine);
  });

  it('the await line deleted: no hover anywhere for it; typing on it keeps it', () => {
    const at = sleepLine - 1;
    store.documentChanged(program, 'changed', [{ startLine: at, startCol: 0, endLine: at + 1, endCol: 0, text: '' }]);
    assert.equal(store.siteAt(program, sleepLine), undefined, 'the line that moved up into its place is not the sleep');
    assert.equal(store.siteAt(program, sleepLine - 1)?.stats.site.line, undefined);
    assert.equal(store.siteAt(program, gatherLine - 1)?.stats.site.line, gatherLine, 'the gather, one line up');
    assert.equal(shiftLine(4, { startLine: 4, startCol: 30, endLine: 4, endCol: 30, text: 'x' }, 4), 4);
    assert.equal(shiftLine(4, { startLine: 4, startCol: 0, endLine: 4, endCol: 0, text: '\n\n' }, 4), 6);
    assert.equal(shiftLine(4, { startLine: 4, startCol: 20, endLine: 4, endCol: 20, text: '\n' }, 4), 4);
    assert.equal(shiftLine(4, { startLine: 4, startCol: 6, endLine: 4, endCol: 6, text: '\n' }, 4), null);
  });
});
