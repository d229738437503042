// The editor side of a trace: hovers on traced `await` lines and inline annotations at their end.
// Thin over the vscode API; the text comes from hoverText.ts / src/model/hover.ts.
import * as vscode from 'vscode';
import { COMMANDS, SETTINGS, TRACEABLE_LANGUAGES } from './ids';
import { annotationText, hoverMarkdown } from './hoverText';
import type { TraceStore } from './traceStore';

/** Ends an annotation whose file was edited after the trace. */
const STALE_SUFFIX = ' (traced before the edit)';

export class AwaitEditorFeatures implements vscode.HoverProvider, vscode.Disposable {
  private readonly decoration = vscode.window.createTextEditorDecorationType({
    after: {
      color: new vscode.ThemeColor('editorCodeLens.foreground'),
      fontStyle: 'italic',
      margin: '0 0 0 2.5em',
    },
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly disposables: vscode.Disposable[] = [];
  /** Blocking steps, never-awaited coroutines...: in the Problems panel, at their lines. */
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('Await Lens');

  constructor(private readonly store: TraceStore) {
    const selector = TRACEABLE_LANGUAGES.map((language) => ({ language }));
    this.disposables.push(
      this.decoration,
      this.diagnostics,
      vscode.languages.registerHoverProvider(selector, this),
      vscode.window.onDidChangeVisibleTextEditors(() => this.refresh()),
      vscode.workspace.onDidChangeTextDocument((event) => {
        // An edit moves lines under the trace: figures would point at the wrong lines.
        // Lines are followed through the edit, as the editor moves its decorations, so hovers
        // stay on the await they describe (or go, where the edit took the line away).
        if (event.contentChanges.length && event.document.uri.scheme === 'file') {
          const changes = event.contentChanges.map((c) => ({
            startLine: c.range.start.line, startCol: c.range.start.character, endLine: c.range.end.line, endCol: c.range.end.character, text: c.text,
          }));
          const file = event.document.uri.fsPath;
          // (A change of staleness redraws everything; else the Problems entries follow their lines,
          // and the annotations, which the editor moves with the text, are placed again shortly
          // after: an edit that takes a line away would leave its annotation on a neighbour.)
          if (!store.documentChanged(file, event.document.getText(), changes)) {
            if (store.hasMarksIn(file)) this.refreshDiagnostics();
            if (store.forFile(file)) this.annotateSoon(event.document);
          }
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SETTINGS.section}.${SETTINGS.annotations}`)) this.refresh();
      }),
    );
    store.onChange(() => this.refresh());
  }

  private annotationsOn(): boolean {
    return vscode.workspace.getConfiguration(SETTINGS.section).get<boolean>(SETTINGS.annotations, true);
  }

  /** Redraws annotations in every visible editor and the trace warnings in the Problems panel. */
  refresh(): void {
    this.refreshDiagnostics();
    for (const editor of vscode.window.visibleTextEditors) this.annotate(editor);
  }

  private annotateTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly edited = new Set<vscode.TextDocument>();
  /** Places a document's annotations again once typing pauses. */
  private annotateSoon(document: vscode.TextDocument): void {
    this.edited.add(document);
    if (this.annotateTimer) clearTimeout(this.annotateTimer);
    this.annotateTimer = setTimeout(() => {
      this.annotateTimer = undefined;
      for (const editor of vscode.window.visibleTextEditors) if (this.edited.has(editor.document)) this.annotate(editor);
      this.edited.clear();
    }, 150);
  }

  private annotate(editor: vscode.TextEditor): void {
    const doc = editor.document;
    if (!this.annotationsOn() || doc.uri.scheme !== 'file') {
      editor.setDecorations(this.decoration, []);
      return;
    }
    const trace = this.store.forFile(doc.uri.fsPath);
    if (!trace) {
      editor.setDecorations(this.decoration, []);
      return;
    }
    // After an edit the annotations stay on the lines they describe (followed through the edit,
    // as hovers and Problems entries are), saying they were traced before it.
    const suffix = this.store.isStale(trace, doc.uri.fsPath) ? STALE_SUFFIX : '';
    const options: vscode.DecorationOptions[] = [];
    for (const stats of trace.index.linesOf(doc.uri.fsPath)) {
      const now = this.store.currentLine(trace, doc.uri.fsPath, stats.site.line);
      if (now === null) continue;
      const line = now - 1;
      if (line < 0 || line >= doc.lineCount) continue;
      const end = doc.lineAt(line).range.end;
      options.push({ range: new vscode.Range(end, end), renderOptions: { after: { contentText: annotationText(stats) + suffix } } });
    }
    editor.setDecorations(this.decoration, options);
  }

  private refreshDiagnostics(): void {
    this.diagnostics.clear();
    // Each file's marks from the newest trace that covers it, followed through edits since.
    for (const [file, placed] of this.store.placedMarks()) {
      this.diagnostics.set(vscode.Uri.file(file), placed.map(({ mark, line, edited }) => {
        const diagnostic = new vscode.Diagnostic(
          new vscode.Range(line - 1, Math.max(0, mark.col - 1), line - 1, Number.MAX_SAFE_INTEGER),
          edited ? `${mark.message} (traced before the file was edited)` : mark.message,
          mark.kind === 'blocking' || mark.kind === 'unhandled-rejection' || mark.kind === 'never-awaited'
            ? vscode.DiagnosticSeverity.Warning : vscode.DiagnosticSeverity.Information,
        );
        diagnostic.source = 'Await Lens';
        diagnostic.code = mark.kind;
        return diagnostic;
      }));
    }
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    if (document.uri.scheme !== 'file') return undefined;
    const found = this.store.siteAt(document.uri.fsPath, position.line + 1);
    if (!found) return undefined;
    const { trace, stats } = found;
    const markdown = new vscode.MarkdownString(
      hoverMarkdown(trace.model, stats, {
        stale: this.store.isStale(trace, document.uri.fsPath),
        live: trace.live,
        showInTimelineCommand: COMMANDS.showInTimeline,
        tracePath: trace.tracePath,
      }),
      true,
    );
    // Only our own command may run from this hover; program text in it is escaped.
    markdown.isTrusted = { enabledCommands: [COMMANDS.showInTimeline] };
    markdown.supportHtml = false;
    const line = document.lineAt(position.line);
    return new vscode.Hover(markdown, line.range);
  }

  dispose(): void {
    if (this.annotateTimer) clearTimeout(this.annotateTimer);
    for (const d of this.disposables) d.dispose();
  }
}
