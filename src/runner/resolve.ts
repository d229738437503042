// Which runtime runs a file, which interpreter to use, and where its trace goes.
// Plain Node (used by the CLI and the extension host): no `vscode` here.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type { Runtime } from '../trace/format';

/** An error meant for the user: one clear line, no stack trace needed. */
export class RunnerError extends Error {
  constructor(message: string, readonly code: 'no-interpreter' | 'no-file' | 'unsupported' | 'spawn' | 'no-tracer' | 'no-trace-folder') {
    super(message);
    this.name = 'RunnerError';
  }
}

const PYTHON_EXTENSIONS = new Set(['.py', '.pyw']);
const NODE_EXTENSIONS = new Set(['.js', '.mjs', '.cjs', '.ts', '.mts', '.cts', '.jsx', '.tsx']);

/** The runtime for a program file by its extension, or null when Await Lens cannot trace it. */
export function runtimeForFile(file: string): Runtime | null {
  const ext = extname(file).toLowerCase();
  if (PYTHON_EXTENSIONS.has(ext)) return 'python';
  if (NODE_EXTENSIONS.has(ext)) return 'node';
  return null;
}

/** Checks the program exists and is a file; returns its absolute path. */
export function checkProgram(file: string, cwd = process.cwd()): string {
  const full = resolve(cwd, file);
  let isFile = false;
  try {
    isFile = statSync(full).isFile();
  } catch {
    throw new RunnerError(`File not found: ${file}`, 'no-file');
  }
  if (!isFile) throw new RunnerError(`Not a file: ${file}`, 'no-file');
  if (!runtimeForFile(full)) {
    throw new RunnerError(
      `Cannot trace ${basename(full)}: Await Lens traces Python (.py) and JavaScript/TypeScript (.js .mjs .cjs .ts .mts .cts) files`,
      'unsupported',
    );
  }
  return full;
}

function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds a command on PATH the way a shell would (PATHEXT-like suffixes on Windows). */
export function which(command: string, envPath = process.env.PATH ?? ''): string | null {
  const suffixes = process.platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  for (const dir of envPath.split(delimiter)) {
    if (!dir) continue;
    for (const suffix of suffixes) {
      const candidate = join(dir, command + suffix);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return null;
}

export interface InterpreterChoice {
  /** Explicit interpreter: a path, or a bare command name looked up on PATH. */
  explicit?: string;
  envPath?: string;
  cwd?: string;
}

/**
 * The interpreter for a runtime: the explicit one when given (it must exist: silently running
 * another would surprise the user), else python3 / python, or node, on PATH.
 */
export function resolveInterpreter(runtime: Runtime, choice: InterpreterChoice = {}): string {
  const envPath = choice.envPath ?? process.env.PATH ?? '';
  const what = runtime === 'python' ? 'Python interpreter' : 'Node.js';
  const fix = runtime === 'python' ? 'set --python PATH (awaitLens.pythonPath in VS Code)' : 'set --node PATH (awaitLens.nodePath in VS Code)';
  const explicit = choice.explicit?.trim();
  if (explicit) {
    let value = explicit;
    if (value.startsWith('~/') && process.env.HOME) value = join(process.env.HOME, value.slice(2));
    const isPath = value.includes('/') || (process.platform === 'win32' && value.includes('\\'));
    const found = isPath ? (isExecutable(resolve(choice.cwd ?? process.cwd(), value)) ? resolve(choice.cwd ?? process.cwd(), value) : null) : which(value, envPath);
    if (!found) throw new RunnerError(`${what} not found: '${explicit}' is not an executable file; ${fix} to a working interpreter`, 'no-interpreter');
    return found;
  }
  const names = runtime === 'python' ? ['python3', 'python'] : ['node'];
  for (const name of names) {
    const found = which(name, envPath);
    if (found) return found;
  }
  throw new RunnerError(
    `${what} not found: ${names.map((n) => `'${n}'`).join(' or ')} is not on PATH; install ${runtime === 'python' ? 'Python 3' : 'Node.js'} or ${fix}`,
    'no-interpreter',
  );
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `.awaitlens/<name>-<timestamp>.trace.ndjson` beside the program (the folder is created). */
export function defaultTracePath(program: string, now = new Date()): string {
  const dir = join(dirname(program), '.awaitlens');
  makeFolder(dir);
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-`
    + `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}-${pad(now.getMilliseconds(), 3)}`;
  const name = basename(program).replace(/[^\w.-]+/g, '_');
  return join(dir, `${name}-${stamp}.trace.ndjson`);
}

/** Makes sure the folder of an explicit trace path exists; returns the absolute path. */
export function prepareTracePath(tracePath: string, cwd = process.cwd()): string {
  const full = isAbsolute(tracePath) ? tracePath : resolve(cwd, tracePath);
  makeFolder(dirname(full));
  return full;
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdirSync can spin forever under special
 * file systems (/proc), and a clear error beats a hang.
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  let current = dir;
  while (!existsSync(current)) {
    missing.push(current);
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  try {
    for (let i = missing.length - 1; i >= 0; i--) mkdirSync(missing[i]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new RunnerError(`Cannot create the trace folder ${dir} (${code})`, 'no-trace-folder');
  }
}
