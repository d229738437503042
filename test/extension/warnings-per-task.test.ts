// Problems entries must say true things: two tasks that each blocked the loop once at the same
// line are not "Task-2 held the event loop (2 times)". A REAL trace (the built CLI runs the
// Python tracer), then the same warnings copied over to many tasks.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadTraceModel } from '../../src/runner/load';
import { warningMarks } from '../../src/extension/warningMarks';
import type { TraceModel } from '../../src/model/types';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'programs', 'blocking_two_tasks.py');
const blockingLine = readFileSync(program, 'utf8').split('\n').findIndex((l) => l.includes('time.sleep(0.15)')) + 1;

describe('trace warnings of several tasks at one line', () => {
  let dir: string;
  let model: TraceModel;

  before(function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-warn-tasks-'));
    const tracePath = join(dir, 'two.ndjson');
    execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', program, '--out', tracePath, '--blocking-ms', '100', '--no-summary'], { stdio: 'pipe' });
    model = loadTraceModel(tracePath).model;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('two tasks that each blocked once: one entry per task, each naming its own task, neither "2 times"', () => {
    const blocking = model.warnings.filter((w) => w.kind === 'blocking' && w.site?.line === blockingLine);
    assert.equal(blocking.length, 2, `the trace has a blocking warning per task: ${JSON.stringify(model.warnings)}`);
    const tasks = blocking.map((w) => w.task);
    assert.notEqual(tasks[0], tasks[1]);
    const marks = warningMarks(model).filter((m) => m.kind === 'blocking' && m.line === blockingLine);
    assert.equal(marks.length, 2, JSON.stringify(marks, null, 1));
    for (const w of blocking) {
      const name = model.taskById.get(w.task!)!.name;
      const mine = marks.filter((m) => m.message.startsWith(`${name} `));
      assert.equal(mine.length, 1, `one entry for ${name}: ${marks.map((m) => m.message).join(' | ')}`);
      assert.equal(mine[0].count, 1);
      assert.ok(!/times/.test(mine[0].message), mine[0].message);
    }
  });

  it('many tasks at one line: one entry saying how many, naming a few, how often in all', () => {
    const [w] = model.warnings.filter((x) => x.kind === 'blocking' && x.site?.line === blockingLine);
    const ids = [...model.taskById.keys()];
    // Six warnings from six "tasks" (ids of the model's tasks, repeated past them: names fall back).
    const many = Array.from({ length: 6 }, (_, i) => ({ ...w, task: ids[i] ?? 1000 + i, message: `task ${i} held the event loop for 150 ms` }));
    const marks = warningMarks({ ...model, warnings: many } as TraceModel);
    assert.equal(marks.length, 1, JSON.stringify(marks, null, 1));
    assert.match(marks[0].message, /^6 tasks here blocked the event loop: .+, .+, .+ and 3 more \(6 times, longest /);
    assert.equal(marks[0].count, 6);
  });
});
