// The timeline webview panel: one per trace file, beside the editor. It keeps every record it
// was given so a webview that reloads (or a panel restored after a window reload) can be refilled,
// sends new records in batches while a program runs, and turns the webview's messages
// (reveal, stop, rerun) into editor actions. Protocol: src/protocol.ts.
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import {
  isWebviewToHost,
  type HostToWebview, type PersistedState, type SelectRequest, type TraceInfo, type ViewState, type WebviewToHost,
} from '../protocol';
import type { TraceRecord } from '../trace/format';
import { makeNonce, renderWebviewHtml } from '../html/standalone';
import { TIMELINE_VIEW_TYPE } from './ids';

/** Records per `records` message: big enough to be quick, small enough not to stall the webview. */
const BATCH = 20_000;
/** How often new records are sent while a program runs, ms. */
const FLUSH_MS = 80;
/** A shown webview that has not said `ready` after this long is loaded again (once). */
const READY_TIMEOUT_MS = 20_000;

export interface PanelEvents {
  stop(panel: TimelinePanel): void;
  rerun(panel: TimelinePanel): void;
  log(line: string): void;
  disposed(panel: TimelinePanel): void;
}

export class TimelinePanel {
  private records: TraceRecord[] = [];
  private problems: { line: number; message: string }[] = [];
  private ended: Extract<HostToWebview, { type: 'ended' }> | null = null;
  private pendingSelect: SelectRequest | null = null;
  private ready = false;
  private sent = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private viewState: ViewState | undefined;
  private disposed = false;
  private readyTimer: NodeJS.Timeout | undefined;
  private reloads = 0;
  /** The editor column reveals go to (the one the program was traced from). */
  sourceColumn: vscode.ViewColumn = vscode.ViewColumn.One;

  constructor(
    readonly panel: vscode.WebviewPanel,
    public info: TraceInfo,
    private readonly extensionUri: vscode.Uri,
    private readonly events: PanelEvents,
    state?: ViewState,
  ) {
    this.viewState = state;
    panel.webview.options = TimelinePanel.webviewOptions(extensionUri);
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    panel.title = TimelinePanel.title(info);
    panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message));
    panel.onDidDispose(() => {
      this.disposed = true;
      clearTimeout(this.flushTimer);
      clearTimeout(this.readyTimer);
      events.disposed(this);
    });
    this.render();
  }

  static title(info: TraceInfo): string {
    return `Await Lens: ${info.title}`;
  }

  /** Scripts on, and only our own dist/ and media/ folders readable by the webview. */
  static webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
    };
  }

  static create(extensionUri: vscode.Uri, info: TraceInfo, events: PanelEvents, column: vscode.ViewColumn): TimelinePanel {
    const panel = vscode.window.createWebviewPanel(
      TIMELINE_VIEW_TYPE,
      TimelinePanel.title(info),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      // Keeping the context avoids re-sending a large trace every time the tab is hidden and shown.
      { ...TimelinePanel.webviewOptions(extensionUri), retainContextWhenHidden: true },
    );
    const timeline = new TimelinePanel(panel, info, extensionUri, events);
    timeline.sourceColumn = column;
    return timeline;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  get tracePath(): string | undefined {
    return this.info.tracePath;
  }

  private render(): void {
    const webview = this.panel.webview;
    this.ready = false;
    this.sent = 0;
    webview.html = renderWebviewHtml({
      nonce: makeNonce(),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'timeline.css')).toString(),
      title: TimelinePanel.title(this.info),
    });
    this.watchReady();
  }

  /**
   * Everything sent before the webview says `ready` is kept and replayed then, so nothing is
   * lost to a webview still loading. One that never says it (its content did not load) would
   * stay blank: loaded again once, and the output channel says so.
   */
  private watchReady(): void {
    clearTimeout(this.readyTimer);
    this.readyTimer = setTimeout(() => {
      if (this.ready || this.disposed) return;
      if (!this.panel.visible) {
        // Hidden webviews may load lazily: check again when it is shown.
        const shown = this.panel.onDidChangeViewState(() => {
          if (!this.panel.visible) return;
          shown.dispose();
          this.watchReady();
        });
        return;
      }
      if (this.reloads >= 1) {
        this.events.log(`timeline ${this.info.title}: the view did not start; close it and run Await Lens: Show Timeline`);
        return;
      }
      this.reloads++;
      this.events.log(`timeline ${this.info.title}: the view did not start within ${READY_TIMEOUT_MS / 1000} s; loading it again`);
      this.render();
    }, READY_TIMEOUT_MS);
  }

  private post(message: HostToWebview): void {
    if (this.disposed) return;
    this.panel.webview.postMessage(message).then((delivered) => { if (!delivered) this.lost(); }, () => this.lost());
  }

  /** A message did not reach the webview: replay everything on its next `ready` (or load it again). */
  private lost(): void {
    if (this.disposed || !this.ready) return;
    this.ready = false;
    this.watchReady();
  }

  /** Starts over for a new run of the same program. */
  reset(info: TraceInfo): void {
    this.info = info;
    this.panel.title = TimelinePanel.title(info);
    this.records = [];
    this.problems = [];
    this.ended = null;
    this.pendingSelect = null;
    this.sent = 0;
    // The new run starts fitted; where the user was in the old one means nothing in it. The
    // filter and the tab are the user's choice, not the trace's: they stay.
    // Sent explicitly: without a state the webview would restore its own saved view of the old run.
    this.viewState = { filter: this.viewState?.filter, tab: this.viewState?.tab };
    if (this.ready) this.post({ type: 'init', info, state: this.viewState });
  }

  addRecords(records: TraceRecord[]): void {
    if (!records.length) return;
    for (const r of records) this.records.push(r);
    if (this.ready && !this.flushTimer) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS);
  }

  setProblems(problems: { line: number; message: string }[]): void {
    this.problems = problems.slice();
    if (this.ready && problems.length) this.post({ type: 'problems', problems: this.problems });
  }

  end(code: number | null, signal?: string | null, stopped?: boolean): void {
    this.flush();
    this.info = { ...this.info, live: false };
    this.ended = { type: 'ended', code, signal: signal ?? null, stopped };
    if (this.ready) this.post(this.ended);
  }

  select(selection: SelectRequest): void {
    if (this.ready) this.post({ type: 'select', selection });
    else this.pendingSelect = selection;
  }

  /** Brings the panel to the front where it is; Beside would move it to yet another column. */
  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (!this.ready) return;
    while (this.sent < this.records.length) {
      const batch = this.records.slice(this.sent, this.sent + BATCH);
      this.sent += batch.length;
      this.post({ type: 'records', records: batch });
    }
  }

  /** The webview (re)started: give it everything from the beginning. */
  private refill(): void {
    this.ready = true;
    clearTimeout(this.readyTimer);
    this.sent = 0;
    this.post({ type: 'init', info: this.info, state: this.viewState });
    this.flush();
    if (this.problems.length) this.post({ type: 'problems', problems: this.problems });
    if (this.ended) this.post(this.ended);
    if (this.pendingSelect) {
      this.post({ type: 'select', selection: this.pendingSelect });
      this.pendingSelect = null;
    }
  }

  private receive(raw: unknown): void {
    if (!isWebviewToHost(raw)) return;
    const message: WebviewToHost = raw;
    switch (message.type) {
      case 'ready': this.refill(); break;
      case 'reveal': void this.revealSite(message.site.file, message.site.line, message.site.col); break;
      case 'stop': this.events.stop(this); break;
      case 'rerun': this.events.rerun(this); break;
      case 'viewState': this.viewState = message.state; break;
      case 'error': this.events.log(`timeline: ${String(message.message)}`); break;
    }
  }

  /** Opens file:line:col in the editor column the trace came from. */
  async revealSite(file: string, line: number, col?: number): Promise<void> {
    if (!existsSync(file)) {
      void vscode.window.showWarningMessage(`Await Lens: ${basename(file)} is not on this machine any more (${file}).`);
      return;
    }
    const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, (col ?? 1) - 1));
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(file), {
      viewColumn: this.sourceColumn,
      selection: new vscode.Range(position, position),
      preserveFocus: false,
    });
    editor.revealRange(new vscode.Range(position, position), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  /** The persisted state shape, for tests and the serializer. */
  persisted(): PersistedState {
    return { info: this.info, view: this.viewState ?? {} };
  }

  dispose(): void {
    this.panel.dispose();
  }
}
