// awaitLens.traceDirectory as users write it: `~/traces` must mean the home folder (not a
// folder named "~" in the workspace), and VS Code-style variables are expanded.
import { strict as assert } from 'node:assert';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { expandPathSetting, tracePathFor } from '../../src/extension/tracePaths';

describe('awaitLens.traceDirectory: ~ and ${variables}', () => {
  const ws = join('/', 'work', 'ws');
  const program = join(ws, 'app', 'main.py');

  it('~ is the home folder', () => {
    assert.equal(tracePathFor(program, '~/awl-traces'), join(homedir(), 'awl-traces', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, '~', { home: '/home/u' }), join('/home/u', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, ' ~/t ', { home: '/home/u' }), join('/home/u', 't', 'main.py.ndjson'));
  });

  it('${workspaceFolder}, ${userHome}, ${fileDirname}, ${env:NAME}', () => {
    assert.equal(tracePathFor(program, '${workspaceFolder}/.traces', { workspaceFolder: ws }), join(ws, '.traces', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, '${userHome}/t', { home: '/home/u' }), join('/home/u', 't', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, '${fileDirname}/x'), join(ws, 'app', 'x', 'main.py.ndjson'));
    assert.equal(expandPathSetting('${env:AWL_TEST_DIR}/y', program, { env: { AWL_TEST_DIR: '/tmp/q' } }), '/tmp/q/y');
    // Outside a workspace, ${workspaceFolder} is the program's folder.
    assert.equal(tracePathFor(program, '${workspaceFolder}/.traces'), join(ws, 'app', '.traces', 'main.py.ndjson'));
  });

  it('a plain relative path still goes beside the program; a "~" inside a name is left alone', () => {
    assert.equal(tracePathFor(program, 'traces'), join(ws, 'app', 'traces', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, 'a~b'), join(ws, 'app', 'a~b', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, ''), join(ws, 'app', '.awaitlens', 'main.py.ndjson'));
  });
});
