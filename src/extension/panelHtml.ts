// The timeline panel's HTML: the webview bundle under a strict content security policy
// (scripts only with this load's nonce, styles and images only from the extension's folders).
// Program text never goes into this HTML: records travel as messages and the webview writes
// them as text.
export interface PanelHtmlOptions {
  nonce: string;
  /** webview.cspSource */
  cspSource: string;
  /** asWebviewUri of dist/webview.js */
  scriptUri: string;
  /** asWebviewUri of media/ */
  mediaUri: string;
  title: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function panelHtml(o: PanelHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `img-src ${o.cspSource} data:`,
    `style-src ${o.cspSource} 'nonce-${o.nonce}'`,
    `font-src ${o.cspSource}`,
    `script-src 'nonce-${o.nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)}</title>
</head>
<body>
<div id="app" data-media="${escapeHtml(o.mediaUri)}"></div>
<script nonce="${escapeHtml(o.nonce)}" src="${escapeHtml(o.scriptUri)}"></script>
</body>
</html>`;
}
