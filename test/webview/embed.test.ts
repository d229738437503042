// The compact embedding of a standalone page is lossless: records of a real trace, and records
// the compact form cannot hold (extra fields, odd times, unknown types), come back unchanged.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { decodeRecords, encodeRecords, packEmbedded, unpackEmbedded, type EmbeddedRecords } from '../../src/html/embed';
import { escapeForScript, renderStandaloneHtml } from '../../src/html/standalone';
import { parseTrace } from '../../src/trace/reader';
import type { TraceRecord } from '../../src/trace/format';

const dist = join(__dirname, '..', '..', 'dist');

describe('webview: compact embedding of records in the standalone page', function () {
  let records: TraceRecord[];
  let dir: string;

  before(function () {
    this.timeout(60_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-embed-'));
    const out = join(dir, 'lesson.trace.ndjson');
    execFileSync('python3', [join(dist, 'tracers', 'python', 'awaitlens_tracer.py'), '--out', out, '--', join(__dirname, 'fixtures', 'lesson.py')], { stdio: 'pipe' });
    records = parseTrace(readFileSync(out, 'utf8')).records;
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips a real trace exactly, through JSON', function () {
    assert.ok(records.length > 20);
    const encoded = JSON.parse(JSON.stringify(encodeRecords(records)));
    assert.deepStrictEqual(decodeRecords(encoded), records);
    // The frequent records went compact; only the rare kinds stayed objects.
    const kept = new Set(encoded.objects.map((r: TraceRecord) => r.type));
    for (const type of ['resume', 'suspend', 'idle']) assert.ok(!kept.has(type), `${type} records are compact`);
  });

  it('keeps records it cannot compact as they are', function () {
    const odd = [
      { type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.12', program: '/p.py', argv: [] },
      { type: 'resume', task: 1, t: 10, cause: { kind: 'start' }, extra: 'future field' },
      { type: 'resume', task: 1, t: 10.5, cause: { kind: 'timer' } },
      { type: 'suspend', task: 'x', t: 12, site: null, stack: [], awaiting: { kind: 'unknown', label: '?' } },
      { type: 'suspend', task: 2, t: 13, site: null, stack: [], awaiting: { kind: 'sleep', label: 'sleep(1)', delay: 1 } },
      { type: 'output', t: 14, task: null, stream: 'stdout', text: '</script><!-- \u2028' },
      { type: 'end', task: 2, t: 15, outcome: 'raised', error: 'E' },
      { type: 'end', task: 3, t: 9, outcome: 'returned' },
      { type: 'idle', t: 20, dur: 5 },
      { type: 'idle', t: 30 },
      { type: 'exit', t: 40, code: 0 },
    ] as unknown as TraceRecord[];
    const encoded = JSON.parse(escapeForScript(JSON.stringify(encodeRecords(odd))));
    assert.deepStrictEqual(decodeRecords(encoded), odd);
    // Packed for a big page too, with numbers beyond 32 bits (an hour's gap in ns, times going back).
    const gaps = [
      { type: 'resume', task: 1, t: 3_600e9, cause: { kind: 'timer' } },
      { type: 'suspend', task: 1, t: 3_600e9 + 5, site: null, stack: [], awaiting: { kind: 'sleep', label: 's' } },
      { type: 'idle', t: 3_600e9 + 6, dur: 7_200e9 },
      { type: 'resume', task: 2, t: 1, cause: { kind: 'start' } },
      { type: 'resume', task: -0x80000000, t: 2, cause: { kind: 'start' } },
    ] as unknown as TraceRecord[];
    for (const list of [odd, gaps]) {
      const unpacked = unpackEmbedded<{ records: EmbeddedRecords }>(packEmbedded({ records: encodeRecords(list) }));
      assert.deepStrictEqual(decodeRecords(unpacked.records), list);
    }
  });

  it('embeds no "<" in the page data, so no program text can end the script element', function () {
    const html = renderStandaloneHtml(records, { distDir: dist });
    const start = html.indexOf('id="awaitlens-trace">') + 'id="awaitlens-trace">'.length;
    const data = html.slice(start, html.indexOf('</script>', start));
    assert.ok(!data.includes('<'));
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-/);
    // A big trace is gzipped in base64: no "<" either, and it inflates back to the same data.
    const big = renderStandaloneHtml(records, { distDir: dist, compressAbove: 0 });
    const open = big.indexOf('data-encoding="gzip-base64" id="awaitlens-trace">');
    assert.ok(open > 0, 'the compressed data element');
    const packed = big.slice(big.indexOf('>', open) + 1, big.indexOf('</script>', open));
    assert.match(packed, /^[A-Za-z0-9+/=]+$/);
    const unpacked = unpackEmbedded<{ records: EmbeddedRecords; info: { title: string } }>(gunzipSync(Buffer.from(packed, 'base64')));
    assert.ok(unpacked.records.data instanceof Float64Array, 'the numbers are read as doubles, not parsed');
    assert.equal(unpacked.info.title, 'lesson.py');
    assert.deepStrictEqual(decodeRecords(unpacked.records), records);
  });

  it('inlines the minified webview bundle without a source map reference', function () {
    const html = renderStandaloneHtml(records.slice(0, 5), { distDir: dist });
    assert.ok(!html.includes('sourceMappingURL'), 'no reference to a map the page does not have');
    assert.ok(html.length < 2_500_000, `the page with its bundle is ${html.length} characters`);
  });
});
