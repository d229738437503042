// End to end, in a real VS Code (code-server + Chromium): an error toast left open must not
// block the next trace (and an interpreter setting that is not Python is refused at once); a
// timeline tab restored after a reload brings its trace's hovers back however many traces were
// made since; Open Trace File on a trace whose tab is open (even not yet revived) shows that tab.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT, sleep } from './codeServer';
import { defaultTracePath, hasExit, waitForTrace } from './traceFacts';
import { endOfLineDecorations, hoverWord, openFile, runCommand, screenshot, useWorkbench } from './workbench';

const TRACE_COMMAND = 'Await Lens: Trace Current File';
const QUICK = 'import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0.05)\n\n\nasyncio.run(main())\n';
const AWAIT_LINE = 5;

describe('e2e: error toasts, restored timeline tabs, reopened traces (code-server + Chromium)', function () {
  this.timeout(300_000);
  const suite = useWorkbench({
    workspacePrefix: 'awaitlens-restore-', screenshotPrefix: 'restore-',
    prepare: (dir) => writeFileSync(join(dir, 'quick.py'), QUICK),
  });
  let workspace: string;
  let page: Page;
  before(() => { ({ workspace, page } = suite); });

  const toast = (pattern: RegExp) => page.locator('.notifications-toasts .notification-list-item', { hasText: pattern }).first();

  it('pythonPath = /bin/echo is refused with Open Setting; with that toast still open, a trace after the fix runs', async function () {
    const settingsDir = join(workspace, '.vscode');
    mkdirSync(settingsDir, { recursive: true });
    const settings = join(settingsDir, 'settings.json');
    writeFileSync(settings, JSON.stringify({ 'awaitLens.pythonPath': '/bin/echo' }));
    const program = join(workspace, 'quick.py');
    await openFile(page, 'quick.py');
    // The workbench reads the changed settings file on its own time: trace until it has.
    let text = '';
    for (let attempt = 0; attempt < 6 && !text; attempt++) {
      rmSync(defaultTracePath(program), { force: true });
      await runCommand(page, TRACE_COMMAND);
      text = await toast(/pythonPath/).locator('.notification-list-item-message').innerText({ timeout: 8_000 }).catch(() => '');
      if (!text) await waitForTrace(defaultTracePath(program), hasExit, 15_000).catch(() => {});
    }
    await screenshot(page, 'r01-echo-refused');
    assert.match(text, /\/bin\/echo.*is not a Python interpreter: `--version` said/, text);
    assert.ok(await toast(/pythonPath/).locator('.monaco-button', { hasText: 'Open Setting' }).isVisible(), 'the toast offers Open Setting');

    // The toast stays open. The setting is fixed; Trace Current File must now trace.
    writeFileSync(settings, JSON.stringify({}));
    rmSync(defaultTracePath(program), { force: true });
    let traced = false;
    for (let attempt = 0; attempt < 6 && !traced; attempt++) {
      await runCommand(page, TRACE_COMMAND);
      traced = await waitForTrace(defaultTracePath(program), hasExit, 8_000).then(() => true, () => false);
    }
    await screenshot(page, 'r02-traced-with-toast-open');
    assert.ok(traced, 'Trace Current File did nothing while the error toast was open');
    assert.ok(await toast(/pythonPath/).isVisible(), 'the first toast is still open (the test left it so)');
    rmSync(settingsDir, { recursive: true, force: true });
    await page.keyboard.press('Escape').catch(() => {});
  });

  it('after a reload, a timeline tab of a trace older than the 10 newest still brings its hovers back; Open Trace File shows that tab', async function () {
    const quick = join(workspace, 'quick.py');
    // quick.py's timeline is open (the test before traced it). Ten more traces, each opened from its file.
    for (let i = 0; i < 10; i++) {
      const file = join(workspace, `p${i}.py`);
      writeFileSync(file, `${QUICK}# ${i}\n`);
      execFileSync(process.execPath, [join(REPO_ROOT, 'dist', 'cli.js'), 'trace', file, '--out', join(workspace, `p${i}.ndjson`), '--no-summary'], { stdio: 'pipe' });
    }
    for (let i = 0; i < 10; i++) {
      await openFile(page, `p${i}.ndjson`);
      await page.locator('.part.editor .editor-group-container.active .editor-actions .action-label[aria-label*="Open Trace File"]').first().click();
      await page.locator(`.tabs-container .tab[aria-label^="Await Lens: p${i}.py"]`).first().waitFor({ timeout: 15_000 });
    }
    const quickTabs = page.locator('.tabs-container .tab[aria-label^="Await Lens: quick.py"]');
    assert.equal(await quickTabs.count(), 1, 'quick.py has its timeline tab');
    const groupsBefore = await page.locator('.part.editor .editor-group-container').count();
    await sleep(1000); // let the workspace state be written

    await page.reload();
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await page.locator('.tabs-container .tab[aria-label^="Await Lens: quick.py"]').first().waitFor({ timeout: 30_000 });
    await openFile(page, 'quick.py');
    // The annotation first (drawn once the remembered traces are read again), then the hover.
    const annotatedBy = Date.now() + 20_000;
    while (!(await endOfLineDecorations(page)).has(AWAIT_LINE) && Date.now() < annotatedBy) await sleep(250);
    let text = '';
    let failure = '';
    for (let attempt = 0; attempt < 3 && !text; attempt++) {
      text = await hoverWord(page, AWAIT_LINE, 'await', /Await Lens/).catch((e) => { failure = String(e); return ''; });
    }
    await screenshot(page, 'r03-hover-after-reload');
    if (!text) {
      console.log('DEBUG hovers', await page.evaluate(() => [...document.querySelectorAll('.monaco-hover')].map((h) => `${h.className}: ${(h as HTMLElement).innerText.slice(0, 200)}`)));
      console.log('DEBUG editors', await page.evaluate(() => [...document.querySelectorAll('.editor-instance .monaco-editor')].map((e) => `${e.getAttribute('data-uri')} ${(e as HTMLElement).offsetWidth}`)));
    }
    assert.ok((await endOfLineDecorations(page)).has(AWAIT_LINE), 'no annotation on quick.py\'s await after the reload');
    assert.match(text, /Await Lens/, `no hover on quick.py's await after the reload: ${failure}`);
    assert.match(text, /once/, text);

    // Its timeline tab was restored but never shown since: Open Trace File shows it, no second one.
    await openFile(page, '.awaitlens/quick.py.ndjson');
    await page.locator('.part.editor .editor-group-container.active .editor-actions .action-label[aria-label*="Open Trace File"]').first().click();
    await page.locator('.tabs-container .tab.active[aria-label^="Await Lens: quick.py"]').first().waitFor({ timeout: 15_000 });
    await sleep(1000);
    await screenshot(page, 'r04-open-trace-file-reveals');
    assert.equal(await quickTabs.count(), 1, 'Open Trace File opened a second timeline of quick.py');
    assert.equal(await page.locator('.part.editor .editor-group-container').count(), groupsBefore, 'Open Trace File made a new editor group');
    void quick;
  });
});
