// The one message protocol between the extension host and the timeline webview.
// Declared once, imported by both sides (src/extension/** and src/webview/**) and by the
// standalone HTML writer. Plain data only: no `vscode` import, no DOM types.
import type { Runtime, Site, TraceRecord } from './trace/format';
import type { EmbeddedRecords } from './html/embed';

/** Where the timeline is looking: saved with the webview state API, restored after a reload. */
export interface ViewState {
  /** Visible time range, ns from the trace start. Absent: fit the whole trace. */
  viewStart?: number;
  viewEnd?: number;
  /** Vertical scroll of the lanes, CSS pixels. */
  scrollY?: number;
  /** Task-name filter text. */
  filter?: string;
  /**
   * What is selected (see Selection). A selection made by the hover link is kept as its
   * request (`{ kind: 'site' }`): small whatever the number of waits, and found again after a reload.
   */
  selection?: SelectRequest | null;
  /** Which panel is shown: the timeline or the task graph. */
  tab?: 'timeline' | 'graph';
}

/** Something selected in the timeline; mirrored in the details panel. */
export type Selection =
  | { kind: 'task'; task: number }
  | { kind: 'step'; step: number }
  | { kind: 'wait'; wait: number }
  /** Several waits at once: the hover's "show in timeline" link selects every wait at an await site. */
  | { kind: 'waits'; waits: number[] }
  | { kind: 'output'; index: number }
  | { kind: 'warning'; index: number };

/** Identifies a trace: shown in the header, used by the host to match a restored panel to its trace. */
export interface TraceInfo {
  /** Panel title, e.g. "gather_demo.py". */
  title: string;
  runtime?: Runtime;
  /** Absolute path of the traced program. */
  file?: string;
  /** Absolute path of the NDJSON trace file, when there is one (lets the host reload it after a window reload). */
  tracePath?: string;
  /** True while the program is still running (records will keep coming). */
  live?: boolean;
}

// ---------------------------------------------------------------- host -> webview

export type HostToWebview =
  /** Start (or restart) a view: forgets any records shown so far. */
  | { type: 'init'; info: TraceInfo; state?: ViewState }
  /**
   * More records, in trace order. Sent in batches (e.g. every 50-100 ms while a program runs).
   * `compact`: more records in the compact form of src/html/embed.ts, after `records` (the
   * standalone page's million records are read from it without an object each).
   */
  | { type: 'records'; records: TraceRecord[]; compact?: EmbeddedRecords }
  /** Lines of the trace file that could not be read (corrupt / truncated), shown as a notice. */
  | { type: 'problems'; problems: { line: number; message: string }[] }
  /** Drop everything shown (a new run of the same file is about to start). */
  | { type: 'reset'; info?: TraceInfo }
  /** The traced program finished; `code` null when it was stopped/killed. */
  | { type: 'ended'; code: number | null; signal?: string | null; stopped?: boolean }
  /** Select and scroll to something, e.g. every wait at an await site (hover link). */
  | { type: 'select'; selection: SelectRequest };

/** What the host can ask the webview to select. `site` selects every wait suspended at that line. */
export type SelectRequest =
  | Selection
  | { kind: 'site'; site: { file: string; line: number } };

// ---------------------------------------------------------------- webview -> host

export type WebviewToHost =
  /** The webview script has loaded and listens; the host then sends `init` + `records`. */
  | { type: 'ready' }
  /** Move the editor to this place (a click on a segment or marker). */
  | { type: 'reveal'; site: Site }
  /** Stop the traced program (keeps the trace recorded so far). */
  | { type: 'stop' }
  /** Run the trace again (the header's re-run button). */
  | { type: 'rerun' }
  /** View state changed (also saved via setState; sent so the host can persist it elsewhere if it likes). */
  | { type: 'viewState'; state: ViewState }
  /** Something went wrong inside the webview; the host logs it to the output channel. */
  | { type: 'error'; message: string };

/** The persisted webview state (vscode.setState / the serializer's `state` argument). */
export interface PersistedState {
  info: TraceInfo;
  view: ViewState;
}

// ---------------------------------------------------------------- adapter

/**
 * What the webview code needs from its surroundings. Inside VS Code it wraps
 * acquireVsCodeApi(); in the standalone HTML the records are embedded in the page,
 * `post` of a reveal shows the location in the page, and state lives in sessionStorage.
 */
export interface WebviewHost {
  /** Send a message to the host (no-op or local handling in standalone mode). */
  post(message: WebviewToHost): void;
  /** Register the handler for host messages. Called once by the webview at start-up. */
  listen(handler: (message: HostToWebview) => void): void;
  getState(): PersistedState | undefined;
  setState(state: PersistedState): void;
  /** 'vscode' inside a webview panel, 'standalone' in an exported HTML file. */
  readonly mode: 'vscode' | 'standalone';
}

/** Type guard for messages arriving from the host (the webview trusts nothing it receives). */
export function isHostToWebview(value: unknown): value is HostToWebview {
  if (!value || typeof value !== 'object') return false;
  const type = (value as { type?: unknown }).type;
  return type === 'init' || type === 'records' || type === 'problems' || type === 'reset' || type === 'ended' || type === 'select';
}

/** Type guard for messages arriving from the webview (the host trusts nothing it receives). */
export function isWebviewToHost(value: unknown): value is WebviewToHost {
  if (!value || typeof value !== 'object') return false;
  const m = value as { type?: unknown; site?: Partial<Site> };
  switch (m.type) {
    case 'ready': case 'stop': case 'rerun': case 'viewState': case 'error': return true;
    case 'reveal': return !!m.site && typeof m.site.file === 'string' && typeof m.site.line === 'number';
    default: return false;
  }
}

/** The id of the JSON script tag holding embedded records in the standalone HTML. */
export const EMBEDDED_TRACE_ID = 'awaitlens-trace';
/** Its data-encoding when the page holds the trace gzipped, in base64 (big traces). */
export const GZIP_BASE64 = 'gzip-base64';
/** The view type of the webview panel (the extension registers its serializer under it). */
export const WEBVIEW_VIEW_TYPE = 'awaitLens.timeline';
