// The timeline with nothing to draw, in a VS Code-like host (nonce CSP, postMessage): a program
// with a syntax error (a REAL trace from the Python tracer, which writes a `syntax-error` warning),
// and a run that ended without writing a single record. The panel must say what happened, in
// text that wraps, with a link to the error's line, and never keep "Waiting for the trace…".
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, vscodeHostScript, writePanelHtml } from './vscodeHost';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord } from '../../src/trace/format';

const root = join(__dirname, '..', '..');

describe('webview: the empty state says why there is nothing to show', function () {
  this.timeout(60_000);
  let browser: Browser;
  let dir: string;
  let htmlPath: string;
  let syntaxRecords: TraceRecord[];
  let program: string;
  const errors: string[] = [];
  const source = 'import asyncio\n\n\nasync def main(:\n    await asyncio.sleep(0.1)\n\n\nasyncio.run(main())\n';
  const errorLine = source.split('\n').findIndex((l) => l.includes('def main(:')) + 1;

  before(async function () {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-webview-empty-'));
    // A long folder name: the message names the file, and must wrap rather than be cut off.
    program = join(dir, 'a_rather_long_folder_name_for_a_syntax_error_program', 'syntax_error_with_a_long_name.py');
    execFileSync('mkdir', ['-p', join(program, '..')]);
    writeFileSync(program, source);
    const tracePath = join(dir, 'syntax.ndjson');
    try {
      execFileSync('python3', [join(root, 'dist', 'tracers', 'python', 'awaitlens_tracer.py'), '--out', tracePath, '--', program], { stdio: 'pipe' });
    } catch {
      // Exit code 1: the syntax error. The trace is what matters.
    }
    syntaxRecords = parseTrace(readFileSync(tracePath, 'utf8')).records;
    assert.ok(syntaxRecords.some((r) => r.type === 'warning' && r.kind === 'syntax-error'), 'the tracer wrote a syntax-error warning');
    htmlPath = writePanelHtml(dir, 'empty').htmlPath;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  });

  after(async function () {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(errors, [], 'no errors and no CSP violations');
  });

  async function openPanel(width: number): Promise<{ page: Page; send: (m: unknown) => Promise<void> }> {
    const page = await browser.newPage({ viewport: { width, height: 600 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.addInitScript({ content: vscodeHostScript() });
    await page.goto(`file://${htmlPath}`);
    await page.waitForFunction(() => (window as any).__posted.some((m: any) => m.type === 'ready'));
    return { page, send: (m: unknown) => page.evaluate((x) => (window as any).__send(x), m) };
  }

  /** Where the empty-state text is, and how many lines it takes. */
  function textBox(page: Page) {
    return page.locator('#al-empty .al-empty-text').evaluate((p) => {
      const r = p.getBoundingClientRect();
      const range = document.createRange();
      range.selectNodeContents(p);
      const tops = new Set([...range.getClientRects()].map((c) => Math.round(c.top)));
      return { lines: tops.size, right: r.right, scrollWidth: p.scrollWidth, clientWidth: p.clientWidth, panelRight: document.getElementById('al-timeline')!.getBoundingClientRect().right };
    });
  }

  it('a trace with events but no task: the whole message, wrapped in a narrow panel', async function () {
    const { page, send } = await openPanel(420);
    await send({ type: 'init', info: { title: 'x.py', file: program, runtime: 'python', live: false } });
    await send({ type: 'records', records: syntaxRecords.filter((r) => r.type !== 'warning') });
    await send({ type: 'ended', code: 0, signal: null });
    await page.waitForFunction(() => document.getElementById('al-empty')?.dataset.kind === 'no-tasks');
    const text = await page.locator('#al-empty .al-empty-text').innerText();
    assert.match(text, /No tasks in this trace: the program ran no event loop \(or the trace ended before one started\)\./);
    const box = await textBox(page);
    assert.ok(box.lines >= 2, `the message wraps in a 420 px panel: ${JSON.stringify(box)}`);
    assert.ok(box.scrollWidth <= box.clientWidth + 1 && box.right <= box.panelRight + 1, `nothing cut off: ${JSON.stringify(box)}`);
    await page.close();
  });

  it('a syntax error: its message, wrapped in the panel, and a link that reveals its line', async function () {
    const { page, send } = await openPanel(420);
    await send({ type: 'init', info: { title: 'syntax_error_with_a_long_name.py', file: program, runtime: 'python', live: true } });
    await send({ type: 'records', records: syntaxRecords });
    await send({ type: 'ended', code: 1, signal: null });
    const empty = page.locator('#al-empty:not([hidden])');
    await empty.waitFor({ timeout: 10_000 });
    assert.equal(await empty.getAttribute('data-kind'), 'syntax-error');
    const text = await empty.locator('.al-empty-text').innerText();
    assert.match(text, /did not run: SyntaxError/, text);
    // Wrapped: several lines in a narrow panel, all of it inside the panel.
    const box = await textBox(page);
    assert.ok(box.scrollWidth <= box.clientWidth + 1 && box.right <= box.panelRight + 1, `nothing cut off: ${JSON.stringify(box)}`);
    const link = empty.locator('#al-empty-site');
    assert.match(await link.innerText(), new RegExp(`syntax_error_with_a_long_name\\.py:${errorLine}\\b`));
    await page.screenshot({ path: join(root, 'test-artifacts', 'webview', 'empty-syntax-error.png') }).catch(() => {});
    await link.click();
    const reveal = await page.waitForFunction(() => (window as any).__posted.find((m: any) => m.type === 'reveal'));
    const posted = await reveal.jsonValue() as { site: { file: string; line: number } };
    assert.equal(posted.site.file, program);
    assert.equal(posted.site.line, errorLine);
    await page.close();
  });

  it('a run that wrote no trace: the panel stops waiting and says how it ended and why', async function () {
    const { page, send } = await openPanel(900);
    await send({ type: 'init', info: { title: 'prog.py', file: '/x/prog.py', runtime: 'python', live: true } });
    const why = 'The program exited with code 0 and the tracer wrote no trace; its stderr ends: not python at all';
    await send({ type: 'problems', problems: [{ line: 0, message: why }] });
    await send({ type: 'ended', code: 0, signal: null });
    const empty = page.locator('#al-empty:not([hidden])');
    await empty.waitFor({ timeout: 10_000 });
    assert.equal(await empty.getAttribute('data-kind'), 'no-trace');
    assert.match(await empty.innerText(), /wrote no trace; its stderr ends: not python at all/);
    assert.match(await page.locator('#al-status').innerText(), /exited with code 0/);
    const notice = await page.locator('#al-problems').innerText();
    assert.ok(!/Everything readable is shown/.test(notice), `a run-level problem is said as it is: ${notice}`);
    // And with nothing said by the host: still not waiting.
    await send({ type: 'init', info: { title: 'prog.py', file: '/x/prog.py', runtime: 'python', live: true } });
    await send({ type: 'ended', code: 3, signal: null });
    await page.waitForFunction(() => document.getElementById('al-empty')?.dataset.kind === 'no-trace');
    assert.match(await empty.innerText(), /No trace was recorded: the program exited with code 3/);
    await page.close();
  });
});
