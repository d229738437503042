// Starts a program under its tracer and watches it until it ends. Used by the CLI
// (output and stdin pass through) and the extension host (output to callbacks, stdin at EOF,
// stop = end the whole process tree and keep the trace recorded so far). Plain Node.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { LaunchOptions, LaunchPlan } from '../tracers/launch';
import type { Runtime } from '../trace/format';
import { RunnerError, checkProgram, defaultTracePath, prepareTracePath, resolveInterpreter, runtimeForFile } from './resolve';

export type LaunchFunction = (options: LaunchOptions) => LaunchPlan | Promise<LaunchPlan>;
export type Launchers = Partial<Record<Runtime, LaunchFunction>>;

export interface OutputCallbacks {
  onStdout(text: string): void;
  onStderr(text: string): void;
}

export interface RunOptions {
  /** The program to trace (relative paths resolve against `cwd`). */
  file: string;
  args?: string[];
  /** Where the trace goes; default `.awaitlens/<name>-<timestamp>.trace.ndjson` beside the program. */
  tracePath?: string;
  /** Explicit interpreter (path or command name); default python3/python or node on PATH. */
  interpreter?: string;
  /** The folder holding the built tracers: `__dirname` of the CLI or extension bundle. */
  distDir: string;
  /** How each runtime's tracer is launched (src/tracers/<runtime>/launch.ts). */
  launchers: Launchers;
  blockingMs?: number;
  /** Working directory of the program; default the current directory. */
  cwd?: string;
  /** 'inherit': the program reads our stdin (CLI). 'eof': it reads end-of-file at once (extension). */
  stdin?: 'inherit' | 'eof';
  /** 'inherit': the program writes straight to our stdout/stderr (CLI); or callbacks (extension). */
  output?: 'inherit' | OutputCallbacks;
  /**
   * Run in its own process group so stop() ends the whole tree. Default: true unless stdin is
   * inherited (a background process group reading the terminal would be stopped by SIGTTIN).
   */
  detached?: boolean;
  /** After stop(): how long SIGTERM gets before SIGKILL, ms. */
  killGraceMs?: number;
  /** Extra environment variables for the program. */
  env?: Record<string, string>;
  envPath?: string;
}

export interface RunResult {
  /** The program's exit code, null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What a shell would report: the code, or 128 + signal number. */
  exitStatus: number;
  tracePath: string;
  /** True when the trace file exists and is not empty. */
  traceWritten: boolean;
  /** True when stop() ended it. */
  stopped: boolean;
  durationMs: number;
}

export interface TracedRun {
  pid: number | undefined;
  file: string;
  runtime: Runtime;
  interpreter: string;
  tracePath: string;
  /** Settles when the program has ended (and its output streams are drained). */
  done: Promise<RunResult>;
  /** Ends the program and everything it started: SIGTERM to its group, SIGKILL after the grace period. */
  stop(): void;
  /** Sends a signal to the program (its whole group when detached), e.g. to forward Ctrl-C. */
  signal(signal: NodeJS.Signals): void;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGTERM: 15, SIGSEGV: 11, SIGABRT: 6, SIGPIPE: 13 };

/** Starts tracing a program. Throws RunnerError (one clear message) before anything runs when it cannot. */
export async function startTrace(options: RunOptions): Promise<TracedRun> {
  const cwd = options.cwd ?? process.cwd();
  const file = checkProgram(options.file, cwd);
  const runtime = runtimeForFile(file)!;
  const launch = options.launchers[runtime];
  if (!launch) throw new RunnerError(`Tracing ${runtime} programs is not available in this build`, 'no-tracer');
  const interpreter = resolveInterpreter(runtime, { explicit: options.interpreter, envPath: options.envPath, cwd });
  const tracePath = options.tracePath ? prepareTracePath(options.tracePath, cwd) : defaultTracePath(file);
  // An older trace at this path must not pass for this run's (when the tracer fails to start).
  try {
    rmSync(tracePath, { force: true });
  } catch (error) {
    throw new RunnerError(`Cannot write the trace to ${tracePath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, 'no-trace-folder');
  }
  // (sys.argv[0] as `python FILE` gives it: the name the user typed, relative to where it runs)
  const programArg = isAbsolute(options.file) || options.file.startsWith('-') ? undefined : options.file;
  const plan = await launch({
    file, programArg, args: options.args ?? [], tracePath, distDir: options.distDir, interpreter, blockingMs: options.blockingMs, cwd,
  });

  const stdinMode = options.stdin ?? 'eof';
  const detached = options.detached ?? stdinMode !== 'inherit';
  const callbacks = options.output && options.output !== 'inherit' ? options.output : null;
  const started = Date.now();
  let child: ChildProcess;
  try {
    child = spawn(plan.command, plan.args, {
      cwd,
      env: { ...process.env, ...(options.env ?? {}), ...plan.env },
      stdio: [stdinMode === 'inherit' ? 'inherit' : 'ignore', callbacks ? 'pipe' : 'inherit', callbacks ? 'pipe' : 'inherit'],
      detached: process.platform !== 'win32' && detached,
      windowsHide: true,
    });
  } catch (error) {
    throw new RunnerError(`Could not start ${interpreter}: ${(error as Error).message}`, 'spawn');
  }

  if (callbacks) {
    // Decoders keep multi-byte characters split across chunks intact.
    const outDecoder = new StringDecoder('utf8');
    const errDecoder = new StringDecoder('utf8');
    child.stdout!.on('data', (chunk: Buffer) => callbacks.onStdout(outDecoder.write(chunk)));
    child.stderr!.on('data', (chunk: Buffer) => callbacks.onStderr(errDecoder.write(chunk)));
    child.stdout!.on('end', () => { const rest = outDecoder.end(); if (rest) callbacks.onStdout(rest); });
    child.stderr!.on('end', () => { const rest = errDecoder.end(); if (rest) callbacks.onStderr(rest); });
  }

  let stopped = false;
  let exited = false;
  let killTimer: NodeJS.Timeout | undefined;
  const sendSignal = (signal: NodeJS.Signals) => {
    if (exited || child.pid === undefined) return;
    try {
      if (process.platform === 'win32') {
        // No process groups: taskkill ends the tree.
        spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { windowsHide: true, stdio: 'ignore' });
      } else if (detached) {
        process.kill(-child.pid, signal);
      } else {
        child.kill(signal);
      }
    } catch {
      // Already gone.
    }
  };

  const done = new Promise<RunResult>((resolveDone, rejectDone) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      exited = true;
      rejectDone(new RunnerError(
        error.code === 'ENOENT' ? `Could not start ${plan.command}: not found` : `Could not start ${plan.command}: ${error.message}`,
        'spawn',
      ));
    });
    let settled = false;
    const finish = (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      exited = true;
      if (killTimer) clearTimeout(killTimer);
      if (stopped && detached && process.platform !== 'win32' && child.pid !== undefined) {
        // Stopping ends the whole tree: children the program left behind in its group go too.
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
      }
      let traceWritten = false;
      try { traceWritten = existsSync(tracePath) && statSync(tracePath).size > 0; } catch { /* unreadable: not written */ }
      resolveDone({
        code, signal, tracePath, traceWritten, stopped, durationMs: Date.now() - started,
        exitStatus: code ?? 128 + (SIGNAL_NUMBERS[signal ?? ''] ?? 1),
      });
    };
    // 'close' waits for the output pipes to drain, so callbacks have seen everything. A child
    // the program left running may hold the pipes open: then give up on them shortly after exit.
    child.once('close', finish);
    child.once('exit', (code, signal) => {
      exited = true;
      const drain = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish(code, signal);
      }, 1000);
      drain.unref?.();
    });
  });

  return {
    pid: child.pid,
    file,
    runtime,
    interpreter,
    tracePath,
    done,
    stop() {
      if (exited || stopped) return;
      stopped = true;
      sendSignal('SIGTERM');
      killTimer = setTimeout(() => sendSignal('SIGKILL'), options.killGraceMs ?? 2000);
      killTimer.unref?.();
    },
    signal: sendSignal,
  };
}

/** Starts a program under its tracer and waits for it to end. */
export async function runTrace(options: RunOptions): Promise<RunResult> {
  const run = await startTrace(options);
  return run.done;
}
