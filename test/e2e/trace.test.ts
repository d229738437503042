// End to end, as a user would: the packaged .vsix installed into a real VS Code workbench
// (code-server) in headless Chromium. Trace the gather examples from the command palette,
// read the timeline webview, click a suspended stretch, hover an await, stop a program that
// never ends. Screenshots of every step go to test-artifacts/e2e/.
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { pidsMatching, SEED_GATHER, sleep } from './codeServer';
import { waitForNoProcess } from './processes';
import { awaitLinesOfSource, defaultTracePath, DURATION, hasExit, hoverProblems, readTrace, traceFacts, waitForTrace, type TraceFacts } from './traceFacts';
import {
  cursorPosition, endOfLineDecorations, goToLine, hoverWord, openFile, problemNotifications, runCommand, screenshot, screenshotTimeline, statusBarTexts, timelineFrame, useWorkbench, waitForCursorLine,
} from './workbench';
import type { TraceRecord } from '../../src/trace/format';

const TRACE_COMMAND = 'Await Lens: Trace Current File';
const STOP_COMMAND = 'Await Lens: Stop Tracing';

/** Waits until the timeline webview has rendered its text summary for a finished trace. */
async function waitForTimeline(frame: FrameLocator, statusPattern: RegExp, timeoutMs = 45_000): Promise<string> {
  await frame.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: timeoutMs });
  const status = frame.locator('#al-status');
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = (await status.textContent().catch(() => '')) ?? '';
    if (statusPattern.test(text)) return text;
    await sleep(200);
  }
  throw new Error(`timeline status stayed "${text}", expected ${statusPattern}`);
}

/**
 * Runs Trace Current File on the active editor and waits for the trace file to satisfy `ready`;
 * an Await Lens error or warning notification ends the wait at once with its text.
 */
async function traceFromPalette(page: Page, program: string, ready: (r: TraceRecord[]) => boolean): Promise<TraceRecord[]> {
  const tracePath = defaultTracePath(program);
  rmSync(tracePath, { force: true }); // a trace left by an earlier run must not count
  const earlier = new Set(await problemNotifications(page));
  await runCommand(page, TRACE_COMMAND);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await waitForTrace(tracePath, ready, 500);
    } catch (err) {
      const errors = (await problemNotifications(page)).filter((t) => /^Await Lens/.test(t) && !earlier.has(t));
      if (errors.length) throw new Error(`tracing ${program} failed: ${errors.join(' | ')}`);
      if (Date.now() > deadline) throw err;
    }
  }
}

interface TaskRow { name: string; coro: string; outcome: string; waitLines: number[]; causes: string[]; kinds: string[] }

/** The task table of the webview's accessible text summary. */
async function taskRows(frame: FrameLocator): Promise<TaskRow[]> {
  return frame.locator('#al-tasks tr.al-task').evaluateAll((rows) =>
    rows.map((row) => {
      const r = row as HTMLElement;
      const waits = [...r.querySelectorAll<HTMLElement>('li.al-wait')];
      return {
        name: r.dataset.name ?? '',
        coro: r.dataset.coro ?? '',
        outcome: r.dataset.outcome ?? '',
        waitLines: waits.map((w) => Number(w.dataset.line)).filter((n) => n > 0),
        causes: waits.map((w) => w.querySelector('.al-wait-cause')?.textContent ?? ''),
        kinds: waits.map((w) => w.dataset.awaitingKind ?? ''),
      };
    }),
  );
}

/**
 * Finds, by hit-testing the canvas the way its own pointer handler does, a point inside a
 * suspended stretch of task `taskName` at `line`, in the canvas's CSS pixels.
 */
async function pointOnWait(frame: FrameLocator, taskName: string, line: number): Promise<{ x: number; y: number } | null> {
  return frame.locator('#al-canvas').evaluate((canvas, { taskName, line }) => {
    const api = (window as unknown as { awaitlens?: { timeline: { hitTest(x: number, y: number): { kind: string; wait?: number } | null }; model(): { waits: { task: number; site: { line: number } | null }[]; taskById: Map<number, { name: string }> } | null } }).awaitlens;
    const model = api?.model();
    if (!api || !model) return null;
    const { width, height } = canvas.getBoundingClientRect();
    let best: { x: number; y: number; run: number } | null = null;
    for (let y = 2; y < height; y += 4) {
      let runStart = -1;
      for (let x = 0; x <= width; x += 2) {
        const hit = x < width ? api.timeline.hitTest(x, y) : null;
        const wait = hit && hit.kind === 'wait' && hit.wait !== undefined ? model.waits[hit.wait] : null;
        const ok = !!wait && wait.site?.line === line && model.taskById.get(wait.task)?.name === taskName;
        if (ok && runStart < 0) runStart = x;
        if (!ok && runStart >= 0) {
          const run = x - runStart;
          if (!best || run > best.run) best = { x: runStart + run / 2, y, run };
          runStart = -1;
        }
      }
    }
    return best && best.run >= 6 ? { x: best.x, y: best.y } : null;
  }, { taskName, line });
}

/**
 * Tooltips shown when the mouse rests on the event-loop lane (the band under the axis):
 * once over a stretch where a task held the loop and once over an idle gap. The spots are
 * found by hit-testing the canvas (running steps can be a pixel wide), then hovered for real.
 */
async function loopLaneTooltips(frame: FrameLocator): Promise<string[]> {
  const canvas = frame.locator('#al-canvas');
  const spots = await canvas.evaluate((c) => {
    const api = (window as unknown as { awaitlens?: { timeline: { hitTest(x: number, y: number): { kind: string } | null } } }).awaitlens;
    const { width, height } = c.getBoundingClientRect();
    // The loop lane is the first band from the top where the canvas reports idle gaps.
    for (let y = 2; y < Math.min(height, 120); y += 2) {
      let idle: number | null = null;
      let running: number | null = null;
      for (let x = 0; x < width; x += 1) {
        const kind = api?.timeline.hitTest(x, y)?.kind;
        if (kind === 'idle' && idle === null) idle = x;
        if ((kind === 'step' || kind === 'task') && running === null) running = x;
      }
      if (idle !== null) return { y, xs: [idle, running].filter((x): x is number => x !== null) };
    }
    return null;
  });
  assert.ok(spots, 'no idle gap found on the event-loop lane by hit-testing the canvas');
  const seen: string[] = [];
  for (const x of spots.xs) {
    await canvas.hover({ position: { x: x + 0.5, y: spots.y }, force: true });
    const tip = frame.locator('#al-tooltip:not([hidden])');
    await tip.waitFor({ timeout: 3000 }).catch(() => {});
    const text = ((await tip.innerText().catch(() => '')) || '').trim();
    if (text) seen.push(text);
  }
  return seen;
}

describe('e2e: the packaged extension in VS Code (code-server + Chromium)', function () {
  this.timeout(240_000);
  const suite = useWorkbench({ screenshotPrefix: '' });
  let workspace: string;
  let page: Page;
  before(() => { ({ workspace, page } = suite); });

  /** Runs a before-hook body; on failure saves what the user saw (mocha skips afterEach for hooks). */
  async function setUp(name: string, body: () => Promise<void>): Promise<void> {
    try {
      await body();
    } catch (err) {
      if (page) await screenshot(page, `failed-setup-${name}`);
      throw err;
    }
  }


  describe('Python: the seed gather example (sleeps of 2, 3 and 1 s)', function () {
    let program: string;
    let facts: TraceFacts;
    let frame: FrameLocator;

    before(() => setUp('python', async () => {
      program = join(workspace, SEED_GATHER.python);
      await openFile(page, SEED_GATHER.python);
      await screenshot(page, '01-python-file-open');
      const records = await traceFromPalette(page, program, hasExit);
      facts = traceFacts(records, program);
      frame = timelineFrame(page);
      await waitForTimeline(frame, /exited with code 0/);
      await sleep(300); // let the canvas paint before the screenshot
      await screenshot(page, '02-python-timeline');
      await screenshotTimeline(page, '02b-python-timeline-webview');
    }));

    it('lists every task of the trace with its await sites', async function () {
      const rows = await taskRows(frame);
      const withWaits = facts.tasks.filter((t) => t.suspendLines.length > 0);
      // The gather example: main plus the three gathered coroutines suspend in this file.
      assert.ok(withWaits.length >= 4, `trace has only ${withWaits.length} tasks that suspended in the program`);
      for (const task of withWaits) {
        const row = rows.find((r) => r.name === task.name);
        assert.ok(row, `task ${task.name} (${task.coro}) is missing from the timeline's task list: ${rows.map((r) => r.name).join(', ')}`);
        for (const line of task.suspendLines) {
          assert.ok(row.waitLines.includes(line), `${task.name}: await at line ${line} not listed (listed: ${row.waitLines.join(', ')})`);
        }
        assert.equal(row.outcome, task.outcome ?? 'running', `${task.name} outcome`);
      }
      // Every listed await site is a line of the program that holds an `await`.
      const awaitLines = awaitLinesOfSource(readFileSync(program, 'utf8'));
      for (const row of rows) for (const line of row.waitLines) assert.ok(awaitLines.includes(line), `line ${line} (${row.name}) has no await`);
    });

    it('shows the lesson in the header: the sleeps take as long as the longest, not their sum', async function () {
      const wallNs = Number(await frame.locator('[data-stat="wall"] dd').getAttribute('data-ns'));
      const sequentialNs = Number(await frame.locator('[data-stat="sequential"] dd').getAttribute('data-ns'));
      // From the raw trace: the delays of the sleeps the gathered tasks waited on (seconds).
      const delays = facts.records.flatMap((r) => (r.type === 'suspend' && r.awaiting.kind === 'sleep' ? [r.awaiting.delay] : []));
      assert.ok(delays.length >= 3, `the three sleeps are in the trace (${delays.length})`);
      const longest = Math.max(...delays) * 1e9;
      const sum = delays.reduce((a, b) => a + b, 0) * 1e9;
      assert.ok(wallNs >= longest * 0.98 && wallNs < sum * 0.9, `wall ${wallNs} ns: not between the longest sleep ${longest} and their sum ${sum}`);
      assert.ok(sequentialNs >= sum * 0.98, `one-after-another ${sequentialNs} ns is less than the sum of the sleeps ${sum}`);
      const lesson = await frame.locator('#al-lesson').innerText();
      assert.match(lesson, /one after another/i);
    });

    it('shows the event-loop lane (running tasks and idle gaps) and the hand-offs between tasks', async function () {
      const tips = await loopLaneTooltips(frame);
      await screenshot(page, '03-python-loop-lane-tooltip');
      assert.ok(tips.some((t) => /idle/i.test(t)), `no idle gap on the loop lane: ${JSON.stringify(tips)}`);
      const taskNames = facts.tasks.map((t) => t.name);
      assert.ok(
        tips.some((t) => taskNames.some((n) => t.startsWith(`${n} running`))),
        `no task shown running on the loop lane: ${JSON.stringify(tips)}`,
      );
      assert.ok(facts.handoffs > 0, 'the raw trace has hand-offs between tasks');
      const drawn = await frame.locator('#al-canvas').evaluate(() => {
        const api = (window as unknown as { awaitlens?: { timeline: { arrowsDrawn: number }; model(): { handoffs: { cause: { kind: string } }[] } | null } }).awaitlens;
        return { causes: api?.model()?.handoffs.map((h) => h.cause.kind) ?? null, arrows: api?.timeline.arrowsDrawn ?? 0 };
      });
      const handoffs = drawn.causes;
      assert.ok(handoffs && handoffs.length >= facts.handoffs, `timeline has ${handoffs?.length} hand-offs, trace ${facts.handoffs}`);
      assert.ok(handoffs.includes('timer'), `no hand-off caused by a timer: ${handoffs.join(', ')}`);
      // A few hand-offs over the whole trace: each is drawn as an arrow in the fitted view.
      assert.ok(drawn.arrows > 0, 'no hand-off arrow drawn on the canvas');
      // In the text summary, each finished sleep says what woke it.
      const rows = await taskRows(frame);
      const sleepCauses = rows.flatMap((r) => r.causes.filter((_, i) => r.kinds[i] === 'sleep'));
      assert.ok(sleepCauses.length >= 3 && sleepCauses.every((c) => /timer/i.test(c)), `sleep causes: ${JSON.stringify(sleepCauses)}`);
    });

    it("moves the editor cursor to the await line when a task's suspended stretch is clicked", async function () {
      // Pick a gathered task (not the one that awaits gather) and its sleep line.
      const task = facts.tasks.find((t) => t.suspendLines.length === 1 && facts.awaitLines.get(t.suspendLines[0])?.labels.some((l) => /sleep/.test(l)));
      assert.ok(task, 'a task that suspended once on a sleep');
      const line = task.suspendLines[0];
      // Start somewhere else so the move is visible.
      const before = await cursorPosition(page);
      assert.notEqual(before.line, line);
      const point = await pointOnWait(frame, task.name, line);
      assert.ok(point, `no suspended stretch of ${task.name} at line ${line} found on the canvas`);
      await frame.locator('#al-canvas').click({ position: point });
      const at = await waitForCursorLine(page, line);
      const source = readFileSync(program, 'utf8').split('\n')[line - 1];
      assert.equal(source.slice(at.col - 1, at.col - 1 + 5), 'await', `cursor at col ${at.col} of "${source}"`);
      await screenshot(page, '04-python-click-reveals-await');
      const details = await frame.locator('#al-details').innerText();
      assert.ok(details.startsWith(task.name) && /suspended/.test(details.split('\n')[0]), `details: ${details}`);
    });

    it('annotates each traced await line with its count and wait, and Toggle Await Annotations hides them', async function () {
      await goToLine(page, 1);
      const traced = [...facts.awaitLines.values()];
      const deadline = Date.now() + 20_000;
      let shown = await endOfLineDecorations(page);
      while (traced.some((f) => !shown.has(f.line)) && Date.now() < deadline) {
        await sleep(200);
        shown = await endOfLineDecorations(page);
      }
      await screenshot(page, '04b-python-annotations');
      for (const f of traced) {
        const text = shown.get(f.line);
        assert.ok(text, `no annotation at line ${f.line}: ${JSON.stringify([...shown])}`);
        assert.match(text, new RegExp(`\\b${f.count}×`), `line ${f.line}: "${text}"`);
        assert.match(text, DURATION, `line ${f.line}: "${text}"`);
      }
      const awaitLines = awaitLinesOfSource(readFileSync(program, 'utf8'));
      for (const line of shown.keys()) assert.ok(awaitLines.includes(line), `annotation on line ${line}, which has no await`);

      await runCommand(page, 'Await Lens: Toggle Await Annotations');
      const hiddenBy = Date.now() + 15_000;
      while ((await endOfLineDecorations(page)).size && Date.now() < hiddenBy) await sleep(200);
      assert.equal((await endOfLineDecorations(page)).size, 0, 'annotations still shown after toggling them off');
      await runCommand(page, 'Await Lens: Toggle Await Annotations');
      const backBy = Date.now() + 15_000;
      while ((await endOfLineDecorations(page)).size < traced.length && Date.now() < backBy) await sleep(200);
      assert.equal((await endOfLineDecorations(page)).size, traced.length, 'annotations not back after toggling them on');

      // A line added above them: they follow their lines and say they were traced before the edit;
      // the edit undone, they are back as they were.
      const showing = async (ok: (m: Map<number, string>) => boolean): Promise<Map<number, string>> => {
        const by = Date.now() + 15_000;
        let m = await endOfLineDecorations(page);
        while (!ok(m) && Date.now() < by) { await sleep(200); m = await endOfLineDecorations(page); }
        return m;
      };
      await goToLine(page, 1);
      await page.keyboard.press('Enter');
      const followed = (m: Map<number, string>) => traced.every((f) => / \(traced before the edit\)$/.test(m.get(f.line + 1) ?? ''));
      const moved = await showing(followed);
      await screenshot(page, '04c-python-annotations-after-an-edit');
      assert.ok(followed(moved), `annotations after a line was added above them: ${JSON.stringify([...moved])}`);
      assert.ok(traced.every((f) => moved.get(f.line + 1)!.startsWith(shown.get(f.line)!)), 'the same figures');
      await page.keyboard.press('Control+Z');
      const restored = (m: Map<number, string>) => traced.every((f) => m.get(f.line) === shown.get(f.line));
      const back = await showing(restored);
      assert.ok(restored(back), `annotations after the edit was undone: ${JSON.stringify([...back])}`);
    });

    it('hovering an await in the editor tells what happened there', async function () {
      // The await that every gathered task suspended at once, and main's gather.
      for (const facts1 of [...facts.awaitLines.values()]) {
        const text = await hoverWord(page, facts1.line, 'await', /Await Lens/);
        const problems = hoverProblems(text, facts1);
        assert.deepEqual(problems, [], `hover at line ${facts1.line}: ${problems.join('; ')}\n${text}`);
      }
      const gatherLine = [...facts.awaitLines.values()].find((f) => f.labels.some((l) => /gather/i.test(l)));
      assert.ok(gatherLine, 'main awaited the gather');
      const text = await hoverWord(page, gatherLine.line, 'await', /Await Lens/);
      await screenshot(page, '05-python-hover');
      // While main waited on the gather, the gathered tasks ran.
      const others = facts.tasks.filter((t) => t.suspendLines.length && !t.suspendLines.includes(gatherLine.line)).map((t) => t.name);
      assert.ok(others.some((n) => text.includes(n)), `hover names none of the tasks that ran meanwhile (${others.join(', ')}):\n${text}`);

      // The hover's "Show in timeline" link selects every wait at that await in the timeline.
      await page.locator('.monaco-hover:not(.hidden) a', { hasText: 'Show in timeline' }).first().click();
      const details = frame.locator('#al-details[data-kind="waits"]');
      await details.waitFor({ timeout: 10_000 });
      await screenshot(page, '05b-python-hover-link-selects-waits');
      assert.match(await details.locator('.al-details-title').innerText(), new RegExp(`${basename(program).replace('.', '\\.')}:${gatherLine.line}\\b`));
      const headline = await details.locator('[data-field="headline"] dd').innerText();
      assert.deepEqual(hoverProblems(`${headline} ${await details.innerText()}`, gatherLine), [], headline);
    });
  });

  describe('after a window reload', function () {
    it('restores the timeline of the last trace and its await hovers', async function () {
      const program = join(workspace, SEED_GATHER.python);
      const facts = traceFacts(await waitForTrace(defaultTracePath(program), hasExit), program);
      await page.reload();
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const frame = timelineFrame(page);
      await waitForTimeline(frame, /exited with code 0/);
      await screenshot(page, '05c-after-reload');
      const rows = await taskRows(frame);
      for (const task of facts.tasks.filter((t) => t.suspendLines.length)) {
        assert.ok(rows.some((r) => r.name === task.name), `${task.name} missing after the reload`);
      }
      // The editor comes back too; its awaits still answer hovers.
      await page.locator(`.tabs-container .tab[aria-label^="${basename(program)}"]`).first().click();
      const line = [...facts.awaitLines.values()][0];
      const text = await hoverWord(page, line.line, 'await', /Await Lens/);
      assert.deepEqual(hoverProblems(text, line), [], text);
    });
  });

  describe('TypeScript: the seed gather example with Promise.all', function () {
    let program: string;
    let facts: TraceFacts;
    let frame: FrameLocator;

    before(() => setUp('typescript', async () => {
      program = join(workspace, SEED_GATHER.typescript);
      await openFile(page, SEED_GATHER.typescript);
      const records = await traceFromPalette(page, program, hasExit);
      facts = traceFacts(records, program);
      frame = timelineFrame(page);
      await waitForTimeline(frame, /exited with code 0/);
      await sleep(300);
      await screenshot(page, '06-typescript-timeline');
    }));

    it('lists the async functions with their await sites in the .ts file', async function () {
      const rows = await taskRows(frame);
      const awaitLines = awaitLinesOfSource(readFileSync(program, 'utf8'));
      const withWaits = facts.tasks.filter((t) => t.suspendLines.length > 0);
      assert.ok(withWaits.length >= 3, `only ${withWaits.length} async functions suspended in the .ts file`);
      for (const task of withWaits) {
        const row = rows.find((r) => r.name === task.name);
        assert.ok(row, `${task.name} missing from the task list: ${rows.map((r) => r.name).join(', ')}`);
        for (const line of task.suspendLines) {
          assert.ok(awaitLines.includes(line), `trace puts an await of ${task.name} at line ${line}, which has none`);
          assert.ok(row.waitLines.includes(line), `${task.name}: line ${line} not listed`);
        }
      }
      for (const row of rows) for (const line of row.waitLines) assert.ok(awaitLines.includes(line), `${row.name}: listed at line ${line}, which has no await`);
    });

    it('hovering an await in the .ts file tells what happened there', async function () {
      const awaitLines = awaitLinesOfSource(readFileSync(program, 'utf8'));
      // The Promise.all line (what main waited on) and one of the timers.
      const traced = [...facts.awaitLines.values()].filter((f) => awaitLines.includes(f.line));
      const all = traced.find((f) => f.labels.some((l) => /Promise\.all/.test(l)));
      const timer = traced.find((f) => f !== all);
      assert.ok(all && timer, `traced await lines: ${traced.map((f) => `${f.line} ${f.labels.join('/')}`).join(', ')}`);
      for (const line of [all, timer]) {
        const text = await hoverWord(page, line.line, 'await', /Await Lens/);
        assert.deepEqual(hoverProblems(text, line), [], text);
      }
      await screenshot(page, '07-typescript-hover');
    });
  });

  // Python stopped from the command palette, then Node from the timeline's own Stop button. This
  // order once left the Node timeline blank until its program ended (a panel created while the
  // stopped program's last records were still being delivered), so it stays this way round.
  for (const variant of [
    { file: 'ticker_forever.py', how: 'Stop Tracing from the command palette', shot: '09-python' },
    { file: 'ticker_forever.mjs', how: "the timeline's Stop button", shot: '10-node' },
  ]) {
    describe(`stopping ${variant.file}, which never ends, with ${variant.how}`, function () {
      let program: string;

      before(() => setUp(`forever-${variant.file}`, async () => {
        program = join(workspace, variant.file);
        await openFile(page, variant.file);
        // Wait until it really runs: its tasks have suspended a few times.
        await traceFromPalette(page, program, (r) => r.filter((x) => x.type === 'suspend').length >= 10);
      }));

      it('shows the live trace and a tracing indicator while it runs', async function () {
        const frame = timelineFrame(page);
        await waitForTimeline(frame, /running/);
        assert.ok((await pidsMatching(program)).length > 0, 'the traced program is running');
        const items = await statusBarTexts(page);
        const indicator = new RegExp(`Await Lens: tracing ${variant.file.replace('.', '\\.')}`);
        assert.ok(items.some((t) => indicator.test(t)), `status bar: ${JSON.stringify(items)}`);
        await screenshot(page, `${variant.shot}-forever-running`);
      });

      it('ends the process and keeps the partial trace in view', async function () {
        const frame = timelineFrame(page);
        if (variant.file.endsWith('.py')) await runCommand(page, STOP_COMMAND);
        else await frame.locator('#al-stop').click();
        assert.deepEqual(await waitForNoProcess(program, 15_000), [], `the traced program is still running after ${variant.how}`);
        await waitForTimeline(frame, /stopped|killed|ended/);
        await sleep(300);
        await screenshot(page, `${variant.shot}-forever-stopped`);
        await screenshotTimeline(page, `${variant.shot}-forever-stopped-webview`);
        const rows = await taskRows(frame);
        const records = await waitForTrace(defaultTracePath(program), () => true);
        const facts = traceFacts(records, program);
        const listed = facts.tasks.find((t) => t.suspendLines.length > 0 && rows.some((r) => r.name === t.name));
        assert.ok(listed, `the partial trace's tasks are listed: ${rows.map((r) => r.name).join(', ')}`);
        assert.ok(rows.some((r) => r.outcome === 'running'), 'tasks that never finished are shown as not finished');
        const items = await statusBarTexts(page);
        assert.ok(!items.some((t) => /Await Lens: tracing/.test(t)), `status bar still says tracing: ${JSON.stringify(items)}`);
        // Done with this timeline: close its tab, as a user moving on would.
        await page.locator(`.tabs-container .tab[aria-label^="Await Lens: ${variant.file}"] .codicon-close`).first().click();
        await page.locator(`.tabs-container .tab[aria-label^="Await Lens: ${variant.file}"]`).waitFor({ state: 'detached', timeout: 10_000 });
      });
    });
  }

  describe('one trace after another', function () {
    const py = () => join(workspace, 'ticker_forever.py');
    const mjs = () => join(workspace, 'ticker_forever.mjs');
    const suspendedTenTimes = (r: TraceRecord[]) => r.filter((x) => x.type === 'suspend').length >= 10;

    /** The live timeline lists every task of the trace that suspended, while its program still runs. */
    async function assertFillsInLive(program: string): Promise<void> {
      const frame = timelineFrame(page);
      await waitForTimeline(frame, /running/);
      const expected = traceFacts(await waitForTrace(defaultTracePath(program), suspendedTenTimes), program).tasks.filter((t) => t.suspendLines.length > 0);
      const deadline = Date.now() + 20_000;
      let rows = await taskRows(frame);
      while (!expected.every((t) => rows.some((r) => r.name === t.name)) && Date.now() < deadline) {
        await sleep(250);
        rows = await taskRows(frame);
      }
      assert.ok(expected.length > 0 && expected.every((t) => rows.some((r) => r.name === t.name)),
        `live tasks ${rows.map((r) => r.name).join(', ')}; expected ${expected.map((t) => t.name).join(', ')}`);
      assert.ok((await pidsMatching(program)).length > 0, `${basename(program)} still runs: the timeline filled in live, not at its end`);
    }

    async function closeTimelineTab(name: string): Promise<void> {
      const tab = page.locator(`.tabs-container .tab[aria-label^="Await Lens: ${name}"]`).first();
      await tab.click();
      await tab.locator('.codicon-close').click();
      await tab.waitFor({ state: 'detached', timeout: 10_000 });
    }

    it('Trace while another program runs asks first, then stops that one and traces this one', async function () {
      await openFile(page, 'ticker_forever.py');
      await traceFromPalette(page, py(), suspendedTenTimes);
      await openFile(page, 'ticker_forever.mjs');
      rmSync(defaultTracePath(mjs()), { force: true });
      await runCommand(page, TRACE_COMMAND);
      const question = page.locator('.notifications-toasts .notification-list-item', { hasText: /still tracing ticker_forever\.py/ }).first();
      await question.waitFor({ timeout: 15_000 });
      await screenshot(page, '11-second-trace-asks');
      assert.ok((await pidsMatching(py())).length > 0, 'nothing is stopped before the user answers');
      await question.locator('.monaco-button', { hasText: 'Stop and Trace' }).click();
      assert.deepEqual(await waitForNoProcess(py(), 15_000), [], 'the first program is still running');
      await waitForTrace(defaultTracePath(mjs()), suspendedTenTimes);
      await assertFillsInLive(mjs());
      // Done with the first one: close its panel, so the next trace of it opens a new one.
      await closeTimelineTab('ticker_forever.py');
    });

    it('a trace started right after a Stop fills in live, and the stopped one stays as it was', async function () {
      // Stop, then at once another file and Trace: no question, the stopping run is waited for.
      await runCommand(page, STOP_COMMAND);
      await openFile(page, 'ticker_forever.py');
      await traceFromPalette(page, py(), suspendedTenTimes);
      assert.deepEqual(await waitForNoProcess(mjs(), 15_000), [], 'the stopped program is still running');
      await assertFillsInLive(py());
      await screenshot(page, '12-trace-right-after-stop');
      await timelineFrame(page).locator('#al-stop').click();
      assert.deepEqual(await waitForNoProcess(py(), 15_000), [], 'still running after Stop');
      await waitForTimeline(timelineFrame(page), /stopped|killed|ended/);
      // The stopped program's panel is still there, showing its stopped trace.
      await page.locator('.tabs-container .tab[aria-label^="Await Lens: ticker_forever.mjs"]').first().click();
      await waitForTimeline(timelineFrame(page), /stopped|killed|ended/);
      for (const name of ['ticker_forever.py', 'ticker_forever.mjs']) await closeTimelineTab(name);
    });
  });
  describe('a timeline closed while tracing, and a saved trace opened', function () {
    const program = () => join(workspace, 'ticker_forever.py');

    /** The Events figure of the timeline header (grows while a live trace fills in). */
    async function eventCount(frame: FrameLocator): Promise<number> {
      const text = (await frame.locator('[data-stat="events"] dd').textContent().catch(() => '')) ?? '';
      return Number(text.replace(/\D/g, '')) || 0;
    }

    it('closing the timeline leaves the program traced; Show Timeline brings it back, still filling in', async function () {
      await openFile(page, 'ticker_forever.py');
      await traceFromPalette(page, program(), (r) => r.filter((x) => x.type === 'suspend').length >= 10);
      await waitForTimeline(timelineFrame(page), /running/);
      const tab = page.locator('.tabs-container .tab[aria-label^="Await Lens: ticker_forever.py"]').first();
      await tab.click();
      await tab.locator('.codicon-close').click();
      await tab.waitFor({ state: 'detached', timeout: 10_000 });
      assert.ok((await pidsMatching(program())).length > 0, 'closing the timeline stopped the program');
      assert.ok((await statusBarTexts(page)).some((t) => /Await Lens: tracing ticker_forever\.py/.test(t)), 'the status bar no longer says tracing');

      await runCommand(page, 'Await Lens: Show Timeline');
      const frame = timelineFrame(page);
      await waitForTimeline(frame, /running/);
      const first = await eventCount(frame);
      const deadline = Date.now() + 20_000;
      let later = first;
      while (later <= first && Date.now() < deadline) {
        await sleep(300);
        later = await eventCount(frame);
      }
      assert.ok(first > 0 && later > first, `the reopened timeline fills in live: ${first} then ${later} events`);
      await screenshot(page, '15-reopened-while-tracing');
      await frame.locator('#al-stop').click();
      assert.deepEqual(await waitForNoProcess(program(), 15_000), [], 'still running after Stop');
      await waitForTimeline(frame, /stopped|killed|ended/);
      await tab.click();
      await tab.locator('.codicon-close').click();
      await tab.waitFor({ state: 'detached', timeout: 10_000 });
    });

    it('Open Trace File on a damaged trace shows everything readable and says which line is not', async function () {
      const lines = readFileSync(defaultTracePath(program()), 'utf8').trimEnd().split('\n');
      assert.ok(lines.length > 20, `the stopped trace has ${lines.length} lines`);
      // A line in the middle cut short, as a crash or a disk full would leave it.
      const damagedAt = Math.floor(lines.length / 2);
      lines[damagedAt] = lines[damagedAt].slice(0, Math.floor(lines[damagedAt].length / 2));
      writeFileSync(join(workspace, 'damaged.ndjson'), `${lines.join('\n')}\n`);
      await openFile(page, 'damaged.ndjson');
      // The button in the editor title bar of an .ndjson file.
      await page.locator('.part.editor .editor-group-container.active .editor-actions .action-label[aria-label*="Open Trace File"]').first().click();
      const tab = page.locator('.tabs-container .tab.active[aria-label^="Await Lens: ticker_forever.py"]').first();
      await tab.waitFor({ timeout: 15_000 });
      const frame = timelineFrame(page);
      await frame.locator('body[data-ready="true"]').waitFor({ state: 'attached', timeout: 30_000 });
      const notice = frame.locator('#al-problems:not([hidden])');
      await notice.waitFor({ timeout: 15_000 });
      const text = await notice.innerText();
      assert.match(text, new RegExp(`\\b${damagedAt + 1}\\b`), `the notice names the damaged line ${damagedAt + 1}: ${text}`);
      const rows = await taskRows(frame);
      const facts = traceFacts(readTrace(defaultTracePath(program())), program());
      for (const task of facts.tasks.filter((t) => t.suspendLines.length)) {
        assert.ok(rows.some((r) => r.name === task.name), `${task.name} is listed from the readable lines: ${rows.map((r) => r.name).join(', ')}`);
      }
      await screenshot(page, '16-damaged-trace-opened');
      await tab.locator('.codicon-close').click();
    });
  });

  describe('when the program cannot run', function () {
    /** The toast whose text matches, and clicks its button `label`. */
    async function answerNotification(pattern: RegExp, label: string): Promise<string> {
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: pattern }).first();
      await toast.waitFor({ timeout: 30_000 });
      const text = await toast.locator('.notification-list-item-message').innerText();
      await toast.locator('.monaco-button', { hasText: label }).click();
      await toast.waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {});
      return text;
    }

    it('a syntax error: the message says the error and its line, and Go to Error goes there', async function () {
      const source = 'import asyncio\n\n\nasync def main(:\n    await asyncio.sleep(0.1)\n\n\nasyncio.run(main())\n';
      const errorLine = source.split('\n').findIndex((l) => l.includes('def main(:')) + 1;
      writeFileSync(join(workspace, 'syntax_error.py'), source);
      await openFile(page, 'syntax_error.py');
      await goToLine(page, 1);
      await runCommand(page, TRACE_COMMAND);
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /syntax_error\.py exited with code 1/ }).first();
      await toast.waitFor({ timeout: 30_000 });
      await screenshot(page, '13-syntax-error-message');
      const text = await answerNotification(/syntax_error\.py exited with code 1/, 'Go to Error');
      assert.match(text, /SyntaxError/, text);
      assert.match(text, new RegExp(`syntax_error\\.py:${errorLine}\\b`), text);
      assert.match(text, /before any task ran/, text);
      await waitForCursorLine(page, errorLine);
      const output = await page.locator('.part.panel .view-lines').first().innerText().catch(() => '');
      assert.match(output.replace(/\u00a0/g, ' '), /SyntaxError/, `the output channel shows the traceback: ${output.slice(-500)}`);
    });

    it('a missing interpreter: the message says which setting to fix, and Open Setting opens it', async function () {
      const settingsDir = join(workspace, '.vscode');
      mkdirSync(settingsDir, { recursive: true });
      const missing = join(workspace, 'no-such-dir', 'node');
      writeFileSync(join(settingsDir, 'settings.json'), JSON.stringify({ 'awaitLens.nodePath': missing }));
      try {
        await openFile(page, 'ticker_forever.mjs');
        const program = join(workspace, 'ticker_forever.mjs');
        rmSync(defaultTracePath(program), { force: true });
        // The workbench reads the changed settings file on its own time: trace until it has.
        let text = '';
        for (let attempt = 0; attempt < 5 && !text; attempt++) {
          await runCommand(page, TRACE_COMMAND);
          text = await page.locator('.notifications-toasts .notification-list-item', { hasText: /nodePath/ }).first()
            .locator('.notification-list-item-message').innerText({ timeout: 8_000 }).catch(() => '');
          if (!text) {
            // Traced with the old setting: stop it and try again once the new one is read.
            if ((await statusBarTexts(page)).some((t) => /Await Lens: tracing/.test(t))) await runCommand(page, STOP_COMMAND);
            await waitForNoProcess(program, 15_000);
          }
        }
        await screenshot(page, '14-missing-interpreter');
        assert.match(text, /^Await Lens/, text);
        assert.ok(text.includes('no-such-dir'), `the message names the interpreter that was not found: ${text}`);
        await answerNotification(/nodePath/, 'Open Setting');
        await page.locator('.settings-editor').waitFor({ timeout: 15_000 });
        const shown = await page.locator('.settings-editor .setting-item-contents').first().innerText({ timeout: 15_000 });
        assert.match(shown, /Node Path/i, `the settings editor shows the setting: ${shown}`);
        assert.deepEqual(await pidsMatching(program), [], 'nothing was started');
      } finally {
        rmSync(settingsDir, { recursive: true, force: true });
        await page.keyboard.press('Escape').catch(() => {});
      }
    });
  });
});
