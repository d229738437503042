// TraceTail on a real file written piece by piece, the way a tracer writes while the program
// runs: partial lines wait for their end, multi-byte characters split across writes survive,
// a file replaced by a new run is read from its start, and close() reports a truncated last line.
import { strict as assert } from 'node:assert';
import { appendFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers';
import { TraceTail } from '../../src/runner/tail';
import type { TraceRecord } from '../../src/trace/format';

describe('TraceTail', () => {
  it('follows a growing file line by line', () => {
    const dir = tempDir('awaitlens-tail-');
    const path = join(dir, 't.ndjson');
    const batches: TraceRecord[][] = [];
    const tail = new TraceTail(path, { onRecords: (r) => batches.push(r) });

    assert.deepEqual(tail.poll(), [], 'file not there yet');
    const header = '{"type":"header","format":"awaitlens","version":1,"runtime":"python","runtimeVersion":"3.12","program":"/p.py","argv":[]}\n';
    writeFileSync(path, header + '{"type":"output","t":1,"task":null,"stream":"stdout","text":"h');
    assert.equal(tail.poll().length, 1, 'only the complete line');
    // "é" is two bytes in UTF-8: split them across two writes.
    const rest = Buffer.from('é\\n"}\n{"type":"idle","t":2,"dur":5}\n', 'utf8');
    appendFileSync(path, rest.subarray(0, 1));
    assert.equal(tail.poll().length, 0);
    appendFileSync(path, rest.subarray(1));
    const second = tail.poll();
    assert.equal(second.length, 2);
    assert.equal((second[0] as { text: string }).text, 'hé\n');
    assert.equal(batches.length, 2);

    // A new run replaces the file: read it from the start.
    const replacement = join(dir, 'new.ndjson');
    writeFileSync(replacement, header);
    renameSync(replacement, path);
    assert.equal(tail.poll()[0]?.type, 'header');

    appendFileSync(path, '{"type":"exit","t":9,"co');
    const last = tail.close();
    assert.equal(last.length, 0);
    assert.equal(tail.problems.length, 1);
    assert.match(tail.problems[0].message, /truncated last line/);
    assert.equal(tail.problems[0].line, 2, 'counted in the new file');
    assert.equal(tail.records.length, 4);
    assert.deepEqual(tail.poll(), [], 'closed');
  });
});
