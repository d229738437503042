// Await Lens in VS Code: commands, the status bar item, the output channel, the timeline panels
// (and their restoration after a reload), hovers and annotations. Tracing itself is in session.ts,
// the editor features in awaitEditor.ts, the webview panel in timelinePanel.ts.
import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ParsedTrace } from '../trace/reader';
import type { TraceRecord } from '../trace/format';
import { readTraceFile } from '../runner/load';
import { ModelBuilder } from '../model/build';
import type { PersistedState, TraceInfo } from '../protocol';
import { AwaitEditorFeatures } from './awaitEditor';
import { COMMANDS, CONTEXT_TRACING, OUTPUT_CHANNEL_NAME, SETTINGS, STATUS_TEXT, TIMELINE_VIEW_TYPE } from './ids';
import type { ShowInTimelineArgs } from './hoverText';
import { TraceSession } from './session';
import { TimelinePanel, type PanelEvents } from './timelinePanel';
import { TraceStore } from './traceStore';
import { normalizeFile } from './siteIndex';
import { noTraceMessage, plainForNotification, programError } from './programError';

export interface AwaitLensApi {
  /** For tests: the traces loaded, newest first. */
  traces(): { tracePath: string; program?: string; sites: number }[];
  /** For tests: whether a program is being traced. */
  isTracing(): boolean;
}

let controller: Controller | undefined;

interface RememberedTrace {
  tracePath: string;
  program?: string;
  /** The tab label of the timeline panel that showed it, when one was open: its tab may come back after a reload. */
  panel?: string;
}
const REMEMBERED_KEY = 'awaitLens.traces';
/** How often hovers and annotations catch up with a running program, ms (at least). */
const LIVE_SNAPSHOT_MS = 1500;
const REMEMBERED_TRACES = 10;
/** Bigger traces are not re-read at start-up (it would stall the extension host); Show Timeline still opens them. */
const REMEMBERED_MAX_BYTES = 30 * 1024 * 1024;

export function activate(context: vscode.ExtensionContext): AwaitLensApi {
  controller = new Controller(context);
  return {
    traces: () => controller!.store.all().map((t) => ({ tracePath: t.tracePath, program: t.program, sites: t.model.awaitSites.length })),
    isTracing: () => !!controller?.session,
  };
}

/** A tab showing an Await Lens timeline (its input's viewType is ours, maybe with a prefix). */
function isTimelineTab(tab: vscode.Tab): boolean {
  return tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(TIMELINE_VIEW_TYPE);
}

export function deactivate(): Promise<void> | undefined {
  // Closing the window must not leave the traced program running.
  return controller?.session?.stop();
}

class Controller implements PanelEvents {
  readonly store = new TraceStore();
  readonly output = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME);
  readonly status = vscode.window.createStatusBarItem('awaitLens.status', vscode.StatusBarAlignment.Left, 100);
  readonly panels = new Map<string, TimelinePanel>();
  session: TraceSession | undefined;
  /** The file whose trace is being prepared (interpreter lookup, save), if any. */
  private starting: string | undefined;
  /** The last trace shown, for Show Timeline with no traced file in the editor. */
  private lastTracePath: string | undefined;
  /** What the last window remembered, read before anything can overwrite it. */
  private readonly remembered: RememberedTrace[];
  /** Until the remembered traces are loaded again, nothing is written over them. */
  private rememberedLoaded = false;
  /**
   * Timeline tabs restored by VS Code but not revived yet (it revives a webview only when its tab
   * is shown): trace path -> tab label. Their traces are loaded for hovers all the same.
   */
  private readonly unrevivedPanels = new Map<string, string>();

  constructor(private readonly context: vscode.ExtensionContext) {
    const remembered = context.workspaceState.get<RememberedTrace[]>(REMEMBERED_KEY, []);
    this.remembered = Array.isArray(remembered) ? remembered : [];
    this.status.name = 'Await Lens';
    this.status.command = COMMANDS.stopTracing;
    const editor = new AwaitEditorFeatures(this.store);
    const register = (id: string, fn: (...args: any[]) => unknown) => vscode.commands.registerCommand(id, fn);
    context.subscriptions.push(
      this.output, this.status, editor,
      register(COMMANDS.traceCurrentFile, (uri?: vscode.Uri) => this.traceCurrentFile(uri)),
      register(COMMANDS.stopTracing, () => this.stopTracing()),
      register(COMMANDS.showTimeline, (uri?: vscode.Uri) => this.showTimeline(uri)),
      register(COMMANDS.toggleAnnotations, () => this.toggleAnnotations()),
      register(COMMANDS.openTraceFile, (uri?: vscode.Uri) => this.openTraceFile(uri)),
      register(COMMANDS.showInTimeline, (args?: ShowInTimelineArgs) => this.showInTimeline(args)),
      vscode.window.registerWebviewPanelSerializer(TIMELINE_VIEW_TYPE, {
        deserializeWebviewPanel: (panel, state) => this.restorePanel(panel, state as PersistedState | undefined),
      }),
    );
    void vscode.commands.executeCommand('setContext', CONTEXT_TRACING, false);
    this.store.onChange(() => this.rememberTraces());
    // After the activation burst, so opening a file is not slowed by reading old traces.
    setTimeout(() => this.reloadRememberedTraces(), 1500);
  }

  log(line: string): void {
    this.output.appendLine(line);
  }

  // ------------------------------------------------------------------ tracing

  private async traceCurrentFile(uri?: vscode.Uri): Promise<void> {
    // From the editor title / context menu the command gets the file's uri; from the palette, nothing.
    const document = uri && uri.toString() !== vscode.window.activeTextEditor?.document.uri.toString()
      ? await vscode.workspace.openTextDocument(uri)
      : vscode.window.activeTextEditor?.document;
    if (!document) {
      void vscode.window.showInformationMessage('Await Lens: open a Python, JavaScript or TypeScript file to trace it.');
      return;
    }
    if (this.session?.stopping) {
      // Already on its way out (Stop was just pressed): wait for it rather than ask.
      await this.stopSession();
    }
    if (this.session) {
      const choice = await vscode.window.showWarningMessage(
        `Await Lens is still tracing ${basename(this.session.program)}. Stop it and trace ${basename(document.fileName)}?`,
        'Stop and Trace', 'Cancel');
      if (choice !== 'Stop and Trace') return;
      await this.stopSession();
    }
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    await this.startSession(document, column);
  }

  private async startSession(document: vscode.TextDocument, column: vscode.ViewColumn): Promise<void> {
    // A second click while the first is still finding its interpreter must not start two runs,
    // nor be dropped without a word. (prepare() never waits on the user: its messages are not awaited.)
    if (this.starting) {
      void vscode.window.showInformationMessage(`Await Lens: already starting a trace of ${basename(this.starting)}; it begins in a moment.`);
      return;
    }
    this.starting = document.fileName;
    let session: TraceSession | undefined;
    try {
      session = await TraceSession.prepare(document, { log: (line) => this.log(line), output: this.output });
    } finally {
      this.starting = undefined;
    }
    if (!session) return;
    this.session = session;
    const program = session.program;
    this.lastTracePath = session.tracePath;
    const info: TraceInfo = { title: basename(program), runtime: session.runtime, file: program, tracePath: session.tracePath, live: true };
    this.panelFor(session.tracePath, info, column).sourceColumn = column;
    this.store.delete(session.tracePath);

    this.status.text = STATUS_TEXT.tracing(basename(program));
    this.status.tooltip = STATUS_TEXT.tooltip;
    this.status.command = COMMANDS.stopTracing;
    this.status.show();
    void vscode.commands.executeCommand('setContext', CONTEXT_TRACING, true);

    // Hovers, annotations and warnings fill in while it runs: a model built as records arrive,
    // snapshotted now and then (less often when snapshots get expensive on a big trace).
    const builder = new ModelBuilder();
    let fresh = false;
    let snapshotCost = 0;
    let liveTimer: NodeJS.Timeout | undefined;
    const snapshot = (live: boolean) => {
      const started = Date.now();
      this.store.setModel(session.tracePath, builder.model(), program, { sameRun: true, live });
      snapshotCost = Date.now() - started;
      fresh = false;
    };
    const tick = () => {
      if (fresh) snapshot(true);
      liveTimer = setTimeout(tick, Math.max(LIVE_SNAPSHOT_MS, snapshotCost * 10));
    };
    liveTimer = setTimeout(tick, LIVE_SNAPSHOT_MS);
    session.onRecords((records) => {
      builder.add(records);
      fresh = true;
      // To whichever panel shows this trace now: the user may close it and open it again mid-run.
      this.livePanel(session)?.addRecords(records);
    });
    const result = session.run();
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Await Lens: tracing ${basename(program)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => { if (this.session === session) void this.stopSession(); });
        const timer = setInterval(() => progress.report({ message: session.progressText() }), 500);
        try {
          await result;
        } finally {
          clearInterval(timer);
        }
      },
    );
    const outcome = await result;
    clearTimeout(liveTimer);
    this.session = undefined;
    this.status.hide();
    void vscode.commands.executeCommand('setContext', CONTEXT_TRACING, false);
    // No trace at all (the tracer never started, the "interpreter" was something else): the
    // timeline must not wait for one, and says why instead.
    const noTrace = !outcome.records.length && !outcome.stopped
      ? outcome.failedToStart ?? noTraceMessage(outcome.code, outcome.signal, outcome.stderrTail) : undefined;
    const shown = this.livePanel(session);
    if (shown) {
      shown.setProblems(noTrace ? [{ line: 0, message: noTrace }, ...outcome.problems] : outcome.problems);
      shown.end(outcome.code, outcome.signal, outcome.stopped);
    }
    if (outcome.records.length) {
      builder.addProblems(outcome.problems);
      snapshot(false);
    }
    if (outcome.failedToStart) {
      void vscode.window.showErrorMessage(`Await Lens: ${outcome.failedToStart}`, 'Show Output').then((c) => c && this.output.show(true));
    } else if (!outcome.stopped && outcome.code !== 0 && outcome.code !== null) {
      this.reportFailedProgram(program, outcome.code, outcome.stderrTail, outcome.records.some((r) => r.type === 'task'));
    } else if (noTrace) {
      void vscode.window.showErrorMessage(`Await Lens: ${basename(program)}: ${plainForNotification(noTrace)}`, 'Show Output')
        .then((c) => c && this.output.show(true));
    }
  }

  /** Stops the running trace; the status bar says so until the program is gone. */
  private async stopSession(): Promise<void> {
    const session = this.session;
    if (!session) return;
    if (!session.stopping) {
      this.status.text = STATUS_TEXT.stopping(basename(session.program));
      this.status.tooltip = undefined;
      this.status.command = undefined;
    }
    await session.stop();
  }

  /** A program that failed: its error and where, a button to go there, and what the timeline has. */
  private reportFailedProgram(program: string, code: number, stderrTail: string, ranTasks: boolean): void {
    const error = programError(stderrTail, program);
    const where = error?.file && error.line ? ` (${basename(error.file)}:${error.line})` : '';
    const what = error ? `: ${plainForNotification(error.message)}${where}` : '';
    const timeline = ranTasks ? 'The timeline shows what was traced.' : 'It ended before any task ran.';
    const goTo = error?.file && error.line && existsSync(error.file) ? 'Go to Error' : undefined;
    const buttons = goTo ? [goTo, 'Show Output'] : ['Show Output'];
    void vscode.window.showWarningMessage(`Await Lens: ${basename(program)} exited with code ${code}${what}. ${timeline}`, ...buttons).then((choice) => {
      if (choice === 'Show Output') this.output.show(true);
      if (choice === goTo && error?.file && error.line) {
        const position = new vscode.Position(error.line - 1, Math.max(0, (error.col ?? 1) - 1));
        void vscode.window.showTextDocument(vscode.Uri.file(error.file), { selection: new vscode.Range(position, position) });
      }
    });
  }

  private async stopTracing(): Promise<void> {
    if (!this.session) {
      void vscode.window.showInformationMessage('Await Lens: no program is being traced.');
      return;
    }
    await this.stopSession();
  }

  // ------------------------------------------------------------------ panels

  private panelFor(tracePath: string, info: TraceInfo, column: vscode.ViewColumn): TimelinePanel {
    const existing = this.openPanel(tracePath);
    if (existing) {
      existing.reset(info);
      existing.reveal();
      return existing;
    }
    const panel = TimelinePanel.create(this.context.extensionUri, info, this, column);
    this.panels.set(tracePath, panel);
    this.rememberTraces();
    return panel;
  }

  /** The open panel of a trace file, however its path is spelled (symlinks, case on Windows/macOS). */
  private openPanel(tracePath: string): TimelinePanel | undefined {
    const exact = this.panels.get(tracePath);
    if (exact && !exact.isDisposed) return exact;
    const wanted = normalizeFile(tracePath);
    for (const [key, panel] of this.panels) if (!panel.isDisposed && normalizeFile(key) === wanted) return panel;
    return undefined;
  }

  stop(panel: TimelinePanel): void {
    // The panel's Stop button stops its own program only, not another one traced since.
    if (this.session && this.session.tracePath === panel.tracePath) void this.stopSession();
  }

  rerun(panel: TimelinePanel): void {
    const file = panel.info.file;
    if (!file) return;
    void (async () => {
      if (this.session) await this.stopSession();
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      await this.startSession(document, panel.sourceColumn);
    })();
  }

  disposed(panel: TimelinePanel): void {
    // Not remembered at once: a window closing disposes its panels too, and their tabs come back.
    for (const [key, value] of this.panels) if (value === panel) this.panels.delete(key);
  }

  /** The restored, never-shown timeline tab of a trace, if there is one. */
  private unrevivedTab(tracePath: string): vscode.Tab | undefined {
    const wanted = normalizeFile(tracePath);
    const label = [...this.unrevivedPanels].find(([key]) => normalizeFile(key) === wanted)?.[1];
    if (!label) return undefined;
    for (const group of vscode.window.tabGroups.all) {
      for (const tab of group.tabs) if (isTimelineTab(tab) && tab.label === label) return tab;
    }
    return undefined;
  }

  /**
   * Shows a restored timeline tab that VS Code has not revived yet, so that it is revived
   * (restorePanel) and can be revealed. Resolves to its panel, or undefined when there is no
   * such tab or it did not come back (then the tab is closed: a new panel replaces it).
   */
  private async reviveTab(tracePath: string): Promise<TimelinePanel | undefined> {
    const tab = this.unrevivedTab(tracePath);
    if (!tab) return undefined;
    const index = tab.group.tabs.indexOf(tab);
    const focusGroup = ['First', 'Second', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh', 'Eighth'][tab.group.viewColumn - 1];
    if (focusGroup && index >= 0 && index < 9) {
      try {
        await vscode.commands.executeCommand(`workbench.action.focus${focusGroup}EditorGroup`);
        await vscode.commands.executeCommand(`workbench.action.openEditorAtIndex${index + 1}`);
      } catch {
        // The commands moved: fall back to closing the tab.
      }
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        const panel = this.openPanel(tracePath);
        if (panel) return panel;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    this.unrevivedPanels.delete(tracePath);
    await vscode.window.tabGroups.close(tab).then(undefined, () => false);
    return undefined;
  }

  /** Reads a trace file into the store; one clear message when it cannot. */
  private async loadTraceFile(tracePath: string): Promise<{ info: TraceInfo; records: TraceRecord[]; problems: { line: number; message: string }[] } | undefined> {
    let parsed: ParsedTrace;
    try {
      parsed = readTraceFile(tracePath);
    } catch (error) {
      void vscode.window.showErrorMessage(`Await Lens: ${(error as Error).message}`);
      return undefined;
    }
    const header = parsed.records[0].type === 'header' ? parsed.records[0] : undefined;
    const program = header?.program;
    const info: TraceInfo = { title: basename(program || tracePath), runtime: header?.runtime, file: program, tracePath, live: false };
    this.store.set(tracePath, parsed.records, parsed.problems, program);
    if (parsed.problems.length) {
      this.log(`${tracePath}: ${parsed.problems.length} line(s) could not be read, e.g. line ${parsed.problems[0].line}: ${parsed.problems[0].message}`);
    }
    return { info, records: parsed.records, problems: parsed.problems };
  }

  private livePanel(session: TraceSession): TimelinePanel | undefined {
    const panel = this.panels.get(session.tracePath);
    return panel && !panel.isDisposed ? panel : undefined;
  }

  private async showTrace(tracePath: string, column: vscode.ViewColumn): Promise<TimelinePanel | undefined> {
    const open = this.openPanel(tracePath);
    if (open) {
      open.reveal();
      return open;
    }
    // Its tab came back with the window but was never shown since: show that tab rather than open a second one.
    const revived = await this.reviveTab(tracePath);
    if (revived) {
      revived.reveal();
      return revived;
    }
    const running = this.session;
    if (running && running.tracePath === tracePath) {
      // Reopened while the program runs: what was traced so far, then live as before.
      const info: TraceInfo = { title: basename(running.program), runtime: running.runtime, file: running.program, tracePath, live: true };
      const panel = this.panelFor(tracePath, info, column);
      panel.addRecords(running.recordsSoFar());
      return panel;
    }
    const loaded = await this.loadTraceFile(tracePath);
    if (!loaded) return undefined;
    const panel = this.panelFor(tracePath, loaded.info, column);
    panel.addRecords(loaded.records);
    panel.setProblems(loaded.problems);
    const exit = loaded.records.find((r) => r.type === 'exit');
    panel.end(exit && exit.type === 'exit' ? exit.code : null, exit && exit.type === 'exit' ? exit.signal : null, !exit);
    this.lastTracePath = tracePath;
    return panel;
  }

  private async showTimeline(uri?: vscode.Uri): Promise<void> {
    const column = vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One;
    const file = uri?.fsPath ?? vscode.window.activeTextEditor?.document.uri.fsPath;
    const tracePath = (file && this.store.forFile(file)?.tracePath)
      ?? (file && [...this.panels.values()].find((p) => p.info.file && normalizeFile(p.info.file) === normalizeFile(file))?.tracePath)
      ?? this.lastTracePath;
    if (!tracePath) {
      void vscode.window.showInformationMessage('Await Lens: nothing traced yet. Run "Await Lens: Trace Current File" first, or "Open Trace File…".');
      return;
    }
    await this.showTrace(tracePath, column);
  }

  private async openTraceFile(uri?: vscode.Uri): Promise<void> {
    let target = uri;
    if (!target) {
      const defaultUri = vscode.window.activeTextEditor?.document.uri.scheme === 'file'
        ? vscode.Uri.file(dirname(vscode.window.activeTextEditor.document.uri.fsPath)) : undefined;
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false, openLabel: 'Show Trace', defaultUri, filters: { 'Await Lens trace': ['ndjson', 'jsonl', 'json'] },
      });
      target = picked?.[0];
    }
    if (!target) return;
    if (target.scheme !== 'file') {
      void vscode.window.showErrorMessage('Await Lens: only trace files on this machine can be opened.');
      return;
    }
    await this.showTrace(target.fsPath, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One);
  }

  private async showInTimeline(args?: ShowInTimelineArgs): Promise<void> {
    if (!args || typeof args.key !== 'string') return;
    const trace = (args.tracePath && this.store.get(args.tracePath)) || this.store.all().find((t) => t.index.byKeyOf(args.key));
    const stats = trace?.index.byKeyOf(args.key);
    if (!trace || !stats) {
      void vscode.window.showInformationMessage('Await Lens: that trace is no longer loaded; trace the file again.');
      return;
    }
    const panel = await this.showTrace(trace.tracePath, vscode.window.activeTextEditor?.viewColumn ?? vscode.ViewColumn.One);
    panel?.select({ kind: 'site', site: { file: stats.site.file, line: stats.site.line } });
  }

  private async restorePanel(webviewPanel: vscode.WebviewPanel, state: PersistedState | undefined): Promise<void> {
    const tracePath = state?.info?.tracePath;
    if (!tracePath) {
      // Nothing says which trace it showed (closed before it saved its state): an empty panel helps nobody.
      webviewPanel.dispose();
      return;
    }
    const panel = new TimelinePanel(webviewPanel, { ...state.info, live: false }, this.context.extensionUri, this, state.view);
    this.panels.set(tracePath, panel);
    for (const key of [...this.unrevivedPanels.keys()]) if (normalizeFile(key) === normalizeFile(tracePath)) this.unrevivedPanels.delete(key);
    const loaded = await this.loadTraceFile(tracePath);
    if (!loaded) {
      panel.setProblems([{ line: 0, message: `The trace file ${tracePath} could not be read; trace the program again.` }]);
      panel.end(null, null, true);
      return;
    }
    panel.info = { ...loaded.info };
    panel.addRecords(loaded.records);
    panel.setProblems(loaded.problems);
    const exit = loaded.records.find((r) => r.type === 'exit');
    panel.end(exit?.type === 'exit' ? exit.code : null, exit?.type === 'exit' ? exit.signal : null, !exit);
    this.lastTracePath = tracePath;
  }

  // ------------------------------------------------------------------ traces across reloads

  /**
   * Which traces the hovers came from, so a reloaded window has them again: the newest few, and
   * every trace shown in a timeline tab (a tab restored after a reload brings its trace's hovers
   * and warnings back, however many traces were made since).
   */
  private rememberTraces(): void {
    if (!this.rememberedLoaded) return;
    const panelLabels = new Map<string, string>(this.unrevivedPanels);
    for (const [tracePath, panel] of this.panels) if (!panel.isDisposed) panelLabels.set(tracePath, TimelinePanel.title(panel.info));
    const list: RememberedTrace[] = [];
    this.store.all().forEach((t, i) => {
      const panel = panelLabels.get(t.tracePath);
      if (i < REMEMBERED_TRACES || panel) list.push({ tracePath: t.tracePath, program: t.program, ...(panel ? { panel } : {}) });
    });
    void this.context.workspaceState.update(REMEMBERED_KEY, list);
  }

  private reloadRememberedTraces(): void {
    const list = this.remembered;
    // Tabs of timelines that came back with the window, revived or not.
    const openTabs = new Set<string>();
    for (const group of vscode.window.tabGroups.all) for (const tab of group.tabs) if (isTimelineTab(tab)) openTabs.add(tab.label);
    this.rememberedLoaded = true;
    // Oldest first, so the newest ends up newest in the store too.
    for (const entry of [...list].reverse()) {
      if (!entry || typeof entry.tracePath !== 'string') continue;
      if (entry.panel && openTabs.has(entry.panel) && !this.openPanel(entry.tracePath)) this.unrevivedPanels.set(entry.tracePath, entry.panel);
      if (this.store.get(entry.tracePath)) continue;
      try {
        if (statSync(entry.tracePath).size > REMEMBERED_MAX_BYTES) continue;
        const parsed = readTraceFile(entry.tracePath);
        this.store.set(entry.tracePath, parsed.records, parsed.problems, entry.program);
        this.lastTracePath ??= entry.tracePath;
      } catch {
        // Deleted or replaced since: quietly forget it (rememberTraces runs on the next change).
      }
    }
    this.rememberTraces();
  }

  // ------------------------------------------------------------------ annotations

  private async toggleAnnotations(): Promise<void> {
    const config = vscode.workspace.getConfiguration(SETTINGS.section);
    const on = config.get<boolean>(SETTINGS.annotations, true);
    // Write where the value in force comes from: a workspace setting would hide a user-level change.
    const where = config.inspect<boolean>(SETTINGS.annotations);
    const target = where?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder
      : where?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update(SETTINGS.annotations, !on, target);
    vscode.window.setStatusBarMessage(`Await Lens: annotations ${on ? 'off' : 'on'}`, 2500);
  }
}
