// What a traced program that failed said about why: the error line of its last traceback or
// stack (Python, Node.js, TypeScript syntax errors from the loader) and where in the program
// it happened, so the message after a failed trace can say it and offer to go there.
// Pure: no `vscode`; tests feed it the stderr of real failing runs.
import { isAbsolute, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProgramError {
  /** The error line, e.g. "SyntaxError: invalid syntax" or "TypeError: boom". */
  message: string;
  /** Where in the traced program (or a file beside it) it happened, when the output says. */
  file?: string;
  line?: number;
  col?: number;
}

/** Keep this much of the end of a program's stderr: a traceback is at the end. */
export const STDERR_TAIL_CHARS = 16_000;

// "ValueError: boom", "Error [ERR_X]: msg", "[SyntaxError: msg (TypeScript, f.ts:2:28)]",
// "KeyboardInterrupt"; lines of exception groups start with "| ".
const ERROR_LINE = /^\[?((?:[A-Za-z_$][\w$.]*)?(?:Error|Exception|Interrupt|Exit)(?: \[[\w-]+\])?)(?::\s?(.*?))?\]?$/;
const PYTHON_FRAME = /File "([^"]+)", line (\d+)/g;
const NODE_LOCATION = /(file:\/\/\/?[^\s:()]+(?::[^\s:()]+)*?|\/[^\s:()]+|[A-Za-z]:\\[^\s:()]+):(\d+)(?::(\d+))?/g;

/**
 * The error a failed program reported on stderr, or undefined when there is none to show.
 * `program` is the traced file: locations in it (else in its folder, outside installed
 * packages) are preferred to locations in libraries or the tracer.
 */
export function programError(stderr: string, program: string): ProgramError | undefined {
  const lines = stderr.split(/\r?\n/).map((l) => l.replace(/^[\s|+-]*(?=\S)/, '').trimEnd());
  let message: string | undefined;
  for (let i = lines.length - 1; i >= 0 && message === undefined; i--) {
    const m = ERROR_LINE.exec(lines[i]);
    if (m) message = m[2] ? `${m[1]}: ${m[2]}` : m[1];
  }
  if (!message) return undefined;

  const locations: { file: string; line: number; col?: number }[] = [];
  let innermostLast = false;
  for (const m of stderr.matchAll(PYTHON_FRAME)) locations.push({ file: m[1], line: Number(m[2]) });
  if (locations.length) {
    innermostLast = true; // Python tracebacks: most recent call last
  } else {
    for (const m of stderr.matchAll(NODE_LOCATION)) {
      const file = toPath(m[1]);
      if (file) locations.push({ file, line: Number(m[2]), col: m[3] ? Number(m[3]) : undefined });
    }
  }
  const ordered = innermostLast ? locations.slice().reverse() : locations;
  const target = normalize(program);
  const folder = normalize(resolve(program, '..')) + sep;
  const inProgram = ordered.find((l) => normalize(l.file) === target);
  const besideIt = ordered.find((l) => normalize(l.file).startsWith(folder) && !/[\\/](node_modules|site-packages|\.awaitlens)[\\/]/.test(l.file));
  const where = inProgram ?? besideIt;
  if (!where) return { message };
  // Node's first line names the place without a column; its stack says the same line with one.
  const col = where.col ?? ordered.find((l) => l.file === where.file && l.line === where.line && l.col)?.col;
  return { message, file: where.file, line: where.line, ...(col ? { col } : {}) };
}

function toPath(text: string): string | undefined {
  try {
    const file = text.startsWith('file:') ? fileURLToPath(text) : text;
    return isAbsolute(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Program text made safe for a VS Code notification, which renders `[label](target)` as a
 * link (command links included): the brackets' meaning is broken, the words are kept.
 */
export function plainForNotification(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return short.replace(/\]\s*\(/g, '] (').replace(/<(?=[a-z/!])/gi, '< ');
}

/**
 * Why a run left no trace, in one line for the timeline and the notification: how the program
 * ended and the last lines it wrote to stderr (where an interpreter or the tracer says why).
 */
export function noTraceMessage(code: number | null, signal: string | null, stderrTail: string, maxTail = 400): string {
  const ended = code !== null ? `exited with code ${code}` : `was ended by ${signal ?? 'a signal'}`;
  const lines = stderrTail.split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l.trim());
  let tail = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const next = tail ? `${lines[i]} ⏎ ${tail}` : lines[i];
    if (next.length > maxTail) {
      if (!tail) tail = `…${lines[i].slice(-(maxTail - 1))}`;
      break;
    }
    tail = next;
  }
  return `The program ${ended} and the tracer wrote no trace${tail ? `; its stderr ends: ${tail}` : ' (nothing on stderr either)'}.`;
}
