// The Node tracer's on-disk instrumentation cache (src/tracers/node/cache.ts): entries are keyed by
// the file's text and the tracer build, and an entry that is not whole is made again, never run.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheLookup, cacheStore, cachedTransform, openCacheDir } from '../../src/tracers/node/cache';
import { nodeLaunch } from '../../src/tracers/node/launch';
import { parseTrace } from '../../src/trace/reader';
import type { SuspendRecord } from '../../src/trace/format';
import { snapshotTracer } from './snapshot';

const ROOT = join(__dirname, '..', '..');

describe('Node tracer instrumentation cache', function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), 'awaitlens-node-cache-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A fixture traced with `tracer` (trace number `n`): the process, the trace's problems, and where its awaits suspended. */
  const traceFixture = (tracer: { distDir: string; cacheDir: string }, name: string, n: number) => {
    const file = join(ROOT, 'test', 'fixtures', 'node', name);
    const tracePath = join(dir, `${name}.${n}.ndjson`);
    const plan = nodeLaunch({ file, args: [], tracePath, distDir: tracer.distDir, interpreter: process.execPath });
    const out = spawnSync(plan.command, plan.args, { env: { ...process.env, ...plan.env, AWAITLENS_CACHE_DIR: tracer.cacheDir }, encoding: 'utf8', timeout: 30_000 });
    const trace = parseTrace(readFileSync(tracePath, 'utf8'));
    const suspends = trace.records.filter((r): r is SuspendRecord => r.type === 'suspend' && !(r.awaiting as { call?: boolean }).call);
    return { out, problems: trace.problems, sites: suspends.map((s) => `${s.site?.line}:${s.site?.col}`).sort() };
  };

  it('a rewritten instrumenter (same size, same mtime) gets a cache folder of its own', () => {
    const tracerDir = join(dir, 'tracer');
    mkdirSync(tracerDir);
    writeFileSync(join(tracerDir, 'instrument.js'), 'exports.v = 1;');
    writeFileSync(join(tracerDir, 'strip.js'), 'exports.s = 1;');
    const mtime = 1_700_000_000; // whole seconds: set back exactly after the rewrite below
    utimesSync(join(tracerDir, 'instrument.js'), mtime, mtime);
    const env = { AWAITLENS_CACHE_DIR: join(dir, 'cache-a') };
    const first = openCacheDir(tracerDir, env);
    assert.ok(first, 'a cache folder');
    assert.equal(openCacheDir(tracerDir, env), first, 'the same build, the same folder');
    const before = statSync(join(tracerDir, 'instrument.js'), { bigint: true });
    // Rewrite with other code of the same length and put the mtime back: only the change time
    // (which no tool sets back) can tell. Rewrite until the clock has moved on (coarse on some file systems).
    for (let i = 0; i < 10_000 && statSync(join(tracerDir, 'instrument.js'), { bigint: true }).ctimeNs === before.ctimeNs; i++) {
      writeFileSync(join(tracerDir, 'instrument.js'), 'exports.v = 2;');
    }
    utimesSync(join(tracerDir, 'instrument.js'), mtime, mtime);
    const after = statSync(join(tracerDir, 'instrument.js'), { bigint: true });
    assert.equal(after.mtimeNs, before.mtimeNs, 'the same mtime');
    assert.notEqual(after.ctimeNs, before.ctimeNs, 'the file system records the rewrite');
    assert.equal(after.size, before.size);
    const second = openCacheDir(tracerDir, env);
    assert.ok(second);
    assert.notEqual(second, first, 'a rebuilt tracer does not reuse code the old one made');
    assert.equal(openCacheDir(tracerDir, { ...env, AWAITLENS_NO_CACHE: '1' }), null);
  });

  it('entries are keyed by the text; one cut short or mangled is made again, not returned', () => {
    const cacheDir = join(dir, 'cache-b');
    mkdirSync(cacheDir, { mode: 0o700 });
    const key = { id: '/x/app.js', typescript: false, toCommonJS: false, source: 'async function f() { await 1; }\n' };
    let made = 0;
    const make = (): string => { made++; return `/* instrumented ${made} é */ ${key.source}`; };
    const code = cachedTransform(cacheDir, key, make);
    assert.equal(made, 1);
    assert.equal(cachedTransform(cacheDir, key, make), code, 'a hit returns what was stored');
    assert.equal(made, 1);
    assert.equal(cacheLookup(cacheDir, { ...key, source: key.source + ' ' }).code, null, 'other text, other entry');
    assert.equal(cacheLookup(cacheDir, { ...key, id: '/x/other.js' }).code, null, 'other file, other entry');

    const { file } = cacheLookup(cacheDir, key);
    const whole = readFileSync(file);
    const mangled = [whole.subarray(0, whole.length - 3), whole.subarray(0, 5), Buffer.alloc(0),
      Buffer.concat([whole, Buffer.from('x')]), Buffer.from(whole.toString('utf8').replace('instrumented', 'instrumentex'))];
    for (const bytes of mangled) {
      writeFileSync(file, bytes);
      assert.equal(cacheLookup(cacheDir, key).code, null, `entry of ${bytes.length} bytes (whole: ${whole.length}) is not used`);
      const again = cachedTransform(cacheDir, key, make);
      assert.match(again, /instrumented \d+ é/);
      assert.equal(cacheLookup(cacheDir, key).code, again, 'made again and stored whole');
    }
    cacheStore(join(cacheDir, 'missing-folder', 'x.js'), 'code'); // cannot be written: no cache, no throw
    assert.deepEqual(readdirSync(cacheDir).filter((n) => n.endsWith('.tmp')), [], 'no temporary files left behind');
  });

  it('a traced program whose cache entries were cut short runs and is traced as on a first run', () => {
    const tracer = snapshotTracer(ROOT, join(dir, 'snapshot'));
    const run = (n: number) => traceFixture(tracer, 'gather.mjs', n);
    const first = run(1);
    assert.equal(first.out.status, 0, first.out.stderr);
    assert.equal(first.sites.length, 4, 'main and three sleeps suspend');
    const entries = readdirSync(tracer.cacheDir).flatMap((d) => readdirSync(join(tracer.cacheDir, d)).map((n) => join(tracer.cacheDir, d, n)));
    const userEntries = entries.filter((f) => readFileSync(f, 'utf8').includes('Function 1 started'));
    assert.equal(userEntries.length, 1, 'the program was cached');
    const bytes = readFileSync(userEntries[0]);
    writeFileSync(userEntries[0], bytes.subarray(0, bytes.length >> 1)); // a writer killed half way
    const second = run(2);
    assert.equal(second.out.status, 0, second.out.stderr);
    assert.equal(second.out.stdout, first.out.stdout);
    assert.deepEqual(second.problems, []);
    assert.deepEqual(second.sites, first.sites, 'the same awaits at the same places');
    assert.deepEqual(readFileSync(userEntries[0]).length, bytes.length, 'the entry was made again, whole');
  });

  it("the tracer's own bundles are compiled from a V8 code cache the first run made; bad data is made again", () => {
    const tracer = snapshotTracer(ROOT, join(dir, 'snapshot-code'));
    const run = (n: number) => {
      const { out, problems, sites } = traceFixture(tracer, 'gather_types.ts', n);
      assert.equal(out.status, 0, out.stderr);
      assert.deepEqual(problems, []);
      return { stdout: out.stdout, sites };
    };
    const codeCaches = () => new Map(readdirSync(tracer.cacheDir).flatMap((d) => readdirSync(join(tracer.cacheDir, d))
      .filter((n) => n.endsWith('.v8')).map((n) => [n.replace(/-[0-9a-f]{16}\.v8$/, ''), join(tracer.cacheDir, d, n)] as const)));
    const first = run(1);
    assert.equal(first.sites.length, 4, 'main and three sleeps suspend');
    const made = codeCaches();
    // The runtime always; the instrumenter and the type stripper because the file was not cached yet.
    for (const name of ['trace.js', 'instrument.js', 'strip.js']) assert.ok(made.has(name), `${name} has a code cache: ${[...made.keys()]}`);
    const traceCache = made.get('trace.js')!;
    const good = readFileSync(traceCache);
    assert.equal(good.readUInt32LE(4), good.length - 8, 'the header holds the length of the data after it');

    const second = run(2);
    assert.deepEqual(second, first, 'the same output and awaits');
    assert.deepEqual(readFileSync(traceCache), good, 'accepted as it was: not made again');

    // Data V8 does not take (another V8's, or garbage behind a whole header) and data cut short are made again.
    const garbage = Buffer.alloc(good.length, 7);
    good.copy(garbage, 0, 0, 8);
    for (const [what, bad] of [['garbage', garbage], ['cut short', good.subarray(0, good.length >> 1)]] as const) {
      writeFileSync(traceCache, bad);
      assert.deepEqual(run(3), first, `${what}: traced as before`);
      const remade = readFileSync(traceCache);
      assert.equal(remade.readUInt32LE(4), remade.length - 8, `${what}: made again, whole`);
      assert.notDeepEqual(remade.subarray(8, 64), garbage.subarray(8, 64));
    }
  });
});
