// Tracing runs the user's program, so in a workspace the user has not trusted it must be
// refused with a message, and nothing may run. Real workbench with workspace trust on; the
// folder opens in restricted mode (no startup prompt), as a folder from the internet would. The
// refusal left open must not hold up the next request.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { pidsMatching, SEED_GATHER, sleep } from './codeServer';
import { defaultTracePath } from './traceFacts';
import { openFile, problemNotifications, runCommand, screenshot, useWorkbench, waitForNotification } from './workbench';

describe('e2e: tracing in an untrusted workspace (code-server + Chromium)', function () {
  this.timeout(180_000);
  const suite = useWorkbench({ workspacePrefix: 'awaitlens-untrusted-', trust: true, screenshotPrefix: 'untrusted-' });
  let workspace: string;
  let page: Page;
  before(() => { ({ workspace, page } = suite); });

  it('opens the folder in restricted mode', async function () {
    // The workbench marks restricted mode in the status bar and with a banner.
    const restricted = page.locator('[id="status.workspaceTrust"], .banner-message-text', { hasText: /restricted mode/i }).first();
    await restricted.waitFor({ timeout: 30_000 });
  });

  it('refuses to trace, says why, and runs nothing', async function () {
    const program = join(workspace, SEED_GATHER.python);
    await openFile(page, SEED_GATHER.python);
    await runCommand(page, 'Await Lens: Trace Current File');
    const message = await waitForNotification(page, /trust/i, 30_000);
    await screenshot(page, '11-untrusted-refused');
    assert.match(message, /^Await Lens/, `the refusal says who refused: "${message}"`);
    assert.ok((await problemNotifications(page)).some((t) => /trust/i.test(t)), 'the refusal is a warning or error, not a quiet info');
    // Give a wrongly started run time to show itself.
    await sleep(1500);
    assert.deepEqual(await pidsMatching(program), [], 'the program was started anyway');
    assert.equal(existsSync(defaultTracePath(program)), false, 'a trace file was written anyway');
    const webviews = await page.locator('iframe.webview').count();
    assert.equal(webviews, 0, 'a timeline opened anyway');
  });

  it('with the refusal still open, Trace Current File refuses again at once (the open toast holds nothing up)', async function () {
    const program = join(workspace, SEED_GATHER.python);
    const trustToast = page.locator('.notifications-toasts .notification-list-item', { hasText: /trust/i }).first();
    assert.ok(await trustToast.isVisible(), 'the first refusal is still open (the test before left it so)');
    await runCommand(page, 'Await Lens: Trace Current File');
    await sleep(1500);
    const texts = await page.locator('.notifications-toasts .notification-list-item-message').allInnerTexts();
    await screenshot(page, '12-untrusted-refused-again');
    assert.ok(!texts.some((t) => /already starting/i.test(t)), `the second request waited on the first one's toast: ${JSON.stringify(texts)}`);
    assert.ok(texts.some((t) => /^Await Lens.*trust/i.test(t)), `no refusal shown: ${JSON.stringify(texts)}`);
    assert.deepEqual(await pidsMatching(program), [], 'the program was started');
  });
});
