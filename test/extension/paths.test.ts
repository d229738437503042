// Where traces go (awaitLens.traceDirectory) and which runtime runs a document.
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTraceDirectory, tracePathFor } from '../../src/extension/tracePaths';
import { runtimeFor } from '../../src/extension/ids';

describe('trace paths and runtimes', () => {
  let dir: string;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'awaitlens-paths-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('puts the trace in .awaitlens beside the program by default, or where the setting says', () => {
    const program = join(dir, 'app', 'main.py');
    assert.equal(tracePathFor(program, ''), join(dir, 'app', '.awaitlens', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, 'traces'), join(dir, 'app', 'traces', 'main.py.ndjson'));
    assert.equal(tracePathFor(program, join(dir, 'abs')), join(dir, 'abs', 'main.py.ndjson'));
  });

  it('a new .awaitlens folder ignores itself in git; a folder the user chose is left alone', () => {
    const inDefault = tracePathFor(join(dir, 'p', 'x.py'), '');
    prepareTraceDirectory(inDefault);
    assert.match(readFileSync(join(dir, 'p', '.awaitlens', '.gitignore'), 'utf8'), /^\*$/m);
    const chosen = tracePathFor(join(dir, 'q', 'x.py'), 'mytraces');
    prepareTraceDirectory(chosen);
    assert.ok(existsSync(join(dir, 'q', 'mytraces')));
    assert.ok(!existsSync(join(dir, 'q', 'mytraces', '.gitignore')));
  });

  it('picks the runtime by language id, then by file extension', () => {
    assert.equal(runtimeFor('python', 'a.txt'), 'python');
    for (const lang of ['javascript', 'typescript', 'javascriptreact', 'typescriptreact']) assert.equal(runtimeFor(lang, 'a'), 'node');
    assert.equal(runtimeFor('plaintext', '/x/y.mjs'), 'node');
    assert.equal(runtimeFor('plaintext', '/x/y.pyw'), 'python');
    assert.equal(runtimeFor('markdown', '/x/README.md'), null);
  });
});
