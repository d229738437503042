// The webview as VS Code runs it: the panel HTML from renderWebviewHtml (nonce CSP, external
// script and stylesheet), a stand-in for acquireVsCodeApi that records what the webview posts and
// saves, and host messages delivered with window.postMessage, as VS Code does.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, vscodeHostScript, writePanelHtml } from './vscodeHost';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord } from '../../src/trace/format';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'fixtures', 'lesson.py');

describe('webview: inside a VS Code-like host (nonce CSP, postMessage, state API)', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  let dir: string;
  let records: TraceRecord[];
  const errors: string[] = [];
  const sleepLine = readFileSync(program, 'utf8').split('\n').findIndex((l) => l.includes('await asyncio.sleep(delay)')) + 1;

  const posted = () => page.evaluate(() => (window as any).__posted as { type: string }[]);
  // As VS Code delivers them: window messages, handled in a later task (see __send below).
  const send = (message: unknown) => page.evaluate((m) => (window as any).__send(m), message);

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-webview-vscode-'));
    const tracePath = join(dir, 'lesson.ndjson');
    execFileSync('python3', [join(root, 'dist', 'tracers', 'python', 'awaitlens_tracer.py'), '--out', tracePath, '--', program], { stdio: 'pipe' });
    records = parseTrace(readFileSync(tracePath, 'utf8')).records;
    const { htmlPath, html, nonce } = writePanelHtml(dir, 'lesson.py');
    assert.match(html, new RegExp(`script-src &#39;nonce-${nonce}&#39;`));
    assert.ok(!/<script>/.test(html) && !/<style>/.test(html), 'no inline script or style');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1200, height: 700 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.addInitScript({ content: vscodeHostScript({ darkTheme: true }) });
    await page.goto(`file://${htmlPath}`);
    await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'ready'));
  });

  after(async function () {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(errors, [], 'no errors and no CSP violations');
  });

  it('says ready, then fills in from init, records batches and ended', async function () {
    assert.equal((await posted())[0].type, 'ready');
    await send({ type: 'init', info: { title: 'lesson.py', runtime: 'python', file: program, live: true } });
    assert.match(await page.locator('#al-status').textContent() ?? '', /running/);
    assert.ok(await page.locator('#al-stop').isVisible(), 'a live trace can be stopped from the view');
    const third = Math.ceil(records.length / 3);
    for (let i = 0; i < records.length; i += third) await send({ type: 'records', records: records.slice(i, i + third) });
    await send({ type: 'ended', code: 0 });
    await page.waitForFunction((n) => document.querySelectorAll('#al-tasks tr.al-task').length === n && /exited/.test(document.getElementById('al-status')!.textContent!), 6);
    assert.ok(await page.locator('#al-stop').isHidden());
    await page.click('#al-rerun');
    assert.ok((await posted()).some((m) => m.type === 'rerun'));
  });

  it('posts reveal with the await line when a wait is clicked, and saves its view state', async function () {
    const point = await page.evaluate((line) => {
      const model = (window as any).awaitlens.model();
      const wait = model.waits.find((w: any) => w.site?.line === line);
      return (window as any).awaitlens.timeline.locate({ kind: 'wait', wait: wait.index });
    }, sleepLine);
    const box = (await page.locator('#al-canvas').boundingBox())!;
    await page.mouse.click(box.x + point.x, box.y + point.y);
    await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'reveal'));
    const reveal = (await posted()).find((m) => m.type === 'reveal') as unknown as { site: { file: string; line: number } };
    assert.equal(reveal.site.file, program);
    assert.equal(reveal.site.line, sleepLine);
    await page.waitForFunction(() => (window as any).__state?.view?.selection?.kind === 'wait');
    const state = await page.evaluate(() => (window as any).__state);
    assert.equal(state.info.file, program);
    assert.ok(state.view.viewEnd > state.view.viewStart);
    assert.ok((await posted()).some((m) => m.type === 'viewState'), 'the host hears about view changes too');
  });

  it('selects every wait at an await site on the hover link request', async function () {
    await send({ type: 'select', selection: { kind: 'site', site: { file: program, line: sleepLine } } });
    await page.waitForFunction(() => document.getElementById('al-details')?.dataset.kind === 'waits');
    assert.match(await page.locator('#al-details [data-field="headline"]').textContent() ?? '', /3 times/);
  });

  it('ignores messages that are not part of the protocol', async function () {
    await send({ type: 'evil', html: '<img src=x onerror=alert(1)>' });
    await send('just a string');
    assert.equal(await page.locator('#al-details').getAttribute('data-kind'), 'waits');
  });
});
