// `awaitlens`: trace a program from the command line, summarise or view a saved trace.
// Every error the user can cause (missing file or interpreter, bad option, corrupt trace)
// ends in one line on stderr and a non-zero exit, never a stack trace.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RunnerError } from './runner/resolve';
import { startTrace } from './runner/run';
import { launchers } from './runner/launchers';
import { TraceFileError, loadTraceModel, readTraceFile } from './runner/load';
import { formatSummary } from './summary';
import { renderStandaloneHtml } from './html/standalone';
import type { TraceModel } from './model/types';
import type { TraceRecord } from './trace/format';
import type { ParseProblem } from './trace/reader';
import { version } from '../package.json';

const USAGE = `Await Lens ${version}: see what async code really does.

Usage:
  awaitlens trace FILE [options] [-- ARGS...]   run FILE (.py, .js, .mjs, .cjs, .ts, ...) under the tracer
  awaitlens summary TRACE                       print the summary of a saved trace
  awaitlens view TRACE --html OUT.html          write a self-contained HTML timeline of a trace

Options for trace:
  --out TRACE        where to write the trace (default: .awaitlens/<name>-<time>.trace.ndjson beside FILE)
  --python PATH      Python interpreter (default: python3, then python, on PATH)
  --node PATH        Node.js executable (default: node on PATH)
  --blocking-ms N    report steps holding the loop longer than N ms (default 100)
  --html OUT.html    also write the timeline as a self-contained HTML file
  --no-summary       do not print the summary
  -- ARGS...         arguments passed to the program

  -h, --help         this help
  -v, --version      the version

The program's output and exit code pass through; the summary goes to stderr.`;

class UsageError extends Error {}

interface TraceArgs {
  file: string;
  out?: string;
  python?: string;
  node?: string;
  blockingMs?: number;
  html?: string;
  summary: boolean;
  args: string[];
}

/** Options that take a value; `--opt=value` works too. */
const VALUE_OPTIONS = new Set(['--out', '--python', '--node', '--blocking-ms', '--html', '-o']);

function parseOptions(argv: string[], allowed: Set<string>): { positional: string[]; values: Map<string, string>; flags: Set<string>; rest: string[] } {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const flags = new Set<string>();
  let rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      rest = argv.slice(i + 1);
      break;
    }
    if (arg.startsWith('-') && arg !== '-') {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      if (!allowed.has(name)) throw new UsageError(`unknown option ${cleanArg(name)}`);
      if (VALUE_OPTIONS.has(name)) {
        const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined || value === '') throw new UsageError(`${name} needs a value`);
        values.set(name === '-o' ? '--out' : name, value);
      } else {
        if (eq > 0) throw new UsageError(`${name} takes no value`);
        flags.add(name);
      }
      continue;
    }
    positional.push(arg);
    // Everything after the program file belongs to the program, as with `python FILE ARGS`.
    if (allowed.has('--python') && positional.length === 1) {
      const after = argv.slice(i + 1);
      const dashDash = after.indexOf('--');
      // Our own options may still follow the file; program arguments follow `--`.
      const ours = dashDash >= 0 ? after.slice(0, dashDash) : after;
      let parsed;
      try {
        parsed = parseOptions(ours, allowed);
      } catch (error) {
        if (error instanceof UsageError && error.message.startsWith('unknown option')) {
          throw new UsageError(`${error.message} (put the program's own arguments after --: awaitlens trace FILE -- ARGS)`);
        }
        throw error;
      }
      if (parsed.positional.length) {
        throw new UsageError(`unexpected argument ${cleanArg(parsed.positional[0])} (put the program's arguments after --)`);
      }
      for (const [k, v] of parsed.values) values.set(k, v);
      for (const f of parsed.flags) flags.add(f);
      rest = dashDash >= 0 ? after.slice(dashDash + 1) : [];
      break;
    }
  }
  return { positional, values, flags, rest };
}

function cleanArg(text: string): string {
  // eslint-disable-next-line no-control-regex
  return JSON.stringify(text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'));
}

function parseTraceArgs(argv: string[]): TraceArgs {
  const { positional, values, flags, rest } = parseOptions(argv, new Set([...VALUE_OPTIONS, '--no-summary']));
  if (!positional.length) throw new UsageError('trace needs a FILE to run (awaitlens trace FILE)');
  let blockingMs: number | undefined;
  if (values.has('--blocking-ms')) {
    blockingMs = Number(values.get('--blocking-ms'));
    if (!Number.isFinite(blockingMs) || blockingMs < 0) throw new UsageError(`--blocking-ms needs a number of milliseconds, not ${cleanArg(values.get('--blocking-ms')!)}`);
  }
  return {
    file: positional[0],
    out: values.get('--out'),
    python: values.get('--python'),
    node: values.get('--node'),
    blockingMs,
    html: values.get('--html'),
    summary: !flags.has('--no-summary'),
    args: rest,
  };
}

function printSummary(model: TraceModel, tracePath: string): void {
  process.stderr.write(`\n${formatSummary(model, { tracePath, cwd: process.cwd(), color: process.stderr.isTTY && !process.env.NO_COLOR })}\n`);
}

function writeHtml(records: TraceRecord[], problems: ParseProblem[], tracePath: string, out: string): void {
  let html: string;
  try {
    html = renderStandaloneHtml(records, { distDir: __dirname, problems, tracePath });
  } catch (error) {
    throw new UsageError(`cannot write the HTML timeline: ${(error as Error).message} (is the build complete? run npm run build)`);
  }
  const full = resolve(out);
  try {
    writeFileSync(full, html);
  } catch (error) {
    throw new UsageError(`cannot write ${full}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  process.stderr.write(`Timeline written to ${full}\n`);
}

async function commandTrace(argv: string[]): Promise<number> {
  const options = parseTraceArgs(argv);
  const run = await startTrace({
    file: options.file,
    args: options.args,
    tracePath: options.out,
    interpreter: /\.(py|pyw)$/i.test(options.file) ? options.python : options.node,
    distDir: __dirname,
    launchers,
    blockingMs: options.blockingMs,
    stdin: 'inherit',
    output: 'inherit',
  });
  // Ctrl-C reaches the program too (same process group): let it end and keep its trace,
  // then summarise. A second Ctrl-C while it is still running kills it.
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts > 1) run.signal('SIGKILL');
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', () => run.stop());
  const result = await run.done;
  process.off('SIGINT', onInterrupt);
  if (!result.traceWritten) {
    process.stderr.write(`awaitlens: no trace was written to ${result.tracePath} (the tracer did not start; its message, if any, is above)\n`);
    return result.exitStatus || 1;
  }
  let loaded;
  try {
    loaded = loadTraceModel(result.tracePath);
  } catch (error) {
    if (error instanceof TraceFileError) {
      process.stderr.write(`awaitlens: ${error.message}\n`);
      return result.exitStatus || 1;
    }
    throw error;
  }
  if (options.summary) printSummary(loaded.model, result.tracePath);
  if (options.html) writeHtml(loaded.parsed.records, loaded.parsed.problems, result.tracePath, options.html);
  return result.exitStatus;
}

function commandSummary(argv: string[]): number {
  const { positional } = parseOptions(argv, new Set());
  if (positional.length !== 1) throw new UsageError('summary needs exactly one TRACE file (awaitlens summary TRACE)');
  const { model } = loadTraceModel(positional[0]);
  process.stdout.write(`${formatSummary(model, { tracePath: resolve(positional[0]), cwd: process.cwd(), color: process.stdout.isTTY && !process.env.NO_COLOR })}\n`);
  return 0;
}

function commandView(argv: string[]): number {
  const { positional, values } = parseOptions(argv, new Set(['--html']));
  if (positional.length !== 1) throw new UsageError('view needs exactly one TRACE file (awaitlens view TRACE --html OUT.html)');
  const out = values.get('--html');
  if (!out) throw new UsageError('view needs --html OUT.html (where to write the timeline)');
  const parsed = readTraceFile(positional[0]);
  writeHtml(parsed.records, parsed.problems, resolve(positional[0]), out);
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(`${USAGE}\n`);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        process.stdout.write(`${version}\n`);
        return 0;
      case 'trace': return await commandTrace(rest);
      case 'summary': return commandSummary(rest);
      case 'view': return commandView(rest);
      default:
        throw new UsageError(`unknown command ${cleanArg(command)} (try: awaitlens trace FILE, awaitlens summary TRACE, awaitlens --help)`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof RunnerError || error instanceof TraceFileError) {
      process.stderr.write(`awaitlens: ${error.message}\n`);
      return 2;
    }
    const err = error as NodeJS.ErrnoException;
    // Anything else is our bug or the system's: still one line, with a hint to get details.
    process.stderr.write(`awaitlens: ${err && err.message ? err.message : String(error)}${process.env.AWAITLENS_DEBUG ? `\n${err?.stack ?? ''}` : ' (set AWAITLENS_DEBUG=1 for details)'}\n`);
    return 1;
  }
}

if (require.main === module) {
  // `awaitlens summary TRACE | head`: a reader that stops early is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw error;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
