// The standalone page in headless Chromium with traces a tester made hostile: source paths with
// lone surrogates, "#", "?" and "%"; bidi controls and right-to-left text in names, files and
// labels; very long names and versions; narrow and short windows; hours-long traces. Every page
// is the real bundle under its real CSP; every test reads what the page shows (DOM, layout,
// the strings drawn on the canvas) and fails on any page error.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderStandaloneHtml } from '../../src/html/standalone';

const root = join(__dirname, '..', '..');
const dist = join(root, 'dist');
/** A real Python trace of examples/python/001d_gather.py (paths made neutral): main gathers three sleeping tasks. */
const GATHER = readFileSync(join(root, 'test', 'fixtures', 'webview', 'gather.ndjson'), 'utf8');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

type Rec = Record<string, any>;
const gatherRecords = (): Rec[] => GATHER.trim().split('\n').map((line) => JSON.parse(line));
const toText = (records: Rec[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Bidi controls that must never reach the canvas (FSI/PDI are the isolates the page adds itself). */
const OVERRIDES = /[\u061C\u200E\u200F\u202A-\u202E\u2066\u2067]/;

/** Records every string the page draws on a canvas (in page: window.__drawn). */
function recordCanvasText(): void {
  const drawn = new Set<string>();
  (window as any).__drawn = drawn;
  const fillText = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text: string, x: number, y: number, maxWidth?: number) {
    drawn.add(String(text));
    return maxWidth === undefined ? fillText.call(this, text, x, y) : fillText.call(this, text, x, y, maxWidth);
  };
}

const drawnTexts = (page: Page) => page.evaluate(() => [...(window as any).__drawn as Set<string>]);

/**
 * Whether `needles` appear left to right, line by line, in the rendered text of `selector`
 * (the first occurrence of each, in logical order): what a reader sees, as laid out by the browser.
 */
function visualOrder(page: Page, selector: string, needles: string[]): Promise<{ ok: boolean; where: number[][]; text: string }> {
  return page.evaluate(({ selector, needles }) => {
    const root = document.querySelector(selector)!;
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    const text = nodes.map((n) => n.data).join('');
    const where: number[][] = [];
    let from = 0;
    for (const needle of needles) {
      const at = text.indexOf(needle, from);
      if (at < 0) return { ok: false, where, text };
      from = at + needle.length;
      // The first character's box.
      let offset = at;
      const node = nodes.find((n) => (offset < n.data.length ? true : ((offset -= n.data.length), false)))!;
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      const rect = range.getBoundingClientRect();
      where.push([rect.left, rect.top]);
    }
    const ok = where.every((p, i) => i === 0 || p[1] > where[i - 1][1] + 2 || (Math.abs(p[1] - where[i - 1][1]) <= 2 && p[0] > where[i - 1][0]));
    return { ok, where, text };
  }, { selector, needles });
}

interface OpenPage { page: Page; errors: string[] }

describe('webview: hostile trace text, small windows and long traces', function () {
  this.timeout(60_000);
  let browser: Browser;
  let dir: string;
  const opened: OpenPage[] = [];

  async function open(name: string, records: Rec[], options: { width?: number; height?: number; forcedColors?: boolean } = {}): Promise<OpenPage> {
    const path = join(dir, `${name}.html`);
    writeFileSync(path, renderStandaloneHtml(toText(records), { distDir: dist }));
    const page = await browser.newPage({ viewport: { width: options.width ?? 1280, height: options.height ?? 760 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') errors.push(`console ${m.type()}: ${m.text()}`); });
    if (options.forcedColors) await page.emulateMedia({ forcedColors: 'active' });
    await page.addInitScript(recordCanvasText);
    await page.goto(`file://${path}`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 20_000 });
    const result = { page, errors };
    opened.push(result);
    return result;
  }

  /** Clicks what `selection` is drawn as on the canvas. */
  async function clickOnCanvas(page: Page, selection: unknown): Promise<void> {
    const point = await page.evaluate((s) => (window as any).awaitlens.timeline.locate(s), selection);
    assert.ok(point, `${JSON.stringify(selection)} is on screen`);
    const box = (await page.locator('#al-canvas').boundingBox())!;
    await page.mouse.click(box.x + point.x, box.y + point.y);
  }

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-hostile-'));
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  afterEach(async function () {
    for (const { page, errors } of opened.splice(0)) {
      await page.close();
      assert.deepEqual(errors, [], 'no page errors, console errors or CSP violations');
    }
  });

  after(async function () {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reveals a source path with a lone surrogate, "#", "?" and "%" as a vscode:// link to that file', async function () {
    const records = gatherRecords();
    // Python writes undecodable bytes of a file name as lone surrogates ("\udcff").
    const file = '/tmp/a#b?c%d 1/\udcffname.py';
    const where = records.find((r) => r.type === 'where' && r.id === 2)!;
    where.site.file = file;
    const { page, errors } = await open('surrogate', records);
    const wait = await page.evaluate(() => (window as any).awaitlens.model().waits.findIndex((w: any) => w.task === 2));
    await clickOnCanvas(page, { kind: 'wait', wait });
    await page.waitForFunction(() => ((window as any).awaitlensReveals ?? []).length > 0);
    assert.deepEqual(errors, [], 'the reveal threw nothing');
    const link = page.locator('#al-reveal a');
    const href = (await link.getAttribute('href'))!;
    assert.equal(href, 'vscode://file/tmp/a%23b%3Fc%25d%201/%EF%BF%BDname.py:7:5');
    // Read back as a URL: all of it is the path (no fragment, no query), the file with U+FFFD for the surrogate.
    const parsed = await page.evaluate((h) => { const u = new URL(h); return { path: decodeURIComponent(u.pathname), hash: u.hash, search: u.search }; }, href);
    assert.deepEqual(parsed, { path: '/tmp/a#b?c%d 1/\ufffdname.py:7:5', hash: '', search: '' });
    assert.equal(await page.locator('#al-reveal').getAttribute('data-line'), '7');
    // The details panel's reveal button goes the same way.
    await page.click('#al-details-reveal');
    await page.waitForFunction(() => (window as any).awaitlensReveals.length === 2);
    assert.equal(await link.getAttribute('href'), href);
  });

  it('keeps bidi controls and right-to-left text in trace text from reordering the page\'s own text', async function () {
    const records = gatherRecords();
    const task = (id: number) => records.find((r) => r.type === 'task' && r.task === id)!;
    task(2).name = 'job\u202e';                 // right-to-left override, never closed
    task(3).coro = 'func2\u200f\u2067';         // a right-to-left mark and an unclosed isolate
    task(4).name = 'مرحبا';                     // Arabic: a right-to-left name beside left-to-right text
    records.find((r) => r.type === 'where' && r.id === 3)!.site.file = '/tmp/evil\u202e.py';
    records.find((r) => r.type === 'step' && r.task === 4)!.awaiting.label = 'asyncio.sleep(1)\u202b';
    const { page } = await open('bidi', records);

    // The details of a step of "job\u202e": "job (func1) running", in that order on screen.
    const step = await page.evaluate(() => (window as any).awaitlens.model().steps.findIndex((s: any) => s.task === 2));
    await page.evaluate((i) => (window as any).awaitlens.select({ kind: 'step', step: i }), step);
    const title = await visualOrder(page, '#al-details .al-details-title', ['job', '(func1)', 'running']);
    assert.ok(title.ok, `details title in reading order: ${JSON.stringify(title)}`);

    // Every wait at the gather line: the tasks that ran meanwhile, listed in order, commas where they belong.
    const gatherLine = records.find((r) => r.type === 'where' && r.id === 1)!.site;
    await page.evaluate((m) => (window as any).awaitlens.deliver(m), { type: 'select', selection: { kind: 'site', site: { file: gatherLine.file, line: gatherLine.line } } });
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'waits');
    const meanwhile = await page.locator('#al-details [data-field="ran-meanwhile"] dd').textContent() ?? '';
    const names = meanwhile.replace(/[\u2068\u2069]/g, '').split(', ').map((s) => s.split(' ')[0]);
    assert.ok(names.length >= 3, `three tasks ran meanwhile: ${JSON.stringify(meanwhile)}`);
    const order = await visualOrder(page, '#al-details [data-field="ran-meanwhile"] dd', names);
    assert.ok(order.ok, `"Ran meanwhile" in reading order: ${JSON.stringify(order)}`);

    // The wait at the "evil\u202e.py" line: its site reads file, then line, then column.
    const wait = await page.evaluate(() => (window as any).awaitlens.model().waits.findIndex((w: any) => w.task === 3));
    await page.evaluate((i) => (window as any).awaitlens.select({ kind: 'wait', wait: i }), wait);
    const site = await visualOrder(page, '#al-details [data-field="site"] dd', ['evil', '.py', ':13', ':5']);
    assert.ok(site.ok, `site in reading order: ${JSON.stringify(site)}`);
    const tasks = await visualOrder(page, '#al-tasks tr.al-task[data-task="3"]', ['Task-3', 'func2', 'returned']);
    assert.ok(tasks.ok, `task row in reading order: ${JSON.stringify(tasks)}`);
    // The program's own names stay in the DOM contract as they are.
    assert.equal(await page.locator('#al-tasks tr.al-task[data-task="2"]').getAttribute('data-name'), 'job\u202e');

    // The canvas: no override or embedding reaches fillText; right-to-left text is drawn isolated.
    await page.evaluate(() => (window as any).awaitlens.timeline.draw());
    const drawn = await drawnTexts(page);
    const bad = drawn.filter((t) => OVERRIDES.test(t) || (t.match(/\u2069/g) ?? []).length > (t.match(/\u2068/g) ?? []).length);
    assert.deepEqual(bad, [], 'no bidi controls in canvas text, isolates balanced');
    assert.ok(drawn.some((t) => t.startsWith('evil.py:13')), `the wait label reads "evil.py:13 …": ${JSON.stringify(drawn)}`);
    assert.ok(drawn.includes('\u2068مرحبا\u2069'), 'the Arabic name is drawn as an isolate');
    assert.ok(drawn.includes('job'), 'the override is not drawn');
  });

  it('cuts long task names with an ellipsis in the task graph and the lanes, keeping their ends apart', async function () {
    const records = gatherRecords();
    const long = (id: number) => `download https://example.com/assets/images/2024/a/very/long/path/to/the/photos/photo-${id}.png`;
    for (const r of records) if (r.type === 'task' && r.task > 1) r.name = long(r.task);
    const { page } = await open('long-names', records);
    const drawn = await drawnTexts(page);
    for (const id of [2, 3, 4]) {
      assert.ok(drawn.some((t) => t.includes('…') && t.startsWith('download') && t.endsWith(`photo-${id}.png`)), `lane name of task ${id} keeps its end: ${JSON.stringify(drawn.filter((t) => t.startsWith('download')))}`);
    }
    await page.click('#al-tab-graph');
    await page.waitForSelector('#al-graph-svg g.al-graph-node');
    const nodes = await page.$$eval('#al-graph-svg g.al-graph-node', (gs) => gs.map((g) => {
      const rect = g.querySelector('rect')!;
      const name = g.querySelector<SVGTextElement>('text.al-graph-name')!;
      const coro = g.querySelector<SVGTextElement>('text.al-graph-coro')!;
      return {
        task: Number(g.getAttribute('data-task')), width: Number(rect.getAttribute('width')),
        nameRight: Number(name.getAttribute('x')) + name.getComputedTextLength(), coroRight: Number(coro.getAttribute('x')) + coro.getComputedTextLength(),
        name: name.textContent ?? '', title: g.querySelector('title')?.textContent ?? '',
      };
    }));
    assert.equal(nodes.length, 4);
    for (const node of nodes) {
      assert.ok(node.nameRight <= node.width - 4, `task ${node.task}: the name stays inside its box (${JSON.stringify(node)})`);
      assert.ok(node.coroRight <= node.width - 4, `task ${node.task}: the second line stays inside its box`);
      if (node.task === 1) continue;
      assert.ok(node.name.includes('…') && node.name.endsWith(`photo-${node.task}.png`), `task ${node.task}: cut in the middle (${node.name})`);
      assert.ok(node.title.startsWith(long(node.task)), 'the whole name in the tooltip');
    }
  });

  it('cuts a long runtime version in its badge instead of squeezing the title or scrolling sideways', async function () {
    const records = gatherRecords();
    records[0].runtimeVersion = `3.11.7 (main, ${'x'.repeat(300)}) [GCC 12.2.0 with a very long build description]`;
    const { page } = await open('long-version', records);
    const layout = await page.evaluate(() => {
      const badge = document.getElementById('al-runtime')!;
      return {
        scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
        title: document.getElementById('al-title')!.getBoundingClientRect().toJSON(), badge: badge.getBoundingClientRect().toJSON(),
        status: document.getElementById('al-status')!.getBoundingClientRect().toJSON(),
        badgeCut: badge.scrollWidth > badge.clientWidth, badgeTitle: badge.title,
      };
    });
    assert.ok(layout.scrollWidth <= layout.innerWidth, `no sideways scrolling (${layout.scrollWidth} > ${layout.innerWidth})`);
    assert.ok(layout.title.width >= 100, `the title keeps its room (${layout.title.width} px)`);
    assert.ok(layout.badge.width <= layout.innerWidth * 0.45, `the badge is cut (${layout.badge.width} px)`);
    assert.ok(layout.badgeCut, 'with an ellipsis');
    assert.match(layout.badgeTitle, /GCC 12\.2\.0 with a very long build description/, 'the whole version in its tooltip');
    assert.ok(layout.status.right <= layout.innerWidth, 'the status is on screen');
  });

  it('leaves room for the outcome and the timeline at 800×600, and keeps the Source bar apart at 600×400', async function () {
    const mid = await open('gather-800', gatherRecords(), { width: 800, height: 600 });
    const details = (await mid.page.locator('#al-details').boundingBox())!;
    assert.ok(details.width <= 240, `the empty details panel leaves the timeline room (${details.width} px)`);
    const drawn = await drawnTexts(mid.page);
    assert.deepEqual(drawn.filter((t) => /^re\w*…$/.test(t)), [], 'outcomes drawn in full ("returned", not "re…")');
    assert.ok(drawn.includes('returned'));

    const small = await open('gather-600', gatherRecords(), { width: 600, height: 400 });
    const page = small.page;
    const wait = await page.evaluate(() => (window as any).awaitlens.model().waits.findIndex((w: any) => w.task === 3));
    await clickOnCanvas(page, { kind: 'wait', wait });
    await page.waitForFunction(() => ((window as any).awaitlensReveals ?? []).length > 0);
    const boxes = await page.evaluate(() => Object.fromEntries(['al-main', 'al-details', 'al-summary', 'al-reveal'].map((id) => {
      const r = document.getElementById(id)!.getBoundingClientRect();
      return [id, { top: r.top, bottom: r.bottom }];
    })));
    assert.ok(boxes['al-details'].bottom <= boxes['al-main'].bottom + 0.5, `the details stay inside the main area: ${JSON.stringify(boxes)}`);
    assert.ok(boxes['al-summary'].top >= boxes['al-main'].bottom - 0.5, 'the summary is below it');
    assert.ok(boxes['al-reveal'].top >= boxes['al-summary'].bottom - 0.5, 'the Source bar is below that');
    // Nothing covers the details heading: it is what is at its own centre.
    await page.locator('#al-details .al-details-title').scrollIntoViewIfNeeded();
    const onTop = await page.evaluate(() => {
      const heading = document.querySelector('#al-details .al-details-title')!;
      const r = heading.getBoundingClientRect();
      const hit = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
      return !!hit && heading.contains(hit);
    });
    assert.ok(onTop, 'the details heading is not covered');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal overflow');
  });

  it('shows the "hand-offs in view" note under the lanes, never over them', async function () {
    // 30 tasks taking turns: hundreds of hand-offs, too many to draw each at 800 px.
    const records: Rec[] = [
      { type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.11.7', program: '/tmp/turns.py', argv: ['turns.py'] },
      { type: 'task', task: 1, name: 'Task-1', coro: 'main', parent: null, t: 1000, site: { file: '/tmp/turns.py', line: 20, col: 1 } },
      { type: 'where', id: 1, site: { file: '/tmp/turns.py', line: 5, col: 9 }, stack: [{ fn: 'worker', file: '/tmp/turns.py', line: 5 }] },
      { type: 'step', task: 1, t: 1000, d: 5000, cause: { kind: 'start' }, where: 1, awaiting: { kind: 'tasks', label: 'asyncio.gather(30 tasks)', tasks: [2, 3], how: 'gather' } },
    ];
    let t = 10_000;
    for (let k = 2; k <= 31; k++) records.push({ type: 'task', task: k, name: `worker-${k}`, coro: 'worker', parent: 1, t: (t += 100), site: { file: '/tmp/turns.py', line: 20, col: 9 } });
    for (let round = 0; round < 20; round++) {
      for (let k = 2; k <= 31; k++) {
        const step: Rec = { type: 'step', task: k, t, d: 20_000, where: 1, awaiting: { kind: 'sleep', label: 'asyncio.sleep(0)', delay: 0 } };
        if (round === 0) step.cause = { kind: 'start' };
        records.push(step);
        t += 21_000;
      }
    }
    for (let k = 2; k <= 31; k++) {
      records.push({ type: 'resume', task: k, t: (t += 500), cause: { kind: 'yield' } }, { type: 'end', task: k, t: t + 100, outcome: 'returned' });
    }
    records.push({ type: 'resume', task: 1, t: t + 1000, cause: { kind: 'task', task: 31 } }, { type: 'end', task: 1, t: t + 2000, outcome: 'returned' }, { type: 'exit', t: t + 5000, code: 0, signal: null });
    const { page } = await open('turns', records, { width: 800, height: 600 });
    await page.evaluate(() => (window as any).awaitlens.timeline.draw());
    assert.ok((await drawnTexts(page)).some((t) => /^[\d,]+ hand-offs in view/.test(t)), 'the note is shown');
    // Scrolled to the end, the last lane is above the note, not under it.
    await page.evaluate(() => (window as any).awaitlens.timeline.scrollBy(1e6));
    // The native scrollbar follows on a scroll event (and would pull the view back if it could not go as far).
    await page.waitForTimeout(200);
    await page.evaluate(() => (window as any).awaitlens.timeline.draw());
    const geometry = await page.evaluate(() => {
      const api = (window as any).awaitlens;
      const lanes = api.timeline.visibleLanes;
      const last = api.timeline.locate({ kind: 'task', task: lanes[lanes.length - 1].id });
      return { lastMid: last?.y, height: (document.getElementById('al-canvas') as HTMLCanvasElement).getBoundingClientRect().height };
    });
    assert.ok(geometry.lastMid !== undefined, 'the last lane is on screen');
    // A lane is 30 px: its bottom half (bar, labels) must end above the 20 px note strip.
    assert.ok(geometry.lastMid + 15 <= geometry.height - 20, `last lane clear of the note: ${JSON.stringify(geometry)}`);
  });

  it('labels the axis of an hours-long trace in minutes and hours', async function () {
    const records = gatherRecords();
    // The same program, 3600 times slower: about three hours.
    for (const r of records) {
      for (const key of ['t', 'd', 'dur']) if (typeof r[key] === 'number') r[key] *= 3600;
    }
    const { page } = await open('hours', records);
    const labels = await page.evaluate(() => document.getElementById('al-axis')!.dataset.labels ?? '');
    assert.ok(labels.length > 0);
    for (const label of labels.split('|')) assert.match(label, /^-?\d+ (min|h)$|^-?\d+ h \d\d min$/, `axis label ${label} of ${labels}`);
    assert.match(await page.locator('#al-axis').textContent() ?? '', /ticks every (\d+ min|\d+ h)/);
  });

  it('is keyboard and screen-reader friendly: tabs, zoom buttons, the canvas, forced colors', async function () {
    const { page } = await open('a11y', gatherRecords(), { forcedColors: true });
    // Only tabs in the tablist.
    assert.deepEqual(await page.$$eval('[role="tablist"] > *', (items) => items.map((i) => i.getAttribute('role'))), ['tab', 'tab']);
    const state = () => page.evaluate(() => ({
      focused: document.activeElement?.id,
      selected: [...document.querySelectorAll('[role="tab"]')].filter((t) => t.getAttribute('aria-selected') === 'true').map((t) => t.id),
      tabIndex: [...document.querySelectorAll<HTMLElement>('[role="tab"]')].map((t) => t.tabIndex),
      graphShown: !document.getElementById('al-graph')!.hidden,
    }));
    assert.deepEqual((await state()).tabIndex, [0, -1], 'roving tabindex: only the selected tab is in the Tab order');
    await page.focus('#al-tab-timeline');
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await state(), { focused: 'al-tab-graph', selected: ['al-tab-graph'], tabIndex: [-1, 0], graphShown: true });
    await page.keyboard.press('ArrowRight');
    assert.deepEqual(await state(), { focused: 'al-tab-timeline', selected: ['al-tab-timeline'], tabIndex: [0, -1], graphShown: false }, 'wraps around');
    await page.keyboard.press('End');
    assert.equal((await state()).focused, 'al-tab-graph');
    await page.keyboard.press('Home');
    assert.equal((await state()).focused, 'al-tab-timeline');
    await page.keyboard.press('ArrowLeft');
    assert.deepEqual((await state()).selected, ['al-tab-graph']);
    await page.keyboard.press('ArrowLeft');

    // In forced colors, only the selected tab is underlined.
    const tabs = await page.$$eval('[role="tab"]', (items) => items.map((t) => {
      const s = getComputedStyle(t);
      return { selected: t.getAttribute('aria-selected') === 'true', border: s.borderBottomColor, width: s.borderBottomWidth, style: s.borderBottomStyle, background: s.backgroundColor };
    }));
    const selected = tabs.find((t) => t.selected)!, other = tabs.find((t) => !t.selected)!;
    const visible = (t: typeof selected) => t.style !== 'none' && t.width !== '0px' && t.border !== t.background && t.border !== 'rgba(0, 0, 0, 0)';
    assert.ok(visible(selected), `the selected tab is underlined: ${JSON.stringify(tabs)}`);
    assert.ok(!visible(other), `the other is not: ${JSON.stringify(tabs)}`);

    // Names: icon buttons by what they do; the canvas as an interactive region described by its keys.
    assert.equal(await page.getByRole('button', { name: 'Zoom in', exact: true }).count(), 1);
    assert.equal(await page.getByRole('button', { name: 'Zoom out', exact: true }).count(), 1);
    const canvas = await page.evaluate(() => {
      const c = document.getElementById('al-canvas')!;
      return { role: c.getAttribute('role'), label: c.getAttribute('aria-label'), roledescription: c.getAttribute('aria-roledescription'), tabIndex: c.tabIndex, help: document.getElementById(c.getAttribute('aria-describedby') ?? '')?.textContent ?? '' };
    });
    assert.equal(canvas.role, 'application');
    assert.ok(canvas.label && canvas.roledescription);
    assert.equal(canvas.tabIndex, 0);
    assert.match(canvas.help, /plus and minus zoom/);
  });
});
