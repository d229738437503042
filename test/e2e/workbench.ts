// What a user does in the VS Code workbench, as playwright steps: open a file, run a command
// from the palette, read the cursor position from the status bar, hover a word, read
// notifications, reach into the timeline webview. Selectors are VS Code's own workbench DOM.
import { join } from 'node:path';
import type { FrameLocator, Locator, Page } from 'playwright-core';
import { rmSync } from 'node:fs';
import { ensureArtifactsDir, makeWorkspace, openWorkbench, sleep, startCodeServer, type CodeServer, type Workbench } from './codeServer';

/** Opens a workspace file with Quick Open (Ctrl+P), as a user would; once more if the first try did not take. */
export async function openFile(page: Page, relativePath: string): Promise<void> {
  const base = relativePath.split('/').pop()!;
  // The file's tab, active in the active editor group: opened and in front, not just open somewhere.
  const activeTab = page.locator(`.part.editor .editor-group-container.active .tab.active[aria-label^="${base}"]`);
  // A file created a moment ago may be missing from the first search: a fresh Quick Open
  // searches again, so several short tries beat one long wait.
  for (let attempt = 1; ; attempt++) {
    try {
      await focusWorkbench(page);
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor();
      await fillQuickInput(page, relativePath);
      // File search answers asynchronously; Enter before the row shows opens nothing.
      const row = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
      await row.waitFor({ timeout: 10_000 });
      await row.click();
      await activeTab.first().waitFor({ timeout: 15_000 });
      await page.locator('.part.editor .editor-group-container.active .editor-instance .monaco-editor .view-lines').first().waitFor();
      return;
    } catch (err) {
      if (attempt >= 4) throw new Error(`could not open ${relativePath} with Quick Open: ${(err as Error).message}`);
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
}

/** Types into the open quick input and waits until it shows exactly that text. */
async function fillQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.fill(text);
  const deadline = Date.now() + 5_000;
  while ((await input.inputValue().catch(() => '')) !== text) {
    if (Date.now() > deadline) throw new Error(`the quick input does not show "${text}"`);
    await sleep(50);
    if ((await input.inputValue().catch(() => '')) !== text) await input.fill(text);
  }
}

/**
 * Gives the workbench keyboard focus: after a click inside a webview, key presses go to its
 * iframe. A text editor takes it when there is one (its tab is clicked, which keeps the cursor
 * where it is); otherwise a click on the side bar's title, which does nothing else.
 */
async function focusWorkbench(page: Page): Promise<void> {
  if (await focusEditor(page)) return;
  await page.locator('.part.sidebar .composite.title').first().click({ position: { x: 4, y: 4 }, timeout: 5_000 }).catch(() => {});
}

/** Runs a command by its palette title (F1, type, Enter). */
export async function runCommand(page: Page, title: string): Promise<void> {
  // Match the whole label: "Trace Current File" must not pick a longer title that contains it.
  const row = page.locator('.quick-input-list .monaco-list-row').filter({
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      await focusWorkbench(page);
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
      await fillQuickInput(page, `>${title}`);
      await row.waitFor({ timeout: 30_000 });
      await row.click();
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      return;
    } catch (err) {
      if (attempt >= 2) throw new Error(`could not run "${title}" from the command palette: ${(err as Error).message}`);
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Puts keyboard focus in a text editor for real, as a user clicking its tab would (the cursor
 * stays where it is): the one in the active editor group, else the first group showing one.
 * Returns false when no text editor is shown. Focus left in a webview's iframe (after a click
 * on the timeline) would otherwise swallow the next key presses.
 */
export async function focusEditor(page: Page): Promise<boolean> {
  const groups = page.locator('.part.editor .editor-group-container').filter({ has: page.locator('.editor-instance .monaco-editor .view-lines') });
  const active = groups.and(page.locator('.active'));
  const group = (await active.count()) ? active.first() : groups.first();
  if (!(await group.count())) return false;
  const deadline = Date.now() + 5_000;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    if (await editorHasFocus(page)) return true;
    if (attempt % 2 === 0) {
      await group.locator('.tabs-container .tab.active').first().click({ timeout: 5_000 }).catch(() => {});
    } else {
      // A tab click that did not take (a tab being dragged, a title bar re-rendering): a click
      // at the end of the first visible line of text moves the cursor but surely focuses.
      const lines = group.locator('.editor-instance .monaco-editor .view-lines').first();
      const box = await lines.boundingBox().catch(() => null);
      if (box) await page.mouse.click(box.x + box.width - 4, box.y + 6);
    }
    await sleep(100);
  }
  return editorHasFocus(page);
}

async function editorHasFocus(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const active = document.activeElement;
    return !!active && !!active.closest('.part.editor .editor-instance .monaco-editor') && document.hasFocus();
  }).catch(() => false);
}

/** The cursor position the status bar shows ("Ln 12, Col 5"). */
export async function cursorPosition(page: Page): Promise<{ line: number; col: number }> {
  const text = await page.locator('[id="status.editor.selection"]').innerText();
  const m = /Ln\s+(\d+),\s*Col\s+(\d+)/.exec(text);
  if (!m) throw new Error(`status bar shows no cursor position: "${text}"`);
  return { line: Number(m[1]), col: Number(m[2]) };
}

/** Waits until the status bar cursor is on `line`. */
export async function waitForCursorLine(page: Page, line: number, timeoutMs = 15_000): Promise<{ line: number; col: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = { line: -1, col: -1 };
  while (Date.now() < deadline) {
    last = await cursorPosition(page).catch(() => last);
    if (last.line === line) return last;
    await sleep(150);
  }
  throw new Error(`cursor stayed at Ln ${last.line}, Col ${last.col}; expected Ln ${line}`);
}

/**
 * Moves the cursor with Go to Line (Ctrl+G), which also scrolls the line into view. Waits for
 * the picker to offer that line before Enter, and tries the whole gesture again once when the
 * cursor did not move (focus was elsewhere, a key press lost on a busy machine).
 */
export async function goToLine(page: Page, line: number, col = 1): Promise<void> {
  let lastError: Error | undefined;
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      if (!(await focusEditor(page))) throw new Error('no text editor to focus');
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').waitFor({ timeout: 10_000 });
      await fillQuickInput(page, `:${line}:${col}`);
      await page.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`Go to line ${line}\\b`) }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
      await waitForCursorLine(page, line, 10_000);
      return;
    } catch (err) {
      lastError = err as Error;
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
  throw new Error(`Go to Line ${line} failed twice: ${lastError?.message}`);
}

/**
 * Hovers the mouse over the first occurrence of `word` on `line` of the active editor and
 * returns the hover widget's text once it shows `expect` (default: anything).
 */
export async function hoverWord(page: Page, line: number, word: string, expect?: RegExp): Promise<string> {
  await goToLine(page, line);
  // Move the mouse away first so a hover from a previous position closes.
  await page.mouse.move(5, 5);
  const point = await page.evaluate(
    ({ line, word }) => {
      const editor = document.querySelector('.editor-instance .monaco-editor');
      if (!editor) return null;
      const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')] as HTMLElement[];
      const number = numbers.find((n) => n.textContent?.trim() === String(line));
      if (!number) return null;
      const top = number.getBoundingClientRect().top;
      const rows = [...editor.querySelectorAll('.view-lines .view-line')] as HTMLElement[];
      const row = rows.find((r) => Math.abs(r.getBoundingClientRect().top - top) < 2);
      if (!row) return null;
      const walker = document.createTreeWalker(row, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        // Monaco renders spaces as U+00A0.
        const text = (node.textContent ?? '').replace(/\u00a0/g, ' ');
        const at = new RegExp(`\\b${word}\\b`).exec(text);
        if (!at) continue;
        const range = document.createRange();
        range.setStart(node, at.index);
        range.setEnd(node, at.index + word.length);
        const box = range.getBoundingClientRect();
        return { x: box.left + box.width / 2, y: box.top + box.height / 2 };
      }
      return null;
    },
    { line, word },
  );
  if (!point) throw new Error(`"${word}" is not shown on line ${line} of the editor`);
  await page.mouse.move(point.x, point.y, { steps: 4 });
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-hover:not(.hidden) .hover-contents').first();
  const deadline = Date.now() + 20_000;
  let text = '';
  while (Date.now() < deadline) {
    text = (await hover.innerText().catch(() => '')) || '';
    if (text && (!expect || expect.test(text))) return text;
    await sleep(200);
    // A hover that shows before the provider answers is re-triggered by a small move.
    await page.mouse.move(point.x + 1, point.y);
  }
  throw new Error(`no hover matching ${expect ?? 'anything'} over "${word}" on line ${line}; last hover text: "${text}"`);
}

/**
 * Text that decorations add after the end of visible lines of the active editor (VS Code draws
 * `after` decorations as CSS ::after content), by 1-based line number.
 */
export async function endOfLineDecorations(page: Page): Promise<Map<number, string>> {
  const pairs = await page.evaluate(() => {
    const editor = document.querySelector('.editor-instance .monaco-editor');
    if (!editor) return [];
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')] as HTMLElement[];
    const out: [number, string][] = [];
    for (const row of [...editor.querySelectorAll('.view-lines .view-line')] as HTMLElement[]) {
      const top = row.getBoundingClientRect().top;
      const number = numbers.find((n) => Math.abs(n.getBoundingClientRect().top - top) < 2);
      if (!number) continue;
      const texts = ([...row.querySelectorAll('span')] as HTMLElement[])
        .map((span) => getComputedStyle(span, '::after').content)
        .filter((c) => c && c !== 'none' && c !== 'normal')
        .map((c) => c.replace(/^"|"$/g, ''));
      if (texts.length) out.push([Number(number.textContent?.trim()), texts.join(' ')]);
    }
    return out;
  });
  return new Map(pairs);
}

/** Text of every notification toast (and the notification center, if open). */
export async function notificationTexts(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts();
}

/** Text of the error and warning toasts only (not progress or information). */
export async function problemNotifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item').evaluateAll((items) =>
    items
      .filter((item) => item.querySelector('.notification-list-item-icon.codicon-error, .notification-list-item-icon.codicon-warning'))
      .map((item) => (item.querySelector('.notification-list-item-message') as HTMLElement | null)?.innerText ?? ''),
  );
}

/** Waits for a notification whose text matches `pattern`. */
export async function waitForNotification(page: Page, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = await notificationTexts(page);
    const hit = seen.find((t) => pattern.test(t));
    if (hit) return hit;
    await sleep(250);
  }
  throw new Error(`no notification matching ${pattern}; shown: ${JSON.stringify(seen)}`);
}

/** The timeline webview's document: two iframes deep (the webview host frame, then its content). */
export function timelineFrame(page: Page): FrameLocator {
  // One iframe per webview panel; the panels in background tabs stay in the DOM, hidden.
  return page.frameLocator('iframe.webview.ready >> visible=true').frameLocator('#active-frame');
}

/** The status bar items' texts (e.g. the tracing indicator). */
export async function statusBarTexts(page: Page): Promise<string[]> {
  return page.locator('.statusbar-item').allInnerTexts();
}

/** Saves a screenshot of the whole workbench as test-artifacts/e2e/NAME.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ensureArtifactsDir(), `${name}.png`);
  await page.screenshot({ path }).catch(() => {});
  return path;
}

/** Saves a screenshot of the timeline webview alone (its document), as test-artifacts/e2e/NAME.png. */
export async function screenshotTimeline(page: Page, name: string): Promise<string> {
  const path = join(ensureArtifactsDir(), `${name}.png`);
  await timelineFrame(page).locator('body').screenshot({ path }).catch(() => {});
  return path;
}

/** Center of an element, for mouse actions on canvas regions. */
export async function centerOf(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error('element has no box (not visible)');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** A suite's VS Code: its workspace folder and the workbench page, set once its before hook ran. */
export interface SuiteWorkbench { workspace: string; page: Page }

/**
 * Registers the hooks a suite needs for its own code-server and workbench: a fresh workspace
 * (`prepare` fills it before the server starts), the server and browser started before the tests
 * and stopped after, and a screenshot of every failed test (test-artifacts/e2e/failed-PREFIX-TITLE.png).
 */
export function useWorkbench(options: { workspacePrefix?: string; trust?: boolean; screenshotPrefix: string; prepare?: (workspace: string) => void }): SuiteWorkbench {
  const suite = {} as SuiteWorkbench;
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  before(async function () {
    suite.workspace = makeWorkspace(options.workspacePrefix);
    options.prepare?.(suite.workspace);
    server = await startCodeServer({ workspace: suite.workspace, ...(options.trust ? { trust: true } : {}) });
    workbench = await openWorkbench(server);
    suite.page = workbench.page;
  });
  after(async function () {
    await workbench?.close().catch(() => {});
    await server?.stop().catch(() => {});
    if (suite.workspace) rmSync(suite.workspace, { recursive: true, force: true });
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && suite.page) {
      await screenshot(suite.page, `failed-${options.screenshotPrefix}${this.currentTest.title.replace(/[^\w]+/g, '-').slice(0, 60)}`);
    }
  });
  return suite;
}
