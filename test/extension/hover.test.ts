// Hover and annotation text computed from a REAL trace: the built CLI runs the Python tracer on
// a small gather program once, then the extension's pure modules (trace store, site index,
// hover text) are asked what they would show at its await lines.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTraceFile } from '../../src/runner/load';
import { formatDuration } from '../../src/model/format-time';
import { annotationText, hoverMarkdown, LIVE_NOTICE, STALE_NOTICE, type ShowInTimelineArgs } from '../../src/extension/hoverText';
import { ModelBuilder } from '../../src/model/build';
import { TraceStore } from '../../src/extension/traceStore';
import { COMMANDS } from '../../src/extension/ids';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'programs', 'hover_gather.py');
const lines = readFileSync(program, 'utf8').split('\n');
const lineOf = (text: string) => lines.findIndex((l) => l.includes(text)) + 1;

describe('hover and annotation text on a real Python trace', () => {
  let dir: string;
  let tracePath: string;
  let store: TraceStore;
  const sleepLine = lineOf('await asyncio.sleep(delay)');
  const gatherLine = lineOf('await asyncio.gather(');

  before(function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-hover-'));
    tracePath = join(dir, 'hover_gather.ndjson');
    execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', program, '--out', tracePath, '--no-summary'], { stdio: 'pipe' });
    const parsed = readTraceFile(tracePath);
    store = new TraceStore();
    store.set(tracePath, parsed.records, parsed.problems, program);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('finds the sleep await with the four workers that suspended there', () => {
    const found = store.siteAt(program, sleepLine);
    assert.ok(found, `no await site at line ${sleepLine}`);
    const { stats } = found;
    assert.equal(stats.count, 4, 'a, b, c and the odd task each slept once');
    assert.equal(stats.tasks.length, 4);
    // The sleeps were 0.1, 0.15, 0.2 and 0.3 s: generous bounds, the point is the units and the order.
    assert.ok(stats.max >= 0.28e9 && stats.max < 2e9, `longest ${formatDuration(stats.max)}`);
    assert.ok(stats.total >= 0.7e9 && stats.total < 4e9, `total ${formatDuration(stats.total)}`);
    assert.ok(stats.mean > stats.total / 4 - 1 && stats.mean < stats.total / 4 + 1);
    assert.equal(store.siteAt(program, sleepLine + 1), undefined, 'no hover on the print after the await');
  });

  it('hover says times suspended, total / mean / longest, what it waited on, who ran meanwhile, and links to the timeline', () => {
    const { trace, stats } = store.siteAt(program, sleepLine)!;
    const md = hoverMarkdown(trace.model, stats, { showInTimelineCommand: COMMANDS.showInTimeline, tracePath });
    assert.match(md, /4 times/);
    for (const figure of [stats.total, stats.mean, stats.max]) {
      // Figures are escaped Markdown: "1.02 s" is written "1\.02 s".
      assert.ok(md.includes(formatDuration(figure).replace(/\./g, '\\.')), `hover shows ${formatDuration(figure)}:\n${md}`);
    }
    assert.match(md, /total .* · mean .* · longest /);
    assert.match(md, /Waited on:.*sleep/i);
    assert.match(md, /Ran meanwhile:/);
    // While one worker slept the others ran (their first steps and their wake-ups); main did not:
    // it was itself suspended at the gather the whole time.
    const ranLine = md.split('\n').find((l) => l.includes('Ran meanwhile:'))!;
    assert.ok(stats.ranMeanwhile.length >= 2, 'other workers ran while one slept');
    assert.ok(stats.ranMeanwhile.every((id) => trace.model.taskById.get(id)?.coro === 'worker'), 'only workers ran meanwhile');
    // Markdown-escaped: "(worker)" is written "\(worker\)".
    assert.ok((ranLine.match(/\\\(worker\\\)/g) ?? []).length >= 2, ranLine);
    assert.ok(!ranLine.includes('main'), ranLine);

    const link = /\[Show in timeline\]\(command:awaitLens\.showInTimeline\?([^ )]+)/.exec(md);
    assert.ok(link, 'the hover links to the timeline');
    const [args] = JSON.parse(decodeURIComponent(link[1])) as [ShowInTimelineArgs];
    assert.equal(args.key, stats.key);
    assert.equal(args.tracePath, tracePath);
  });

  it('escapes program-provided names: a task named like a command link shows as text', () => {
    const { trace, stats } = store.siteAt(program, sleepLine)!;
    const md = hoverMarkdown(trace.model, stats, { showInTimelineCommand: COMMANDS.showInTimeline, tracePath });
    assert.ok(md.includes('\\[click\\]\\(command:workbench\\.action\\.quit\\)'), `name escaped:\n${md}`);
    assert.ok(!md.includes('[click](command:'), 'no live link made from the task name');
    assert.ok(!md.includes('<b>'), 'no HTML from the task name');
    // The only link is ours.
    assert.equal(md.match(/\]\(command:/g)?.length, 1);
  });

  it('the gather await: suspended once, waited on the three workers', () => {
    const { trace, stats } = store.siteAt(program, gatherLine)!;
    assert.equal(stats.count, 1);
    const md = hoverMarkdown(trace.model, stats);
    assert.match(md, /once/);
    assert.ok(md.includes(formatDuration(stats.total).replace(/\./g, '\\.')));
    assert.ok(stats.total >= 0.28e9, 'gather lasts as long as the longest sleep');
    assert.equal(stats.awaiting[0].kind, 'tasks');
    assert.match(md, /Waited on:.*gather/);
    // The three gathered workers are what woke it (or ran while it waited).
    const workers = new Set(trace.model.tasks.filter((t) => t.coro === 'worker' && t.parent !== null).map((t) => t.id));
    assert.ok(stats.ranMeanwhile.filter((id) => workers.has(id)).length >= 3, 'the workers ran while main waited at gather');
    assert.ok(!/\]\(command:/.test(md), 'no link unless asked for');
  });

  it('annotations: count and mean for repeated awaits, the one duration for a single one', () => {
    const sleep = store.siteAt(program, sleepLine)!.stats;
    assert.equal(annotationText(sleep).split(' · ')[0], '‖ 4×');
    assert.ok(annotationText(sleep).includes(`mean ${formatDuration(sleep.mean)}`));
    const gather = store.siteAt(program, gatherLine)!.stats;
    assert.equal(annotationText(gather), `‖ 1× · ${formatDuration(gather.total)}`);
    const traced = store.forFile(program)!.index.linesOf(program).map((s) => s.site.line).sort((a, b) => a - b);
    assert.ok(traced.includes(sleepLine) && traced.includes(gatherLine), `annotated lines ${traced}`);
  });

  it('after an edit the hover says the trace is stale; undoing the edit makes it fresh again', () => {
    const local = new TraceStore();
    const parsed = readTraceFile(tracePath);
    const trace = local.set(tracePath, parsed.records, parsed.problems, program);
    let changes = 0;
    local.onChange(() => changes++);
    assert.equal(local.isStale(trace, program), false, 'the file has not changed since it was traced');
    assert.equal(local.documentChanged(join(dir, 'unrelated.py'), 'x'), false, 'a file the trace does not cover changes nothing');
    const original = readFileSync(program, 'utf8');
    assert.equal(local.documentChanged(program, `# a new first line\n${original}`), true);
    assert.equal(local.isStale(trace, program), true);
    assert.equal(changes, 1);
    const { stats } = local.siteAt(program, sleepLine)!;
    assert.ok(hoverMarkdown(trace.model, stats, { stale: local.isStale(trace, program) }).startsWith(STALE_NOTICE));
    assert.equal(local.documentChanged(program, `# still edited\n${original}`), false, 'already stale: no change event');
    assert.equal(local.documentChanged(program, original), true, 'undo back to the traced text');
    assert.equal(local.isStale(trace, program), false);
    assert.ok(!hoverMarkdown(trace.model, stats, { stale: local.isStale(trace, program) }).includes('Stale'));
  });

  it('a live run: snapshots replace each other, keep what was edited meanwhile, and hovers say they are live', () => {
    const parsed = readTraceFile(tracePath);
    const half = parsed.records.slice(0, Math.floor(parsed.records.length / 2));
    const live = new TraceStore();
    const builder = new ModelBuilder();
    builder.add(half);
    const first = live.setModel(tracePath, builder.model(), program, { sameRun: true, live: true });
    live.documentChanged(program, '# edited while it ran\n');
    assert.equal(live.isStale(first, program), true);
    builder.add(parsed.records.slice(half.length));
    const final = live.setModel(tracePath, builder.model(), program, { sameRun: true, live: false });
    assert.equal(live.all().length, 1, 'one trace per run');
    assert.equal(live.isStale(final, program), true, 'an edit during the run still counts after it');
    const { stats } = live.siteAt(program, sleepLine)!;
    assert.equal(stats.count, 4, 'the final snapshot has every wait');
    assert.ok(hoverMarkdown(final.model, stats, { live: true }).startsWith(LIVE_NOTICE));
    assert.ok(!hoverMarkdown(final.model, stats, { live: final.live }).includes(LIVE_NOTICE));
  });

  it('a trace reopened after its program was edited and saved starts out stale', () => {
    const copyDir = mkdtempSync(join(tmpdir(), 'awaitlens-stale-'));
    try {
      const copy = join(copyDir, 'prog.py');
      const copyTrace = join(copyDir, 'prog.ndjson');
      writeFileSync(copy, readFileSync(program, 'utf8'));
      execFileSync(process.execPath, [join(root, 'dist', 'cli.js'), 'trace', copy, '--out', copyTrace, '--no-summary'], { stdio: 'pipe' });
      const fresh = new TraceStore();
      const parsed = readTraceFile(copyTrace);
      assert.equal(fresh.isStale(fresh.set(copyTrace, parsed.records, parsed.problems, copy), copy), false);
      writeFileSync(copy, `# edited after the trace\n${readFileSync(copy, 'utf8')}`);
      const later = new TraceStore();
      assert.equal(later.isStale(later.set(copyTrace, parsed.records, parsed.problems, copy), copy), true);
    } finally {
      rmSync(copyDir, { recursive: true, force: true });
    }
  });

  it('matches the editor\'s path to the trace\'s through a symlink', function () {
    if (process.platform === 'win32') this.skip();
    const link = join(dir, 'linked-programs');
    symlinkSync(join(__dirname, 'programs'), link);
    assert.ok(store.siteAt(join(link, 'hover_gather.py'), sleepLine), 'same file through a symlinked folder');
  });
});
