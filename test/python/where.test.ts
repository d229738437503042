// Compact suspends: the Python tracer writes each await site's site, stack (and often what it
// awaits) once in a `where` record, and suspends name it by id; most steps are one `step` record
// (resume and suspend). src/trace/reader.ts expands both so every consumer still reads full
// resume and suspend records. Real traces from real interpreters, plus
// the reader's handling of damaged input.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, findPython, lineOf, pool, suspends, taskByCoro, tasks, traceProgram, type Traced } from './helpers';
import { TraceReader, parseTrace } from '../../src/trace/reader';
import type { ResumeRecord, SuspendRecord, TraceRecord } from '../../src/trace/format';

const VERSIONS = ['3.8', '3.12', '3.13'];
const STORM = join(FIXTURES, 'bench', 'storm.py');
const QUEUE = join(FIXTURES, 'queue_pc.py');

interface Run { storm: Traced; queue: Traced; stormLines: Record<string, unknown>[]; queueLines: Record<string, unknown>[] }
const runs = new Map<string, Run>();
const rawLines = (t: Traced) => readFileSync(t.tracePath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

before(async function () {
  this.timeout(120_000);
  const jobs: (() => Promise<void>)[] = [];
  for (const v of VERSIONS) {
    const py = findPython(v);
    if (!py) continue;
    jobs.push(async () => {
      const [storm, queue] = [await traceProgram(py, STORM, { args: ['40', '25'] }), await traceProgram(py, QUEUE)];
      runs.set(v, { storm, queue, stormLines: rawLines(storm), queueLines: rawLines(queue) });
    });
  }
  await pool(jobs, 3);
});

describe('python tracer: where records (compact suspends)', () => {
  for (const v of VERSIONS) {
    describe(`python ${v}`, () => {
      before(function () { if (!runs.has(v)) this.skip(); });

      it('writes each where record once, before the first suspend that names it', () => {
        for (const lines of [runs.get(v)!.stormLines, runs.get(v)!.queueLines]) {
          const defined = new Set<number>();
          let named = 0;
          for (const r of lines) {
            if (r.type === 'where') {
              assert.ok(!defined.has(r.id as number), `where ${String(r.id)} written twice`);
              defined.add(r.id as number);
              assert.ok(Array.isArray(r.stack) && 'site' in r, 'a where record has a site and a stack');
            } else if (r.type === 'suspend' || r.type === 'step') {
              assert.ok(!('site' in r) && !('stack' in r), 'a written suspend names its where instead of repeating it');
              assert.ok(defined.has(r.where as number), `suspend names where ${String(r.where)} before it is written`);
              named++;
            }
          }
          assert.ok(named > 0 && defined.size > 0);
        }
      });

      it('the storm: every sleep(0) step is one record naming one where record, a few dozen bytes', () => {
        const { storm, stormLines } = runs.get(v)!;
        const written = stormLines.filter((r) => r.type === 'step');
        const atSleep = written.filter((r) => !('awaiting' in r));
        assert.equal(atSleep.length, 40 * 25, 'every sleep(0) suspend takes its awaiting from the where record');
        assert.equal(new Set(atSleep.map((r) => r.where)).size, 1, 'all at one place: one where record');
        assert.equal(atSleep.filter((r) => !('cause' in r)).length, 40 * 24, 'a step resumed after a yield leaves its cause out');
        const bytes = readFileSync(storm.tracePath, 'utf8').split('\n').filter((l) => l.includes('"type":"step"') && !l.includes('"awaiting"'));
        const perStep = bytes.reduce((n, l) => n + l.length + 1, 0) / bytes.length;
        assert.ok(perStep < 80, `a storm step takes ${perStep.toFixed(0)} bytes`);
      });

      it('the reader expands them: full suspends with the site, stack and awaiting of their where', () => {
        const { storm, stormLines } = runs.get(v)!;
        assert.deepEqual(storm.problems, []);
        assert.ok(!storm.records.some((r) => (r.type as string) === 'where'), 'no consumer sees a where record');
        const all = suspends(storm);
        assert.equal(all.length, stormLines.filter((r) => r.type === 'suspend' || r.type === 'step').length, 'one suspend read per suspend or step written');
        assert.equal(storm.records.filter((r) => r.type === 'resume').length, stormLines.filter((r) => r.type === 'resume' || r.type === 'step').length, 'one resume read per resume or step written');
        const worker = tasks(storm).find((t) => t.coro === 'worker')!;
        const sleepLine = lineOf(STORM, '    await asyncio.sleep(0)');
        const own = suspends(storm, worker.task);
        assert.equal(own.length, 25);
        const ownResumes = storm.records.filter((r): r is ResumeRecord => r.type === 'resume' && r.task === worker.task);
        assert.deepEqual(ownResumes.map((r) => r.cause.kind), ['start', ...Array<string>(24).fill('yield'), 'yield']);
        for (const [i, s] of own.entries()) {
          assert.ok(s.t >= ownResumes[i].t && s.t < ownResumes[i + 1].t, 'each suspend between its resume and the next');
          assert.equal(s.site?.line, sleepLine);
          assert.equal(s.site?.file, STORM);
          assert.deepEqual(s.awaiting, { kind: 'sleep', label: 'asyncio.sleep(0)', delay: 0 });
          assert.equal(s.stack[0].fn, 'worker');
          assert.ok(s.stack.some((f) => f.fn === 'sleep'), JSON.stringify(s.stack));
          assert.deepEqual(Object.keys(s), ['type', 'task', 't', 'site', 'stack', 'awaiting'], 'the shape of a full suspend');
        }
        const main = taskByCoro(storm, 'main');
        const [gather] = suspends(storm, main.task);
        assert.equal(gather.awaiting.kind, 'tasks', 'a suspend\'s own awaiting (the gathered tasks) is kept');
        assert.equal((gather.awaiting as { tasks: number[] }).tasks.length, 40);
      });

      it('queue waits: what a get() awaits is in its where record, the queue and op kept', () => {
        const { queue } = runs.get(v)!;
        const waits = suspends(queue).filter((s) => s.awaiting.kind === 'queue');
        assert.ok(waits.length >= 2, `queue waits: ${waits.length}`);
        for (const s of waits) {
          assert.ok(s.site && s.stack.length > 0);
          assert.ok(['get', 'put', 'join'].includes((s.awaiting as { op?: string }).op ?? ''), JSON.stringify(s.awaiting));
        }
      });

      it('read in arbitrary chunks (a live tail), the records are the same', () => {
        const text = readFileSync(runs.get(v)!.storm.tracePath, 'utf8');
        const reader = new TraceReader();
        const records: TraceRecord[] = [];
        for (let at = 0, size = 1; at < text.length; at += size, size = (size * 7 + 13) % 4093 + 1) {
          records.push(...reader.push(text.slice(at, at + size)));
        }
        records.push(...reader.finish());
        assert.deepEqual(records, parseTrace(text).records);
        assert.deepEqual(reader.problems, []);
      });
    });
  }
});

describe('trace reader: where records in damaged or mixed traces', () => {
  const site = { file: '/p/a.py', line: 3, col: 5 };
  const stack = [{ fn: 'main', file: '/p/a.py', line: 3 }];
  const lines = [
    { type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.12.1', program: '/p/a.py', argv: [] },
    { type: 'where', id: 1, site, stack, awaiting: { kind: 'immediate', label: 'yield to the loop' } },
    { type: 'suspend', task: 1, t: 10, where: 1 },
    { type: 'suspend', task: 1, t: 20, where: 1, awaiting: { kind: 'future', label: 'Future' } },
    { type: 'suspend', task: 1, t: 30, where: 7 },
    { type: 'where', site, stack },
    { type: 'suspend', task: 2, t: 40, site: null, stack: [], awaiting: { kind: 'unknown', label: 'full form' } },
  ];
  const parsed = parseTrace(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const got = parsed.records.filter((r): r is SuspendRecord => r.type === 'suspend');

  it('a suspend takes its where\'s awaiting unless it says its own', () => {
    assert.deepEqual(got[0], { type: 'suspend', task: 1, t: 10, site, stack, awaiting: { kind: 'immediate', label: 'yield to the loop' } });
    assert.deepEqual(got[1].awaiting, { kind: 'future', label: 'Future' });
    assert.deepEqual(got[1].site, site);
  });

  it('a suspend naming a missing where is kept, says so, and the problem names its line', () => {
    assert.equal(got[2].t, 30);
    assert.equal(got[2].site, null);
    assert.deepEqual(got[2].stack, []);
    assert.equal(got[2].awaiting.kind, 'unknown');
    assert.match(got[2].awaiting.label, /where record 7/);
    assert.ok(parsed.problems.some((p) => p.line === 5 && /where record 7/.test(p.message)), JSON.stringify(parsed.problems));
  });

  it('a where record without an id is a problem; full suspends (Node tracer) pass through untouched', () => {
    assert.ok(parsed.problems.some((p) => p.line === 6 && /where record needs/.test(p.message)), JSON.stringify(parsed.problems));
    assert.deepEqual(got[3], lines[6]);
    assert.equal(got.length, 4);
    assert.equal(parsed.problems.length, 2);
  });
});

describe('trace reader: step records', () => {
  const site = { file: '/p/a.py', line: 3, col: 5 };
  const stack = [{ fn: 'main', file: '/p/a.py', line: 3 }];
  const lines = [
    { type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.12.1', program: '/p/a.py', argv: [] },
    { type: 'where', id: 1, site, stack, awaiting: { kind: 'sleep', label: 'asyncio.sleep(0)', delay: 0 } },
    { type: 'step', task: 4, t: 100, d: 5, where: 1 },
    { type: 'step', task: 4, t: 200, d: 7, cause: { kind: 'task', task: 2 }, where: 1, awaiting: { kind: 'future', label: 'Future' } },
    { type: 'step', task: 4, t: 300, where: 1 },
    { type: 'step', task: 4, t: 400, d: 1, where: 9 },
  ];
  const parsed = parseTrace(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const body = parsed.records.slice(1);

  it('a step is its resume (cause yield unless it names one), then its suspend d ns later', () => {
    assert.deepEqual(body.slice(0, 4), [
      { type: 'resume', task: 4, t: 100, cause: { kind: 'yield' } },
      { type: 'suspend', task: 4, t: 105, site, stack, awaiting: { kind: 'sleep', label: 'asyncio.sleep(0)', delay: 0 } },
      { type: 'resume', task: 4, t: 200, cause: { kind: 'task', task: 2 } },
      { type: 'suspend', task: 4, t: 207, site, stack, awaiting: { kind: 'future', label: 'Future' } },
    ]);
  });

  it('a step without a duration is a problem and is skipped; one naming a missing where is kept', () => {
    assert.ok(parsed.problems.some((p) => p.line === 5 && /step record needs/.test(p.message)), JSON.stringify(parsed.problems));
    assert.equal(body.length, 6);
    assert.deepEqual(body[4], { type: 'resume', task: 4, t: 400, cause: { kind: 'yield' } });
    assert.equal((body[5] as SuspendRecord).site, null);
    assert.ok(parsed.problems.some((p) => p.line === 6 && /where record 9/.test(p.message)), JSON.stringify(parsed.problems));
  });
});
