// The timeline of a real Node.js trace (the Node tracer through the CLI, which also writes the
// standalone page with --html), read in headless Chromium.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'fixtures', 'fetch_all.mjs');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

describe('webview: the timeline of a real Node.js trace', function () {
  this.timeout(60_000);
  let browser: Browser;
  let page: Page;
  let dir: string;
  const errors: string[] = [];
  const source = readFileSync(program, 'utf8');
  const sleepLine = source.split('\n').findIndex((l) => l.includes('await sleep(ms)')) + 1;
  const allLine = source.split('\n').findIndex((l) => l.includes('Promise.all(')) + 1;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-webview-node-'));
    const html = join(dir, 'fetch_all.html');
    execFileSync('node', [join(root, 'dist', 'cli.js'), 'trace', program, '--out', join(dir, 't.ndjson'), '--html', html, '--no-summary'], { stdio: 'pipe', timeout: 60_000 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`file://${html}`);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 20_000 });
  });

  after(async function () {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(errors, []);
  });

  it('lists the async calls, each suspended at its await line, and main at Promise.all', async function () {
    assert.match(await page.locator('#al-runtime').textContent() ?? '', /Node\.js/);
    const rows = await page.$$eval('#al-tasks tr.al-task', (trs) => trs.map((tr) => ({
      coro: (tr as HTMLElement).dataset.coro,
      outcome: (tr as HTMLElement).dataset.outcome,
      lines: [...tr.querySelectorAll<HTMLElement>('li.al-wait')].map((li) => Number(li.dataset.line)),
    })));
    const fetches = rows.filter((r) => r.coro === 'fetchUser');
    assert.equal(fetches.length, 3);
    for (const f of fetches) {
      assert.equal(f.outcome, 'returned');
      assert.ok(f.lines.includes(sleepLine), `fetchUser waits at line ${sleepLine}: ${f.lines}`);
    }
    const main = rows.find((r) => r.coro === 'main');
    assert.ok(main?.lines.includes(allLine), `main waits at Promise.all (line ${allLine})`);
  });

  it('shows about 90 ms concurrently against about 180 ms one after another', async function () {
    const wall = Number(await page.locator('[data-stat="wall"] dd').getAttribute('data-ns')) / 1e6;
    const sequential = Number(await page.locator('[data-stat="sequential"] dd').getAttribute('data-ns')) / 1e6;
    assert.ok(wall >= 85 && wall < 2000, `wall ${wall} ms`);
    assert.ok(sequential >= 175, `one after another ${sequential} ms`);
    // Concurrency, structurally (a loaded machine stretches the wall time, not the overlap):
    // the three sleeps were all pending at once, as the header's sum of waits says.
    const sleeps: [number, number][] = await page.evaluate((line) => (window as any).awaitlens.model().waits
      .filter((w: any) => w.site?.line === line).map((w: any) => [w.start, w.end] as [number, number]), sleepLine);
    assert.equal(sleeps.length, 3);
    assert.ok(Math.max(...sleeps.map((s) => s[0])) < Math.min(...sleeps.map((s) => s[1])), 'all three sleeps overlap');
  });

  it('reveals the await line of a clicked suspended stretch, and prints literally', async function () {
    const target = await page.evaluate((line) => {
      const model = (window as any).awaitlens.model();
      const wait = model.waits.find((w: any) => w.site?.line === line && w.end - w.start > 80e6);
      return wait ? (window as any).awaitlens.timeline.locate({ kind: 'wait', wait: wait.index }) : null;
    }, sleepLine);
    assert.ok(target, 'the 90 ms sleep is on screen');
    const box = (await page.locator('#al-canvas').boundingBox())!;
    await page.mouse.click(box.x + target.x, box.y + target.y);
    await page.waitForFunction(() => ((window as any).awaitlensReveals ?? []).length > 0);
    const reveals = await page.evaluate(() => (window as any).awaitlensReveals);
    assert.deepEqual(reveals.map((r: any) => [r.file, r.line]), [[program, sleepLine]]);
    const outputs = await page.$$eval('#al-outputs .al-output-text', (items) => items.map((i) => i.textContent));
    assert.ok(outputs.includes('<i>user 2</i> loaded'));
    assert.equal(await page.locator('#al-app i').count(), 0);
  });
});
