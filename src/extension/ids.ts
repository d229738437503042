// Names the outside world sees: command ids, settings, view type, status bar texts.
// Kept in one pure module so package.json, the extension and the tests agree on them.

export const COMMANDS = {
  traceCurrentFile: 'awaitLens.traceCurrentFile',
  stopTracing: 'awaitLens.stopTracing',
  showTimeline: 'awaitLens.showTimeline',
  toggleAnnotations: 'awaitLens.toggleAnnotations',
  openTraceFile: 'awaitLens.openTraceFile',
  /** Internal: the hover's "Show in timeline" link. Not in the command palette. */
  showInTimeline: 'awaitLens.showInTimeline',
} as const;

export const SETTINGS = {
  section: 'awaitLens',
  pythonPath: 'pythonPath',
  nodePath: 'nodePath',
  blockingThresholdMs: 'blockingThresholdMs',
  annotations: 'annotations',
  traceDirectory: 'traceDirectory',
  programArgs: 'programArgs',
} as const;

/** Webview panel type; `onWebviewPanel:` activation and the serializer use it. */
export const TIMELINE_VIEW_TYPE = 'awaitLens.timeline';
export const OUTPUT_CHANNEL_NAME = 'Await Lens';
/** Context key set while a trace runs: `when` clauses show Stop only then. */
export const CONTEXT_TRACING = 'awaitLens.tracing';

/** Language ids the extension traces (editor/title button, context menu, hovers). */
export const TRACEABLE_LANGUAGES = ['python', 'javascript', 'typescript', 'javascriptreact', 'typescriptreact'] as const;

export type ProgramRuntime = 'python' | 'node';

/** Which runtime runs a document, by language id first and file extension second. */
export function runtimeFor(languageId: string, fileName: string): ProgramRuntime | null {
  if (languageId === 'python') return 'python';
  if (['javascript', 'typescript', 'javascriptreact', 'typescriptreact'].includes(languageId)) return 'node';
  const lower = fileName.toLowerCase();
  if (/\.pyw?$/.test(lower)) return 'python';
  if (/\.(m|c)?(j|t)sx?$/.test(lower)) return 'node';
  return null;
}

export const STATUS_TEXT = {
  /** Status bar text while tracing; the e2e test looks for the leading words. */
  tracing: (fileBase: string) => `$(debug-stop) Await Lens: tracing ${fileBase}`,
  tooltip: 'Await Lens is tracing this program. Click to stop it and keep the trace recorded so far.',
  /** After Stop, until the program and everything it started are gone. */
  stopping: (fileBase: string) => `$(loading~spin) Await Lens: stopping ${fileBase}`,
};
