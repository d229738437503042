// The timeline in headless Chromium, through the standalone HTML of a REAL trace: the Python
// tracer runs test/webview/fixtures/lesson.py once, and every test reads what the page shows.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { encodeRecords } from '../../src/html/embed';
import { renderStandaloneHtml } from '../../src/html/standalone';
import { buildModel } from '../../src/model/build';
import type { TraceModel } from '../../src/model/types';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord } from '../../src/trace/format';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
const program = join(__dirname, 'fixtures', 'lesson.py');
const artifacts = join(root, 'test-artifacts', 'webview');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Traces a program with the real tracer: through the CLI, or the tracer itself while the CLI lacks Python. */
function traceProgram(file: string, out: string): void {
  try {
    execFileSync('node', [join(dist, 'cli.js'), 'trace', file, '--out', out, '--no-summary'], { stdio: 'pipe', timeout: 60_000 });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    if (!/not available in this build/.test(stderr)) throw error;
    execFileSync('python3', [join(dist, 'tracers', 'python', 'awaitlens_tracer.py'), '--out', out, '--', file], { stdio: 'pipe', timeout: 60_000 });
  }
}

function lineOf(source: string, needle: string): number {
  const index = source.split('\n').findIndex((line) => line.includes(needle));
  assert.ok(index >= 0, `"${needle}" not in the program`);
  return index + 1;
}

interface Axis { start: number; end: number; step: number; labels: string }

/** The time axis as the page states it in #al-axis (ns and tick labels). */
function readAxis(page: Page): Promise<Axis> {
  return page.evaluate(() => {
    const data = document.getElementById('al-axis')!.dataset;
    return { start: Number(data.start), end: Number(data.end), step: Number(data.step), labels: data.labels ?? '' };
  });
}

/** Polls the axis until `ok` (the page redraws on its own schedule); fails with the last axis seen. */
async function waitForAxis(page: Page, what: string, ok: (axis: Axis) => boolean, timeoutMs = 15_000): Promise<Axis> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const axis = await readAxis(page);
    if (ok(axis)) return axis;
    if (Date.now() > deadline) assert.fail(`${what}: the axis is still ${JSON.stringify(axis)}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
  }
}

interface OpenPage {
  page: Page;
  errors: string[];
}

describe('webview: the timeline of a real trace in Chromium', function () {
  this.timeout(60_000);
  let browser: Browser;
  let dir: string;
  let records: TraceRecord[];
  let model: TraceModel;
  let htmlPath: string;
  let traceText: string;
  const source = readFileSync(program, 'utf8');
  const sleepLine = lineOf(source, 'await asyncio.sleep(delay)');
  const gatherLine = lineOf(source, 'asyncio.gather(');
  const opened: OpenPage[] = [];
  /** One page for the tests that only read what is shown (opening a page is the slow part). */
  let shared: OpenPage;

  async function open(path: string, options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {}): Promise<OpenPage> {
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 760 }, colorScheme: options.colorScheme ?? 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The tests' own canvas readbacks draw a performance hint; anything else is a finding.
      if ((m.type() === 'error' || m.type() === 'warning') && !/willReadFrequently/.test(m.text())) errors.push(`console ${m.type()}: ${m.text()}`);
    });
    await page.goto(`file://${path}`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 20_000 });
    const result = { page, errors };
    opened.push(result);
    return result;
  }

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-webview-'));
    mkdirSync(artifacts, { recursive: true });
    const tracePath = join(dir, 'lesson.trace.ndjson');
    traceProgram(program, tracePath);
    traceText = readFileSync(tracePath, 'utf8');
    const parsed = parseTrace(traceText);
    assert.deepEqual(parsed.problems, []);
    records = parsed.records;
    model = buildModel(records);
    htmlPath = join(dir, 'lesson.html');
    // Compressed as a big trace's page is (small pages keep plain JSON: the live and broken pages below).
    writeFileSync(htmlPath, renderStandaloneHtml(traceText, { distDir: dist, tracePath, compressAbove: 0 }));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    shared = await open(htmlPath);
  });

  // Pages are closed after each test (one page at a time is what a user has, and what the
  // browser keeps animating); every page ran under its strict CSP: a violation shows up here.
  afterEach(async function () {
    for (const { page, errors } of opened.splice(0)) {
      if (shared && page === shared.page) { opened.push(shared); continue; }
      await page.close();
      assert.deepEqual(errors, [], 'no page errors, console errors or CSP violations');
    }
  });

  after(async function () {
    for (const { page, errors } of opened) {
      await page.close();
      assert.deepEqual(errors, [], 'no page errors, console errors or CSP violations');
    }
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists every task with its coroutine and outcome', async function () {
    const { page } = shared;
    const rows = await page.$$eval('#al-tasks tr.al-task', (trs) => trs.map((tr) => ({
      name: (tr as HTMLElement).dataset.name, coro: (tr as HTMLElement).dataset.coro, outcome: (tr as HTMLElement).dataset.outcome,
      text: tr.textContent ?? '',
    })));
    assert.equal(rows.length, model.tasks.length);
    assert.equal(rows.filter((r) => r.coro === 'worker').length, 3, 'three gathered workers');
    assert.ok(rows.filter((r) => r.coro === 'worker').every((r) => r.outcome === 'returned'));
    const main = rows.find((r) => r.coro === 'main');
    assert.equal(main?.outcome, 'returned');
    const failing = rows.find((r) => r.coro === 'failing');
    assert.equal(failing?.outcome, 'raised');
    assert.match(failing!.text, /RuntimeError: bad <img src=x onerror=alert\(1\)>/, 'the error text, literally');
    const sleepy = rows.find((r) => r.coro === 'sleeper');
    assert.equal(sleepy?.outcome, 'cancelled');
    assert.equal(await page.locator('#al-title').textContent(), 'lesson.py');
    assert.match(await page.locator('#al-status').textContent() ?? '', /exited with code 0/);
    await page.screenshot({ path: join(artifacts, 'lesson-light.png') });
  });

  it('lists each wait with its await site line and what it waited on', async function () {
    const { page } = shared;
    const waits = await page.$$eval('#al-tasks tr.al-task', (trs) => trs.map((tr) => ({
      coro: (tr as HTMLElement).dataset.coro,
      waits: [...tr.querySelectorAll<HTMLElement>('li.al-wait')].map((li) => ({
        site: li.dataset.site, line: Number(li.dataset.line), kind: li.dataset.awaitingKind, text: li.textContent ?? '',
        duration: Number(li.dataset.duration),
      })),
    })));
    const workers = waits.filter((t) => t.coro === 'worker');
    for (const worker of workers) {
      assert.equal(worker.waits.length, 1);
      assert.equal(worker.waits[0].line, sleepLine);
      assert.equal(worker.waits[0].site, `lesson.py:${sleepLine}`);
      assert.equal(worker.waits[0].kind, 'sleep');
      assert.match(worker.waits[0].text, /sleep/);
    }
    // The three sleeps took about 0.1, 0.2 and 0.3 s (generous margins: a loaded machine is slow, never fast).
    const durations = workers.map((w) => w.waits[0].duration / 1e9).sort();
    assert.ok(durations[0] >= 0.09 && durations[0] < 0.6, `shortest sleep ${durations[0]}`);
    assert.ok(durations[2] >= 0.29 && durations[2] < 1.5, `longest sleep ${durations[2]}`);
    const main = waits.find((t) => t.coro === 'main')!;
    const gather = main.waits.find((w) => w.line === gatherLine);
    assert.ok(gather, 'main waits at the gather line');
    assert.equal(gather.kind, 'tasks');
    const sites = await page.$$eval('#al-sites tr.al-site', (trs) => trs.map((tr) => ({ line: Number((tr as HTMLElement).dataset.line), count: Number((tr as HTMLElement).dataset.count) })));
    assert.equal(sites.find((s) => s.line === sleepLine)?.count, 3, 'the sleep line suspended three times');
  });

  it('shows the header statistics of the model, with the gather lesson', async function () {
    const { page } = shared;
    const ns = async (key: string) => Number(await page.locator(`[data-stat="${key}"] dd`).getAttribute('data-ns'));
    assert.equal(await ns('wall'), model.stats.wall);
    assert.equal(await ns('sequential'), model.stats.sequential);
    assert.equal(await ns('busy'), model.stats.busy);
    assert.equal(Number(await page.locator('[data-stat="peak"] dd').getAttribute('data-value')), model.stats.peakConcurrency);
    // The seed lesson, independent of the model: 0.2 + 0.3 + 0.1 s of sleeps ran in about 0.3 s.
    const wall = model.stats.wall / 1e9;
    assert.ok(wall >= 0.3 && wall < 3, `wall ${wall}`);
    assert.ok(model.stats.sequential / 1e9 >= 0.6, 'one after another at least the sum of the sleeps');
    const lesson = await page.locator('#al-lesson').textContent();
    assert.match(lesson ?? '', /Run one after another, these awaits would take .+; concurrently the program took/);
    assert.ok(await page.locator('#al-lesson').isVisible());
    // The time.sleep in main held the loop: reported in the lesson and in the warning list.
    assert.match(lesson ?? '', /One step held the loop without awaiting for \d+(\.\d+)? ms \(longest at lesson\.py:\d+\)/);
    assert.equal(await page.locator('#al-warnings li.al-warning[data-kind="blocking"]').count(), 1);
  });

  it('previews a finished trace exactly as its model draws it (the first frame of a big trace)', async function () {
    const { page } = shared;
    const compact = JSON.parse(JSON.stringify(encodeRecords(records)));
    await page.evaluate((embedded) => { (window as any).testCompact = embedded; }, compact);
    // As page source (not a compiled function): the test compiler's helpers do not exist in the page.
    const differences = await page.evaluate(`((embedded) => {
      const api = window.awaitlens;
      const model = api.model();
      const preview = api.buildPreview(embedded);
      if (!preview) return ['no preview for a Python trace'];
      const out = [];
      const same = (what, a, b) => {
        if (a.length !== b.length) { out.push(\`\${what}: \${a.length} vs \${b.length} items\`); return; }
        for (let i = 0; i < a.length; i++) {
          if (!(a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]))) { out.push(\`\${what}[\${i}]: \${a[i]} vs \${b[i]}\`); return; }
        }
      };
      if (preview.model.start !== model.start || preview.model.end !== model.end) out.push('time range');
      same('lanes', preview.model.tasks.map((l) => l.id), model.tasks.map((l) => l.id));
      for (const lane of model.tasks) {
        const spans = preview.spans.get(lane.id);
        same(\`steps start \${lane.id}\`, spans.steps.start, lane.steps.map((i) => model.steps[i].start));
        same(\`steps end \${lane.id}\`, spans.steps.end, lane.steps.map((i) => model.steps[i].end));
        same(\`waits start \${lane.id}\`, spans.waits.start, lane.waits.map((i) => model.waits[i].start));
        same(\`waits end \${lane.id}\`, spans.waits.end, lane.waits.map((i) => model.waits[i].end));
        lane.waits.forEach((w, k) => {
          const wait = model.waits[w];
          const label = wait.awaiting.label || wait.awaiting.kind;
          const expected = \`\${wait.site ? \`\${wait.site.file.split('/').pop()}:\${wait.site.line}\` : '(unknown site)'}\${label ? \` · \${label}\` : ''}\`;
          if (preview.waitLabel(lane.id, k) !== expected) out.push(\`label \${lane.id}/\${k}: \${preview.waitLabel(lane.id, k)} vs \${expected}\`);
        });
      }
      same('loop start', preview.loop.start, model.loop.map((s) => s.start));
      same('loop end', preview.loop.end, model.loop.map((s) => s.end));
      same('loop task', preview.loop.task, model.loop.map((s) => s.task ?? NaN));
      same('step starts', preview.stepStarts, model.steps.map((s) => s.start));
      return out;
    })(window.testCompact)`) as string[];
    assert.deepEqual(differences, []);
  });

  it('draws the event loop and the task lanes on the canvas', async function () {
    const { page } = shared;
    const painted = await page.evaluate(() => {
      const canvas = document.getElementById('al-canvas') as HTMLCanvasElement;
      const ctx = canvas.getContext('2d')!;
      const { width, height } = canvas;
      const data = ctx.getImageData(0, 0, width, height).data;
      const bg = [data[(height - 2) * width * 4 + (width - 20) * 4], data[(height - 2) * width * 4 + (width - 20) * 4 + 1], data[(height - 2) * width * 4 + (width - 20) * 4 + 2]];
      // Count pixels unlike the background right of the gutter, in the lanes' band.
      let differing = 0;
      for (let y = 60; y < Math.min(height, 260); y++) {
        for (let x = 200; x < width; x += 2) {
          const i = (y * width + x) * 4;
          if (Math.abs(data[i] - bg[0]) + Math.abs(data[i + 1] - bg[1]) + Math.abs(data[i + 2] - bg[2]) > 40) differing++;
        }
      }
      return { differing, lanes: (window as any).awaitlens.timeline.visibleLanes.length };
    });
    assert.equal(painted.lanes, model.tasks.length);
    assert.ok(painted.differing > 500, `lanes are drawn (${painted.differing} painted pixels)`);
  });

  it('reveals the await line when a suspended stretch is clicked, and shows its details', async function () {
    const { page } = await open(htmlPath);
    const wait = model.waits.find((w) => w.site?.line === sleepLine && w.end - w.start > 0.25e9)!;
    assert.ok(wait, 'the 0.3 s sleep');
    const point = await page.evaluate((index) => (window as any).awaitlens.timeline.locate({ kind: 'wait', wait: index }), wait.index);
    assert.ok(point && point.width > 20, 'the wait is on screen and wide');
    const box = (await page.locator('#al-canvas').boundingBox())!;
    await page.mouse.move(box.x + point.x, box.y + point.y);
    const tooltip = page.locator('#al-tooltip');
    await tooltip.waitFor({ state: 'visible' });
    assert.match(await tooltip.textContent() ?? '', new RegExp(`suspended at lesson\\.py:${sleepLine}`));
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForFunction(() => ((window as any).awaitlensReveals ?? []).length > 0);
    const reveals = await page.evaluate(() => (window as any).awaitlensReveals as { file: string; line: number }[]);
    assert.equal(reveals.length, 1);
    assert.equal(reveals[0].file, program);
    assert.equal(reveals[0].line, sleepLine);
    assert.equal(await page.locator('#al-reveal').getAttribute('data-line'), String(sleepLine));
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'wait');
    assert.match(await page.locator('#al-details [data-field="site"]').textContent() ?? '', new RegExp(`lesson\\.py:${sleepLine}`));
    assert.match(await page.locator('#al-details [data-field="awaiting"]').textContent() ?? '', /sleep/);
    assert.match(await page.locator('#al-details [data-field="resumed-by"]').textContent() ?? '', /timer/);
    await page.screenshot({ path: join(artifacts, 'lesson-selected-wait.png') });
  });

  it('filters tasks by name', async function () {
    const { page } = await open(htmlPath);
    await page.fill('#al-filter', 'sleepe');
    assert.equal(await page.locator('#al-filter-count').textContent(), `1 of ${model.tasks.length} tasks`);
    const coros = await page.$$eval('#al-tasks tr.al-task', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.coro));
    assert.deepEqual(coros, ['sleeper']);
    assert.equal(await page.evaluate(() => (window as any).awaitlens.timeline.visibleLanes.length), 1);
    await page.fill('#al-filter', 'WORKER');
    assert.equal(await page.evaluate(() => (window as any).awaitlens.timeline.visibleLanes.length), 3, 'matches coroutine names, any case');
    await page.fill('#al-filter', '');
    assert.equal(await page.evaluate(() => (window as any).awaitlens.timeline.visibleLanes.length), model.tasks.length);
  });

  it('zooms with keys, the wheel and double-click, and the time axis follows', async function () {
    const { page } = await open(htmlPath);
    // The canvas redraws on an animation frame, and #al-axis with it: wait for the expected axis,
    // not for a guessed number of frames (a loaded machine may skip some).
    const axisUntil = (what: string, ok: (axis: Axis) => boolean) => waitForAxis(page, what, ok);
    const before = await readAxis(page);
    assert.match(before.labels, /ms/, 'a sub-second trace is labelled in ms');
    const range = (a: Axis) => a.end - a.start;
    await page.locator('#al-canvas').focus();
    for (let i = 0; i < 8; i++) await page.keyboard.press('+');
    // 8 × 1.5: ticks at least ten times closer (nice steps of 1, 2, 5 × 10^k lose at most 2.5×).
    const zoomed = await axisUntil('ticks closer after 8 presses of +', (a) => a.step < before.step / 10 && Math.abs(range(a) - range(before) / 1.5 ** 8) < 2);
    assert.notEqual(zoomed.labels, before.labels);
    assert.ok(Math.abs((zoomed.start + zoomed.end) / 2 - (before.start + before.end) / 2) < 2, 'keys zoom about the middle of the lanes');
    // A key pans a tenth of the lanes' width: the range moves by a tenth of its length, same ticks.
    await page.keyboard.press('ArrowRight');
    const panned = await axisUntil('ArrowRight pans later', (a) => a.start > zoomed.start);
    assert.equal(panned.step, zoomed.step);
    assert.ok(Math.abs(panned.start - zoomed.start - range(zoomed) / 10) < 2, `panned by a tenth (${JSON.stringify([zoomed, panned])})`);
    // Half a page is more than a tick (ticks are at least 90 px apart, a page is wider): labels move.
    await page.keyboard.press('Shift+ArrowRight');
    const paged = await axisUntil('Shift+ArrowRight pans half a page', (a) => a.start > panned.start);
    assert.ok(Math.abs(paged.start - panned.start - range(zoomed) / 2) < 2, 'half a page');
    assert.notEqual(paged.labels, panned.labels, 'the tick labels follow the pan');
    const box = (await page.locator('#al-canvas').boundingBox())!;
    await page.mouse.dblclick(box.x + box.width / 2, box.y + 12);
    await axisUntil('double-click fits the whole trace again', (a) => a.step === before.step && a.start === before.start && a.end === before.end);
    await page.mouse.move(box.x + box.width / 2, box.y + 200);
    await page.mouse.wheel(0, -400);
    await axisUntil('the wheel zooms in', (a) => a.step < before.step);
  });

  it('restores zoom, filter and selection after a reload (the webview state API)', async function () {
    const { page } = await open(htmlPath);
    await page.fill('#al-filter', 'worker');
    await page.locator('#al-canvas').focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('+');
    const wait = model.waits.find((w) => w.site?.line === sleepLine)!;
    await page.evaluate((index) => (window as any).awaitlens.select({ kind: 'wait', wait: index }), wait.index);
    // State is saved a moment after the last change.
    const saved = () => page.evaluate(() => Object.values(sessionStorage).map((text) => JSON.parse(text)).find((s) => s?.view)?.view);
    await page.waitForFunction(() => Object.values(sessionStorage).some((text) => text.includes('"kind":"wait"')));
    const view = await saved();
    const before = await waitForAxis(page, 'the zoomed view is drawn', (a) => a.start === Math.round(view.viewStart) && a.end === Math.round(view.viewEnd));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    assert.equal(await page.inputValue('#al-filter'), 'worker');
    assert.equal(await page.evaluate(() => (window as any).awaitlens.timeline.visibleLanes.length), 3);
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'wait');
    const after = await waitForAxis(page, 'the restored view is drawn', (a) => a.start === before.start && a.end === before.end);
    assert.deepEqual(after, before);

    // A selection made by the hover's "show in timeline" link (every wait at a line) comes back too.
    await page.evaluate((m) => (window as any).awaitlens.deliver(m), { type: 'select', selection: { kind: 'site', site: { file: program, line: sleepLine } } });
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'waits');
    await page.waitForFunction(() => Object.values(sessionStorage).some((text) => text.includes('"kind":"site"')));
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'waits');
    assert.match(await page.locator('#al-details [data-field="headline"]').textContent() ?? '', /Suspended 3 times here by 3 tasks/);
  });

  it('shows program text literally, never as HTML', async function () {
    const { page } = await open(htmlPath);
    const outputs = await page.$$eval('#al-outputs li.al-output .al-output-text', (items) => items.map((i) => i.textContent));
    assert.ok(outputs.includes('<b>a</b> starts'), 'printed markup shows as text');
    assert.ok(outputs.some((o) => o?.startsWith("</script><script>document.title='pwned'</script>")), 'a printed </script> neither ends the data nor runs');
    assert.equal(await page.locator('#al-app b').count(), 0, 'no <b> element was made from program text');
    assert.equal(await page.locator('#al-app img').count(), 0, 'no <img> element was made from an error message');
    assert.equal(await page.title(), 'lesson.py — Await Lens');
    // Output markers: selecting one shows its text in the details panel, literally.
    const index = model.outputs.findIndex((o) => o.text.startsWith('<b>a</b>'));
    await page.evaluate((i) => (window as any).awaitlens.select({ kind: 'output', index: i }), index);
    assert.equal(await page.locator('#al-details pre.al-output-text').textContent(), '<b>a</b> starts\n');
  });

  it('follows the theme: standalone light and dark, and VS Code theme variables', async function () {
    const pixel = (page: Page) => page.evaluate(() => {
      const canvas = document.getElementById('al-canvas') as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(canvas.width - 30, canvas.height - 3, 1, 1).data;
      return [d[0], d[1], d[2]];
    });
    const light = await open(htmlPath, { colorScheme: 'light' });
    assert.deepEqual(await pixel(light.page), [255, 255, 255]);
    const dark = await open(htmlPath, { colorScheme: 'dark' });
    assert.deepEqual(await pixel(dark.page), [0x1e, 0x1e, 0x1e]);
    await dark.page.screenshot({ path: join(artifacts, 'lesson-dark.png') });
    // Inside VS Code the body has a theme class and the variables are set on <html>: switching them repaints.
    await dark.page.evaluate(() => {
      document.documentElement.style.setProperty('--vscode-editor-background', 'rgb(0, 43, 54)');
      document.documentElement.style.setProperty('--vscode-editor-foreground', 'rgb(238, 232, 213)');
      document.body.classList.remove('al-standalone');
      document.body.classList.add('vscode-dark');
    });
    // The repaint happens on a later frame: wait for it (the assertion below says what was seen).
    await dark.page.waitForFunction(() => {
      const canvas = document.getElementById('al-canvas') as HTMLCanvasElement;
      const d = canvas.getContext('2d')!.getImageData(canvas.width - 30, canvas.height - 3, 1, 1).data;
      return d[0] === 0 && d[1] === 43 && d[2] === 54;
    }, undefined, { timeout: 10_000 }).catch(() => undefined);
    assert.deepEqual(await pixel(dark.page), [0, 43, 54]);
    assert.equal(await dark.page.evaluate(() => getComputedStyle(document.body).color), 'rgb(238, 232, 213)');
  });

  it('fits a narrow panel: details below the timeline, nothing wider than the panel', async function () {
    const { page } = await open(htmlPath, { width: 500, height: 700 });
    const wait = model.waits.find((w) => w.site?.line === sleepLine)!;
    await page.evaluate((index) => (window as any).awaitlens.select({ kind: 'wait', wait: index }), wait.index);
    // The canvas is sized from a ResizeObserver, a frame or more later on a busy machine: measure
    // once the layout has settled (the assertions below say what was seen if it never does).
    await page.waitForFunction(() => {
      const c = document.getElementById('al-canvas')!.getBoundingClientRect();
      const d = document.getElementById('al-details')!.getBoundingClientRect();
      return d.top >= c.bottom - 1;
    }, undefined, { timeout: 5_000 }).catch(() => undefined);
    const canvas = (await page.locator('#al-canvas').boundingBox())!;
    const details = (await page.locator('#al-details').boundingBox())!;
    assert.ok(canvas.width >= 480, `the timeline keeps the panel's width (${canvas.width} px)`);
    assert.ok(details.y >= canvas.y + canvas.height - 1, 'the details are below the timeline, not beside it');
    assert.ok(details.width >= 480, `the details span the panel (${details.width} px)`);
    assert.ok(canvas.height >= 150, `room for lanes (${canvas.height} px)`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal overflow');
    const toolbar = await page.$$eval('#al-tabs button, #al-filter', (items) => items.map((i) => {
      const r = i.getBoundingClientRect();
      return { id: i.id, right: r.right, height: r.height };
    }));
    for (const item of toolbar) assert.ok(item.right <= 500, `${item.id} inside the panel`);
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'wait');
    await page.screenshot({ path: join(artifacts, 'lesson-narrow.png') });
  });

  it('draws the task graph with elkjs when its tab is opened', async function () {
    const { page } = await open(htmlPath);
    assert.equal(await page.locator('#al-graph-svg').count(), 0, 'no graph until asked');
    await page.click('#al-tab-graph');
    await page.waitForSelector('#al-graph-svg', { timeout: 20_000 });
    const nodes = await page.$$eval('#al-graph-svg g.al-graph-node', (gs) => gs.map((g) => Number(g.getAttribute('data-task'))));
    assert.deepEqual(nodes.sort((a, b) => a - b), model.tasks.map((t) => t.id).sort((a, b) => a - b));
    const created = await page.locator('#al-graph-svg path.al-graph-edge[data-kind="created"]').count();
    assert.equal(created, model.tasks.filter((t) => t.parent !== null).length);
    assert.ok(await page.locator('#al-graph-svg path.al-graph-edge[data-kind="awaits"]').count() >= 3, 'main awaited the gathered workers');
    await page.screenshot({ path: join(artifacts, 'lesson-graph.png') });
    const failing = model.tasks.find((t) => t.coro === 'failing')!;
    await page.click(`#al-graph-svg g.al-graph-node[data-task="${failing.id}"]`);
    assert.equal(await page.locator('#al-timeline').isVisible(), true, 'back to the timeline');
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'task');
    assert.match(await page.locator('#al-details [data-field="error"]').textContent() ?? '', /RuntimeError/);
  });

  it('fills in live from host messages, and selects every wait at an await site', async function () {
    const info = { title: 'lesson.py', runtime: 'python', file: program, live: true };
    const livePath = join(dir, 'live.html');
    // A page with no records yet: the records then arrive as the extension host sends them.
    writeFileSync(livePath, renderStandaloneHtml([records[0]], { distDir: dist }));
    const { page } = await open(livePath);
    const deliver = (message: unknown) => page.evaluate((m) => (window as any).awaitlens.deliver(m), message);
    await deliver({ type: 'init', info });
    assert.match(await page.locator('#al-status').textContent() ?? '', /running/);
    const half = Math.floor(records.length / 2);
    await deliver({ type: 'records', records: records.slice(0, half) });
    await page.waitForFunction((n) => (window as any).awaitlens.model()?.stats.eventCount === n, half);
    const partial = await page.evaluate(() => (window as any).awaitlens.model().tasks.length);
    assert.ok(partial >= 1 && partial <= model.tasks.length);
    await deliver({ type: 'records', records: records.slice(half) });
    await deliver({ type: 'ended', code: 0 });
    await page.waitForFunction((n) => (window as any).awaitlens.model()?.tasks.length === n, model.tasks.length);
    assert.match(await page.locator('#al-status').textContent() ?? '', /exited with code 0/);
    await page.waitForFunction((n) => document.querySelectorAll('#al-tasks tr.al-task').length === n, model.tasks.length);
    // The hover's "show in timeline" link: every wait at the sleep line.
    await deliver({ type: 'select', selection: { kind: 'site', site: { file: program, line: sleepLine } } });
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'waits');
    assert.match(await page.locator('#al-details [data-field="headline"]').textContent() ?? '', /Suspended 3 times here by 3 tasks/);
  });

  it('shows unreadable trace lines as one notice and keeps the rest', async function () {
    const broken = traceText.split('\n');
    broken.splice(3, 0, '{"type": "resume", oops');
    const text = broken.join('\n') + '{"type":"output","t":1,"task":1,"stream":"std';
    const brokenPath = join(dir, 'broken.html');
    writeFileSync(brokenPath, renderStandaloneHtml(text, { distDir: dist }));
    const { page } = await open(brokenPath);
    const notice = page.locator('#al-problems');
    assert.ok(await notice.isVisible());
    assert.match(await notice.textContent() ?? '', /Line 4 of the trace: not valid JSON \(and 1 more unreadable line\)/);
    assert.equal(await page.locator('#al-tasks tr.al-task').count(), model.tasks.length, 'every task is still shown');
  });
});
