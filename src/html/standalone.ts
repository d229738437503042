// HTML for the timeline: a single self-contained file for sharing a trace outside VS Code
// (`awaitlens trace FILE --html OUT.html`), and the shell of the VS Code webview panel.
// Runs in Node (the CLI, the extension host). No `vscode` import.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join } from 'node:path';
import { EMBEDDED_TRACE_ID, GZIP_BASE64, type TraceInfo } from '../protocol';
import { encodeRecords, packEmbedded } from './embed';
import { parseTrace } from '../trace/reader';
import type { TraceRecord } from '../trace/format';

export interface StandaloneOptions {
  /** Panel title; default: the traced program's file name. */
  title?: string;
  /** The webview bundle and stylesheet contents; default: read from `distDir`. */
  script?: string;
  style?: string;
  /** Folder holding webview.js (dist/); media/timeline.css is looked up next to it, then in ../media. */
  distDir?: string;
  /** Lines of the trace that could not be read, shown as a notice in the page. */
  problems?: { line: number; message: string }[];
  /** Absolute path of the trace file, shown in the page. */
  tracePath?: string;
  /**
   * Embedded data bigger than about this many characters is packed and gzipped (base64 in the
   * page): a million events make 33 MB of JSON, and the browser loads, tokenizes and parses it
   * all before anything can be drawn. Default 1 MB; small pages keep readable JSON.
   */
  compressAbove?: number;
}


/** Finds the webview bundle and stylesheet: dist/webview.js, and media/timeline.css beside dist/ (or copied into it). */
export function readWebviewAssets(distDir: string): { script: string; style: string } {
  const script = readFileSync(join(distDir, 'webview.js'), 'utf8');
  const candidates = [join(distDir, 'media', 'timeline.css'), join(distDir, 'timeline.css'), join(distDir, '..', 'media', 'timeline.css')];
  for (const path of candidates) {
    try {
      return { script, style: readFileSync(path, 'utf8') };
    } catch { /* try the next place */ }
  }
  throw new Error(`timeline.css not found (looked in ${candidates.join(', ')})`);
}

/** Makes text safe inside a <script> element: `<` never appears, so neither `</script` nor `<!--` can. */
export function escapeForScript(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]!));
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/**
 * One self-contained HTML page showing the trace: the webview bundle and stylesheet inlined,
 * the records embedded as JSON, and a content security policy that allows exactly those
 * inline script and style blocks (by hash) and nothing else: no network, no eval.
 */
export function renderStandaloneHtml(trace: TraceRecord[] | string, options: StandaloneOptions = {}): string {
  let records: TraceRecord[];
  let problems = options.problems ?? [];
  if (typeof trace === 'string') {
    const parsed = parseTrace(trace);
    records = parsed.records;
    problems = [...problems, ...parsed.problems];
  } else {
    records = trace;
  }
  let script = options.script;
  let style = options.style;
  if (script === undefined || style === undefined) {
    const assets = readWebviewAssets(options.distDir ?? __dirname);
    script ??= assets.script;
    style ??= assets.style;
  }
  const header = records.find((r) => r.type === 'header');
  // The last exit record, as the model and the summary read a trace that has several.
  let exit: TraceRecord | undefined;
  for (let i = records.length - 1; i >= 0 && !exit; i--) if (records[i].type === 'exit') exit = records[i];
  const program = header && header.type === 'header' ? header.program : undefined;
  const info: TraceInfo = {
    title: options.title ?? (program ? basename(program) : 'Await Lens trace'),
    runtime: header && header.type === 'header' ? header.runtime : undefined,
    file: program,
    tracePath: options.tracePath,
    live: false,
  };
  const embedded = {
    info,
    records: encodeRecords(records),
    problems,
    ended: exit && exit.type === 'exit' ? { code: exit.code, signal: exit.signal ?? null } : undefined,
  };
  // A big trace: packed (numbers as 32-bit integers, an overflow list for the rest), gzipped at level 1 (nearly the size of the best
  // level at a fraction of the time), in base64. A small one: readable JSON.
  const compressed = embedded.records.data.length * 4 > (options.compressAbove ?? 1_000_000);
  const data = compressed ? gzipSync(packEmbedded(embedded), { level: 1 }).toString('base64') : escapeForScript(JSON.stringify(embedded));
  const dataElement = compressed
    ? `<script type="application/octet-stream" data-encoding="${GZIP_BASE64}" id="${EMBEDDED_TRACE_ID}">${data}</script>`
    : `<script type="application/json" id="${EMBEDDED_TRACE_ID}">${data}</script>`;
  // The bundle is inline: keep `</script` from ending its element early (only possible inside strings).
  // CRs are normalised too: the HTML parser drops them, and the CSP hash must match what it keeps.
  // A dev build's source map is a file beside the bundle, which a shared page does not have.
  const inlineScript = script.replace(/\r\n?/g, '\n').replace(/\n\/\/# sourceMappingURL=[^\n]*\s*$/, '\n').replace(/<\/(script)/gi, '<\\/$1');
  const inlineStyle = style.replace(/\r\n?/g, '\n').replace(/<\/(style)/gi, '<\\/$1');
  const csp = [
    "default-src 'none'",
    `script-src 'sha256-${sha256(inlineScript)}'`,
    `style-src 'sha256-${sha256(inlineStyle)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Await Lens">
<title>${escapeHtml(info.title)} — Await Lens</title>
<style>${inlineStyle}</style>
</head>
<body class="al-standalone">
<div id="al-app"></div>
${dataElement}
<script>${inlineScript}</script>
</body>
</html>
`;
}

export interface WebviewHtmlOptions {
  /** `webview.cspSource` of the panel. */
  cspSource: string;
  /** A fresh random nonce per render (see `makeNonce`). */
  nonce: string;
  /** `webview.asWebviewUri(dist/webview.js)` as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/timeline.css)` as a string. */
  styleUri: string;
  title?: string;
}

/** The HTML of the VS Code webview panel: strict CSP, only our nonce'd script and our stylesheet. */
export function renderWebviewHtml(options: WebviewHtmlOptions): string {
  const csp = [
    "default-src 'none'",
    `script-src 'nonce-${options.nonce}'`,
    `style-src ${options.cspSource}`,
    `img-src ${options.cspSource} data:`,
    `font-src ${options.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(options.title ?? 'Await Lens')}</title>
<link rel="stylesheet" href="${escapeHtml(options.styleUri)}">
</head>
<body>
<div id="al-app"></div>
<script nonce="${escapeHtml(options.nonce)}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}

/** A random nonce for the webview's CSP. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[+/=]/g, '');
}
