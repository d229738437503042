// The two surroundings the webview runs in: a VS Code webview panel, or a standalone HTML file
// with the trace embedded in it. Both implement WebviewHost from src/protocol.ts.
import {
  EMBEDDED_TRACE_ID, GZIP_BASE64, isHostToWebview,
  type HostToWebview, type PersistedState, type TraceInfo, type WebviewHost, type WebviewToHost,
} from '../protocol';
import type { Site, TraceRecord } from '../trace/format';
import { unpackEmbedded, type EmbeddedRecords } from '../html/embed';
import { bidiSafe } from './text';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the standalone HTML embeds in its JSON script tag. */
export interface EmbeddedTrace {
  info: TraceInfo;
  /** Plain records, or their compact form (src/html/embed.ts). */
  records: TraceRecord[] | EmbeddedRecords;
  problems?: { line: number; message: string }[];
  /** Exit code when the trace has an exit record or the writer knows it. */
  ended?: { code: number | null; signal?: string | null };
}

/** Where reveals go in standalone mode, so a page (and tests) can observe them. */
export const REVEAL_EVENT = 'awaitlens-reveal';

export function createHost(): WebviewHost {
  return typeof acquireVsCodeApi === 'function' ? vscodeHost(acquireVsCodeApi()) : standaloneHost();
}

function vscodeHost(api: VsCodeApi): WebviewHost {
  return {
    mode: 'vscode',
    post: (message) => api.postMessage(message),
    listen(handler) {
      window.addEventListener('message', (event: MessageEvent) => {
        if (isHostToWebview(event.data)) handler(event.data);
      });
    },
    getState: () => (api.getState() as PersistedState | undefined) ?? undefined,
    setState: (state) => api.setState(state),
  };
}

function standaloneHost(): WebviewHost {
  const storageKey = `awaitlens-view:${location.pathname}`;
  return {
    mode: 'standalone',
    post(message: WebviewToHost) {
      if (message.type === 'reveal') showRevealedSite(message.site);
    },
    listen(handler: (message: HostToWebview) => void) {
      void readEmbedded().then((embedded) => {
        performance.mark('awaitlens-records');
        handler({ type: 'init', info: embedded.info });
        // The compact form goes to the model builder as it is (decoded there, record by record).
        const records = embedded.records;
        handler(Array.isArray(records) ? { type: 'records', records } : { type: 'records', records: [], compact: records });
        if (embedded.problems?.length) handler({ type: 'problems', problems: embedded.problems });
        if (embedded.ended) handler({ type: 'ended', code: embedded.ended.code, signal: embedded.ended.signal ?? null });
      }, (error: unknown) => {
        handler({ type: 'init', info: { title: 'Await Lens' } });
        handler({ type: 'problems', problems: [{ line: 0, message: `the trace embedded in this page cannot be read (${String(error)})` }] });
      });
    },
    getState() {
      try {
        const text = sessionStorage.getItem(storageKey);
        return text ? (JSON.parse(text) as PersistedState) : undefined;
      } catch {
        return undefined;
      }
    },
    setState(state) {
      try { sessionStorage.setItem(storageKey, JSON.stringify(state)); } catch { /* storage unavailable (file://): state is not kept */ }
    },
  };
}

/**
 * The trace embedded in the page: JSON, or gzipped JSON in base64 for a big trace. Always
 * settles after the page's first paint could happen, so the header shows before a big trace is processed.
 */
async function readEmbedded(): Promise<EmbeddedTrace> {
  const element = document.getElementById(EMBEDDED_TRACE_ID);
  const text = element?.textContent || 'null';
  await new Promise((resolve) => setTimeout(resolve, 0));
  const embedded = element?.dataset.encoding === GZIP_BASE64
    ? unpackEmbedded<EmbeddedTrace>(await gunzipBase64(text))
    : JSON.parse(text) as EmbeddedTrace;
  if (!embedded || !embedded.records) throw new Error('no records');
  return embedded;
}

async function gunzipBase64(text: string): Promise<Uint8Array> {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (s: string) => Uint8Array }).fromBase64;
  let bytes: Uint8Array;
  if (fromBase64) bytes = fromBase64(text.trim());
  else {
    const binary = atob(text.trim());
    bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  }
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Outside VS Code there is no editor: show the place, link it to VS Code, and tell listeners. */
function showRevealedSite(site: Site): void {
  const status = document.getElementById('al-reveal');
  if (status) {
    status.replaceChildren();
    status.dataset.file = site.file;
    status.dataset.line = String(site.line);
    status.dataset.col = String(site.col ?? 1);
    const link = document.createElement('a');
    link.href = vscodeFileUrl(site.file, site.line, site.col ?? 1);
    link.textContent = `${bidiSafe(site.file)}:${site.line}:${site.col ?? 1}`;
    link.title = 'Open in VS Code';
    status.append('Source: ', link);
  }
  const log = ((window as unknown as { awaitlensReveals?: Site[] }).awaitlensReveals ??= []);
  log.push(site);
  window.dispatchEvent(new CustomEvent(REVEAL_EVENT, { detail: site }));
}

/** Lone UTF-16 surrogates (a Python path of undecodable bytes: "\udcff") cannot be percent-encoded. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * `vscode://file/PATH:LINE:COL` for a source path: each path segment percent-encoded
 * (so "#", "?" and "%" in a name stay part of the path), "/" kept between segments, a
 * Windows path's backslashes turned into slashes and its drive letter kept readable, and lone
 * surrogates replaced by U+FFFD first (encodeURIComponent throws on them).
 */
export function vscodeFileUrl(file: string, line: number, col: number): string {
  let path = file.replace(LONE_SURROGATE, '\uFFFD');
  if (/^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\')) path = path.replace(/\\/g, '/');
  const encoded = path.split('/').map((segment, i) => (i <= 1 && /^[A-Za-z]:$/.test(segment) ? segment : encodeURIComponent(segment))).join('/');
  return `vscode://file${encoded.startsWith('/') ? '' : '/'}${encoded}:${line}:${col}`;
}
