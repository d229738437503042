// The webview as VS Code hosts it, for the suites that need the real panel HTML: the page from
// renderWebviewHtml (nonce CSP, external script and stylesheet) and a stand-in for
// acquireVsCodeApi that records what the webview posts and saves.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeNonce, renderWebviewHtml } from '../../src/html/standalone';

const root = join(__dirname, '..', '..');

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Writes the panel page into `dir`: its path, its text and the nonce it allows scripts by. */
export function writePanelHtml(dir: string, title: string): { htmlPath: string; html: string; nonce: string } {
  const nonce = makeNonce();
  const html = renderWebviewHtml({
    cspSource: 'file:', nonce, title,
    scriptUri: `file://${join(root, 'dist', 'webview.js')}`, styleUri: `file://${join(root, 'media', 'timeline.css')}`,
  });
  const htmlPath = join(dir, 'panel.html');
  writeFileSync(htmlPath, html);
  return { htmlPath, html, nonce };
}

/**
 * An init script (page.addInitScript({ content })) giving the page acquireVsCodeApi, with what it
 * posts in window.__posted and its saved state in window.__state, and window.__send(message),
 * which delivers a host message as VS Code does and resolves once the page has handled it: a
 * marker posted right after a message is delivered after it (same source, in order).
 * (A string, not a function: a function would be serialized with the test compiler's helpers in it.)
 */
export function vscodeHostScript(options: { darkTheme?: boolean } = {}): string {
  return `
    window.__posted = [];
    window.__state = undefined;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__posted.push(m),
      getState: () => window.__state,
      setState: (s) => { window.__state = s; },
    });
    ${options.darkTheme ? "document.addEventListener('DOMContentLoaded', () => document.body.classList.add('vscode-dark'));" : ''}
    window.__send = (message) => new Promise((resolve) => {
      const marker = 'sent-' + Math.random();
      window.addEventListener('message', function onMessage(event) {
        if (!event.data || event.data.testMarker !== marker) return;
        window.removeEventListener('message', onMessage);
        resolve();
      });
      window.postMessage(message, '*');
      window.postMessage({ testMarker: marker }, '*');
    });
  `;
}
