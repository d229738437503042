// Interpreter resolution order, with fake python/node executables (real processes: small shell
// scripts that answer --version, or fail like a broken venv / a pyenv shim without a version)
// in temp folders on a PATH the test controls.
import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { findOnPath, isProblem, resolveInterpreter, type Interpreter } from '../../src/extension/interpreter';

const posix = process.platform !== 'win32';
(posix ? describe : describe.skip)('interpreter resolution', () => {
  let root: string;
  const bin = (name: string) => join(root, name);

  /** A fake executable printing `version` for --version (exit 0), or failing with `exitCode`. */
  function fake(dir: string, name: string, version: string | null, exitCode = 0): string {
    mkdirSync(join(root, dir), { recursive: true });
    const path = join(root, dir, name);
    const body = version === null ? `echo "pyenv: ${name}: command not found" >&2; exit ${exitCode || 127}` : `echo "${version}"; exit ${exitCode}`;
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  }
  const onPath = (...dirs: string[]) => dirs.map(bin).join(delimiter);
  const ok = (r: Awaited<ReturnType<typeof resolveInterpreter>>): Interpreter => {
    if (isProblem(r)) assert.fail(`expected an interpreter, got: ${r.message}`);
    return r;
  };

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'awaitlens-interp-'));
    fake('a', 'python3', 'Python 3.12.1');
    fake('b', 'python', 'Python 3.9.0');
    fake('b', 'python3', 'Python 3.10.0');
    fake('venv/bin', 'python', 'Python 3.13.0');
    fake('tools', 'mypython', 'Python 3.11.5');
    fake('shim', 'python3', null); // a pyenv shim with no version selected
    fake('broken', 'python', 'Python 3.8.0', 1);
    fake('node-a', 'node', 'v22.1.0');
    // A file named python3 that is not executable must be skipped.
    mkdirSync(bin('noexec'));
    writeFileSync(join(bin('noexec'), 'python3'), '#!/bin/sh\necho no\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds commands on a PATH string, skipping files without the executable bit', () => {
    assert.equal(findOnPath('python3', onPath('noexec', 'a')), join(bin('a'), 'python3'));
    assert.equal(findOnPath('python3', onPath('b', 'a')), join(bin('b'), 'python3'));
    assert.equal(findOnPath('nothing-here', onPath('a', 'b')), null);
  });

  it('prefers python3 on PATH over python, and reports the version it printed', async () => {
    const r = ok(await resolveInterpreter({ runtime: 'python', envPath: onPath('b') }));
    assert.equal(r.path, join(bin('b'), 'python3'));
    assert.equal(r.version, 'Python 3.10.0');
    assert.equal(r.source, 'path');
  });

  it('skips an interpreter that does not run (pyenv shim) and falls back to python', async () => {
    const r = ok(await resolveInterpreter({ runtime: 'python', envPath: onPath('shim', 'broken', 'b') }));
    // shim/python3 fails, broken/python exits 1, b/python3 comes before python in the order.
    assert.equal(r.path, join(bin('b'), 'python3'));
    const onlyPython = ok(await resolveInterpreter({ runtime: 'python', envPath: [bin('shim'), join(root, 'venv/bin')].join(delimiter) }));
    assert.equal(onlyPython.path, join(root, 'venv/bin', 'python'));
  });

  it('uses the Python extension\'s interpreter first, then the setting, then PATH', async () => {
    const venv = join(root, 'venv/bin/python');
    const fromExt = ok(await resolveInterpreter({ runtime: 'python', fromPythonExtension: venv, setting: 'mypython', envPath: onPath('a', 'tools') }));
    assert.deepEqual([fromExt.path, fromExt.source, fromExt.version], [venv, 'python-extension', 'Python 3.13.0']);

    // The Python extension names an interpreter that is gone: the setting decides.
    const fromSetting = ok(await resolveInterpreter({ runtime: 'python', fromPythonExtension: join(root, 'gone/python'), setting: 'mypython', envPath: onPath('a', 'tools') }));
    assert.deepEqual([fromSetting.path, fromSetting.source], [join(bin('tools'), 'mypython'), 'setting']);

    // A relative setting resolves against the workspace folder.
    const relative = ok(await resolveInterpreter({ runtime: 'python', setting: 'venv/bin/python', baseDir: root, envPath: onPath('a') }));
    assert.deepEqual([relative.path, relative.source], [venv, 'setting']);
  });

  it('reports a setting that points nowhere instead of silently running another interpreter', async () => {
    const missing = await resolveInterpreter({ runtime: 'python', setting: join(root, 'nope/python3'), envPath: onPath('a') });
    assert.ok(isProblem(missing));
    assert.equal(missing.setting, 'awaitLens.pythonPath');
    assert.match(missing.message, /awaitLens\.pythonPath/);
    assert.match(missing.message, /nope\/python3/);

    const broken = await resolveInterpreter({ runtime: 'python', setting: join(bin('broken'), 'python'), envPath: onPath('a') });
    assert.ok(isProblem(broken));
    assert.match(broken.message, /did not run/);
  });

  it('says how to fix a missing runtime, naming the setting', async () => {
    const python = await resolveInterpreter({ runtime: 'python', envPath: onPath('shim', 'noexec') });
    assert.ok(isProblem(python));
    assert.match(python.message, /^Could not find Python 3/, "the caller adds \"Await Lens: \" in front");
    assert.match(python.message, /awaitLens\.pythonPath/);
    const node = await resolveInterpreter({ runtime: 'node', envPath: onPath('a', 'b') });
    assert.ok(isProblem(node));
    assert.equal(node.setting, 'awaitLens.nodePath');
    assert.match(node.message, /Node\.js/);
  });

  it('node: the nodePath setting, else node on PATH; the Python extension is not asked', async () => {
    const fromPath = ok(await resolveInterpreter({ runtime: 'node', fromPythonExtension: join(root, 'venv/bin/python'), envPath: onPath('node-a') }));
    assert.deepEqual([fromPath.path, fromPath.version, fromPath.source], [join(bin('node-a'), 'node'), 'v22.1.0', 'path']);
    const fromSetting = ok(await resolveInterpreter({ runtime: 'node', setting: process.execPath, envPath: onPath('node-a') }));
    assert.equal(fromSetting.path, process.execPath);
    assert.equal(fromSetting.version, process.version);
  });
});
