// One run of "Trace Current File": the checks before anything runs (saved file on disk, trusted
// workspace, an interpreter that works), then the program under its tracer via the shared runner
// (src/runner), its output in the output channel as it appears, its trace followed live, and
// stop = the whole process tree ends at once, the trace so far kept.
import * as vscode from 'vscode';
import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { startTrace, type TracedRun } from '../runner/run';
import { RunnerError } from '../runner/resolve';
import type { TraceRecord } from '../trace/format';
import { runtimeFor, SETTINGS, type ProgramRuntime } from './ids';
import { isProblem, resolveInterpreter } from './interpreter';
import { announcingLaunchers, commandLineForDisplay } from './commandLine';
import { STDERR_TAIL_CHARS } from './programError';
import { pythonFromPythonExtension } from './pythonExtension';
import { TraceTail } from '../runner/tail';
import { prepareTraceDirectory, tracePathFor } from './tracePaths';

export interface SessionHost {
  log(line: string): void;
  output: vscode.OutputChannel;
}

export interface SessionOutcome {
  code: number | null;
  signal: string | null;
  stopped: boolean;
  records: TraceRecord[];
  problems: { line: number; message: string }[];
  /** Set when the program could not be started at all. */
  failedToStart?: string;
  /** The end of what the program wrote to stderr (where a traceback is). */
  stderrTail: string;
}

/** How long SIGTERM gets before SIGKILL: enough for a tracer to flush its last lines. */
const KILL_GRACE_MS = 700;

export class TraceSession {
  private traced: TracedRun | undefined;
  private tail: TraceTail | undefined;
  private recordListeners: ((records: TraceRecord[]) => void)[] = [];
  private stopRequested = false;
  private startedAt = 0;
  private recordCount = 0;
  private taskCount = 0;
  private finished: Promise<SessionOutcome> | undefined;
  private stderrTail = '';

  private constructor(
    readonly program: string,
    readonly runtime: ProgramRuntime,
    readonly interpreter: string,
    readonly interpreterVersion: string,
    readonly tracePath: string,
    private readonly args: string[],
    private readonly blockingMs: number,
    private readonly cwd: string,
    private readonly host: SessionHost,
  ) {}

  /**
   * Checks everything before running: returns undefined (after telling the user why) when
   * the file cannot be traced here.
   */
  static async prepare(document: vscode.TextDocument, host: SessionHost): Promise<TraceSession | undefined> {
    if (document.isUntitled) {
      void vscode.window.showWarningMessage('Await Lens: save this file first. Tracing runs a file from disk.', 'Save As…')
        .then((choice) => choice && vscode.commands.executeCommand('workbench.action.files.saveAs'));
      return undefined;
    }
    if (document.uri.scheme !== 'file') {
      void vscode.window.showErrorMessage(
        `Await Lens traces files on this machine only; ${basename(document.uri.path)} is a "${document.uri.scheme}" resource (virtual workspace or remote file system).`,
      );
      return undefined;
    }
    const runtime = runtimeFor(document.languageId, document.fileName);
    if (!runtime) {
      void vscode.window.showWarningMessage(`Await Lens traces Python, JavaScript and TypeScript files; ${basename(document.fileName)} is none of these.`);
      return undefined;
    }
    if (!vscode.workspace.isTrusted) {
      // The answer is handled when it comes: nothing waits on it (a toast left open must not
      // hold up the next Trace Current File).
      void vscode.window.showWarningMessage(
        'Await Lens: tracing runs this program, so it is only allowed in a trusted workspace. Trust this workspace to trace it.',
        'Manage Workspace Trust',
      ).then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.trust.manage'); });
      return undefined;
    }
    if (document.isDirty && !(await document.save())) {
      void vscode.window.showWarningMessage(`Await Lens: ${basename(document.fileName)} could not be saved, so it was not traced.`);
      return undefined;
    }

    const program = document.uri.fsPath;
    const config = vscode.workspace.getConfiguration(SETTINGS.section, document.uri);
    const folder = vscode.workspace.getWorkspaceFolder(document.uri)?.uri.fsPath;
    const fromPythonExtension = runtime === 'python' ? await pythonFromPythonExtension(document.uri, (l) => host.log(l)) : undefined;
    const interpreter = await resolveInterpreter({
      runtime,
      fromPythonExtension,
      setting: config.get<string>(runtime === 'python' ? SETTINGS.pythonPath : SETTINGS.nodePath, ''),
      baseDir: folder ?? dirname(program),
    });
    if (isProblem(interpreter)) {
      host.log(interpreter.message);
      // Not awaited: the toast may stay open while the user fixes the setting and traces again.
      void vscode.window.showErrorMessage(`Await Lens: ${interpreter.message}`, 'Open Setting')
        .then((choice) => { if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', interpreter.setting); });
      return undefined;
    }
    const tracePath = tracePathFor(program, config.get<string>(SETTINGS.traceDirectory, ''), { workspaceFolder: folder });
    const args = (config.get<unknown[]>(SETTINGS.programArgs, []) ?? []).map(String);
    const blockingMs = Math.max(1, Number(config.get<number>(SETTINGS.blockingThresholdMs, 100)) || 100);
    return new TraceSession(
      program, runtime, interpreter.path, `${interpreter.version} (from ${interpreter.source === 'python-extension' ? 'the Python extension' : interpreter.source === 'setting' ? 'settings' : 'PATH'})`,
      tracePath, args, blockingMs, folder ?? dirname(program), host,
    );
  }

  onRecords(listener: (records: TraceRecord[]) => void): void {
    this.recordListeners.push(listener);
  }

  /** Every record read from the trace so far (to fill a timeline opened mid-run). */
  recordsSoFar(): TraceRecord[] {
    return this.tail ? this.tail.records.slice() : [];
  }

  progressText(): string {
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(0);
    return `${this.taskCount} task${this.taskCount === 1 ? '' : 's'} · ${this.recordCount} events · ${seconds} s (Cancel stops it)`;
  }

  /** Runs the program to its end (or until stop()); resolves with what was traced. */
  run(): Promise<SessionOutcome> {
    this.finished ??= this.execute();
    return this.finished;
  }

  private async execute(): Promise<SessionOutcome> {
    const out = this.host.output;
    this.startedAt = Date.now();
    try {
      prepareTraceDirectory(this.tracePath);
      // A previous run's trace must not be read as this run's beginning.
      rmSync(this.tracePath, { force: true });
    } catch (error) {
      return this.failed(`cannot write the trace to ${this.tracePath} (${(error as Error).message}); set awaitLens.traceDirectory to a folder you can write to`);
    }
    out.appendLine('');
    out.appendLine(`── ${new Date().toLocaleTimeString()} tracing ${this.program}`);
    // The version is what `--version` printed: "Python 3.11.7" already names itself, "v20.1.0" does not.
    const runtimeName = this.runtime === 'python' ? 'Python' : 'Node.js';
    const version = this.interpreterVersion.startsWith(runtimeName) ? this.interpreterVersion : `${runtimeName} ${this.interpreterVersion}`;
    out.appendLine(`   ${version}: ${this.interpreter}`);
    out.appendLine(`   trace: ${this.tracePath}`);
    out.appendLine(`   working directory: ${this.cwd}`);
    out.show(true);

    this.tail = new TraceTail(this.tracePath, {
      onRecords: (records) => {
        this.recordCount += records.length;
        for (const r of records) if (r.type === 'task') this.taskCount++;
        for (const listener of this.recordListeners) listener(records);
      },
    });
    try {
      this.traced = await startTrace({
        file: this.program,
        args: this.args,
        tracePath: this.tracePath,
        interpreter: this.interpreter,
        distDir: __dirname,
        // The command line really run (tracer, interpreter, program, args), shown as it is spawned.
        launchers: announcingLaunchers((plan) => out.appendLine(commandLineForDisplay(plan))),
        blockingMs: this.blockingMs,
        cwd: this.cwd,
        stdin: 'eof',
        output: {
          onStdout: (text) => out.append(text),
          onStderr: (text) => {
            out.append(text);
            this.stderrTail = (this.stderrTail + text).slice(-STDERR_TAIL_CHARS);
          },
        },
        killGraceMs: KILL_GRACE_MS,
      });
    } catch (error) {
      this.tail.close();
      return this.failed(error instanceof RunnerError ? error.message : `could not start the program: ${(error as Error).message}`);
    }
    if (this.stopRequested) this.traced.stop();
    this.tail.start();
    let code: number | null = null;
    let signal: string | null = null;
    let stopped = this.stopRequested;
    try {
      const result = await this.traced.done;
      code = result.code;
      signal = result.signal;
      stopped = result.stopped || this.stopRequested;
    } catch (error) {
      this.tail.close();
      return this.failed((error as Error).message);
    }
    this.tail.close();
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(2);
    const exit = code !== null ? `exit code ${code}` : `ended by ${signal ?? 'a signal'}`;
    if (stopped) out.appendLine(`── stopped after ${seconds} s (${exit}); the trace recorded so far is kept (${this.tail.records.length} records)`);
    else out.appendLine(`── ${exit} after ${seconds} s (${this.tail.records.length} records)`);
    if (!this.tail.records.length) {
      out.appendLine('   the tracer wrote no trace: see the output above for why');
    }
    for (const problem of this.tail.problems.slice(0, 5)) out.appendLine(`   trace line ${problem.line}: ${problem.message}`);
    return { code, signal, stopped, records: this.tail.records, problems: this.tail.problems, stderrTail: this.stderrTail };
  }

  private failed(message: string): SessionOutcome {
    this.host.output.appendLine(`── ${message}`);
    return { code: null, signal: null, stopped: false, records: this.tail?.records ?? [], problems: this.tail?.problems ?? [], failedToStart: message, stderrTail: this.stderrTail };
  }

  /** Stop was asked for: the program is on its way out. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Ends the program and everything it started; resolves once it is gone and the trace is read. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    this.traced?.stop();
    if (this.finished) await this.finished;
  }
}
