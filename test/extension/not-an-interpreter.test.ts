// A pythonPath / nodePath that runs but is not that interpreter (/bin/echo, a script printing
// something else) must be refused with one clear message naming what `--version` said, not
// accepted and left to fail later without a trace. And a run that left no trace says why.
import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProblem, resolveInterpreter, versionProblem } from '../../src/extension/interpreter';
import { noTraceMessage } from '../../src/extension/programError';

const posix = process.platform !== 'win32';
(posix ? describe : describe.skip)('an interpreter setting that is not the interpreter', () => {
  let root: string;
  function fake(dir: string, name: string, says: string): string {
    mkdirSync(join(root, dir), { recursive: true });
    const path = join(root, dir, name);
    writeFileSync(path, `#!/bin/sh\necho "${says}"\n`);
    chmodSync(path, 0o755);
    return path;
  }
  before(() => { root = mkdtempSync(join(tmpdir(), 'awaitlens-notinterp-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  const echo = existsSync('/bin/echo') ? '/bin/echo' : fake('bin', 'echo', 'echo (GNU coreutils) 9.1');

  it('pythonPath = /bin/echo: refused, saying it is not Python and what --version said', async () => {
    const result = await resolveInterpreter({ runtime: 'python', setting: echo, envPath: '' });
    assert.ok(isProblem(result), `accepted ${echo} as Python: ${JSON.stringify(result)}`);
    assert.equal(result.setting, 'awaitLens.pythonPath');
    assert.match(result.message, new RegExp(`"${echo}", which is not a Python interpreter: \`--version\` said "`));
  });

  it('nodePath = /bin/echo: refused the same way', async () => {
    const result = await resolveInterpreter({ runtime: 'node', setting: echo, envPath: '' });
    assert.ok(isProblem(result), `accepted ${echo} as Node.js: ${JSON.stringify(result)}`);
    assert.equal(result.setting, 'awaitLens.nodePath');
    assert.match(result.message, /which is not Node\.js: `--version` said "/);
  });

  it('a Python 2 is named as such; a python3 on PATH that is something else is skipped for the next', async () => {
    const two = fake('two', 'python', 'Python 2.7.18');
    const result = await resolveInterpreter({ runtime: 'python', setting: two, envPath: '' });
    assert.ok(isProblem(result));
    assert.match(result.message, /is Python 2\.7\.18; Await Lens needs Python 3/);
    fake('odd', 'python3', 'hello from a wrapper');
    const good = fake('good', 'python3', 'Python 3.12.1');
    const found = await resolveInterpreter({ runtime: 'python', envPath: [join(root, 'odd'), join(root, 'good')].join(':') });
    assert.ok(!isProblem(found), JSON.stringify(found));
    assert.equal(found.path, good);
  });

  it('real interpreters pass the check', () => {
    assert.equal(versionProblem('python', 'Python 3.11.7'), null);
    assert.equal(versionProblem('python', 'Python 3.13.0rc1'), null);
    assert.equal(versionProblem('node', process.version), null);
    assert.equal(versionProblem('node', 'v20.20.2'), null);
  });
});

describe('a run that wrote no trace', () => {
  it('says how the program ended and the end of its stderr', () => {
    const text = noTraceMessage(0, null, 'line one\nline two\n');
    assert.match(text, /exited with code 0/);
    assert.match(text, /wrote no trace/);
    assert.match(text, /line one ⏎ line two/);
    assert.match(noTraceMessage(null, 'SIGKILL', ''), /ended by SIGKILL.*nothing on stderr/);
    const long = noTraceMessage(1, null, 'x'.repeat(5000));
    assert.ok(long.length < 600, `kept short: ${long.length}`);
  });
});
