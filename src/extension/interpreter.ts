// Which python / node executable runs the traced program. Pure Node (no `vscode`):
// the extension passes in what the Python extension and the settings say, and the tests
// drive it with fake executables on a PATH they control.
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ProgramRuntime } from './ids';

export type InterpreterSource = 'python-extension' | 'setting' | 'path';

export interface Interpreter {
  runtime: ProgramRuntime;
  /** Absolute path of the executable. */
  path: string;
  source: InterpreterSource;
  /** What `--version` printed, e.g. "Python 3.11.7" or "v20.20.2". */
  version: string;
}

export interface InterpreterProblem {
  runtime: ProgramRuntime;
  /** One sentence saying what is wrong and how to fix it. */
  message: string;
  /** The setting that fixes it, e.g. "awaitLens.pythonPath". */
  setting: string;
}

export interface ResolveOptions {
  runtime: ProgramRuntime;
  /** The interpreter selected in the Python extension, when it is installed and says one. */
  fromPythonExtension?: string;
  /** The awaitLens.pythonPath / awaitLens.nodePath setting ('' = unset). */
  setting?: string;
  /** PATH to search (process.env.PATH normally). */
  envPath?: string;
  /** Folder a relative setting is resolved against (the workspace folder). */
  baseDir?: string;
  platform?: NodeJS.Platform;
  /** How long `--version` may take before the interpreter counts as broken, ms. */
  probeTimeoutMs?: number;
}

export function settingFor(runtime: ProgramRuntime): string {
  return runtime === 'python' ? 'awaitLens.pythonPath' : 'awaitLens.nodePath';
}

function isExecutableFile(path: string, platform: NodeJS.Platform): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable named `command` on a PATH string, in PATH order (PATHEXT-like suffixes on Windows). */
export function findAllOnPath(command: string, envPath: string, platform: NodeJS.Platform = process.platform): string[] {
  const exts = platform === 'win32' ? ['', '.exe', '.cmd', '.bat'] : [''];
  const found: string[] = [];
  for (const dir of envPath.split(platform === 'win32' ? ';' : delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, command + ext);
      if (isExecutableFile(candidate, platform) && !found.includes(candidate)) found.push(candidate);
    }
  }
  return found;
}

/** Finds a command on a PATH string the way a shell would. */
export function findOnPath(command: string, envPath: string, platform: NodeJS.Platform = process.platform): string | null {
  return findAllOnPath(command, envPath, platform)[0] ?? null;
}

/** Runs `EXE --version`; resolves to what it printed, or null when it fails (broken venv, pyenv shim with no version). */
export function probeVersion(executable: string, timeoutMs = 10_000): Promise<string | null> {
  return new Promise((done) => {
    execFile(executable, ['--version'], { timeout: timeoutMs, windowsHide: true }, (error, stdout, stderr) => {
      if (error) return done(null);
      // Python 2 printed its version on stderr.
      done((String(stdout).trim() || String(stderr).trim()).split('\n')[0] || '?');
    });
  });
}

/**
 * Whether what `--version` printed is this runtime's: "Python 3.x" for Python, "v20.1.0" for
 * Node. Anything else (/bin/echo prints "--version" or "echo (GNU coreutils) 9.1") is not an
 * interpreter Await Lens can trace with, however well it runs.
 */
export function versionProblem(runtime: ProgramRuntime, version: string): string | null {
  const said = version.length > 80 ? `${version.slice(0, 80)}…` : version;
  if (runtime === 'python') {
    if (/^Python 3\.\d+/i.test(version)) return null;
    if (/^Python [0-2]\./i.test(version)) return `is ${said}; Await Lens needs Python 3`;
    return `is not a Python interpreter: \`--version\` said "${said}"`;
  }
  return /^v?\d+\.\d+/.test(version) ? null : `is not Node.js: \`--version\` said "${said}"`;
}

/** Turns a setting value into an executable path: a bare name is looked up on PATH, a relative path resolved against baseDir. */
function locate(value: string, opts: ResolveOptions, platform: NodeJS.Platform): string | null {
  let v = value.trim();
  if (v.startsWith('~/') && process.env.HOME) v = join(process.env.HOME, v.slice(2));
  const hasSeparator = v.includes('/') || (platform === 'win32' && v.includes('\\'));
  if (!hasSeparator) return findOnPath(v, opts.envPath ?? process.env.PATH ?? '', platform);
  const full = isAbsolute(v) ? v : resolve(opts.baseDir ?? process.cwd(), v);
  return isExecutableFile(full, platform) ? full : null;
}

/**
 * Resolution order. Python: the Python extension's selected interpreter, then awaitLens.pythonPath,
 * then python3, then python on PATH. Node: awaitLens.nodePath, then node on PATH.
 * A candidate counts only when it exists and answers `--version`.
 * An explicit setting that does not work is reported rather than silently skipped:
 * the user asked for it, and running another interpreter instead would surprise them.
 */
export async function resolveInterpreter(opts: ResolveOptions): Promise<Interpreter | InterpreterProblem> {
  const platform = opts.platform ?? process.platform;
  const { runtime } = opts;
  const setting = settingFor(runtime);
  const probe = async (path: string | null, source: InterpreterSource): Promise<Interpreter | null> => {
    if (!path) return null;
    const version = await probeVersion(path, opts.probeTimeoutMs);
    return version === null ? null : { runtime, path, source, version };
  };
  /** Probes a candidate and rejects what runs but is not this runtime (its reason in `last.rejected`). */
  const last: { rejected: string | null } = { rejected: null };
  const probeRuntime = async (path: string | null, source: InterpreterSource): Promise<Interpreter | null> => {
    const found = await probe(path, source);
    if (!found) return null;
    last.rejected = versionProblem(runtime, found.version);
    return last.rejected ? null : found;
  };

  if (runtime === 'python' && opts.fromPythonExtension) {
    const found = await probeRuntime(locate(opts.fromPythonExtension, opts, platform), 'python-extension');
    if (found) return found;
  }
  if (opts.setting && opts.setting.trim()) {
    const path = locate(opts.setting, opts, platform);
    last.rejected = null;
    const found = await probeRuntime(path, 'setting');
    if (found) return found;
    return {
      runtime,
      setting,
      message: last.rejected
        ? `The ${setting} setting points to "${opts.setting}", which ${last.rejected}. Fix or clear the setting.`
        : path
        ? `The ${setting} setting points to "${opts.setting}", which did not run (\`${opts.setting} --version\` failed). Fix or clear the setting.`
        : `The ${setting} setting points to "${opts.setting}", which is not an executable file. Fix or clear the setting.`,
    };
  }
  const names = runtime === 'python' ? ['python3', 'python'] : ['node'];
  // A python3 that does not run (a pyenv shim with no version, a deleted venv early on PATH)
  // is skipped for the next one, as a user who typed the command would then fix PATH anyway.
  for (const name of names) {
    for (const candidate of findAllOnPath(name, opts.envPath ?? process.env.PATH ?? '', platform)) {
      const found = await probeRuntime(candidate, 'path');
      if (found) return found;
    }
  }
  const what = runtime === 'python' ? 'Python 3 (python3 or python)' : 'Node.js (node)';
  const fix = runtime === 'python'
    ? `install Python 3, select an interpreter with the Python extension, or set ${setting} to the interpreter's path`
    : `install Node.js or set ${setting} to the node executable's path`;
  return { runtime, setting, message: `Could not find ${what} on PATH: ${fix}.` };
}

export function isProblem(value: Interpreter | InterpreterProblem): value is InterpreterProblem {
  return 'message' in value;
}
