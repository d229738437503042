// The traced process as a process: killed, terminated or interrupted, the trace keeps what
// happened so far; the launch plan is what the runner spawns.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { FIXTURES, DIST, exitRecord, findPython, outputs, resumes, suspends, taskByCoro, tasks, traceProgram, type Traced } from './helpers';
import { buildModel } from '../../src/model/build';
import { pythonLaunch } from '../../src/tracers/python/launch';

const py = findPython('3.12') ?? findPython('3.11') ?? findPython('3.13');
const LONG = join(FIXTURES, 'long_running.py');
const STUCK = join(FIXTURES, 'stuck.py');

/** The trace so far holds the resume of the task that printed "spinning" (whole lines only). */
function spinnerShownRunning(text: string): boolean {
  const records = text.slice(0, text.lastIndexOf('\n')).split('\n').map((l) => JSON.parse(l) as { type: string; task?: number; text?: string });
  const spinner = records.find((r) => r.type === 'output' && r.text === 'spinning\n')?.task;
  return spinner !== undefined && records.some((r) => r.type === 'resume' && r.task === spinner);
}

describe('Python tracer process behaviour', function () {
  let killed: Traced;
  let termed: Traced;
  let interrupted: Traced;
  let stuck: Traced;
  let termedRepeatedly: Traced;
  let ticksSeenBeforeKill = 0;

  before(async function () {
    if (!py) { this.skip(); return; }
    this.timeout(60_000);
    [killed, termed, interrupted, stuck, termedRepeatedly] = await Promise.all([
      traceProgram(py, LONG, {
        onTrace: {
          contains: 'a tick 10', then: (child) => {
            // Count what the file held at the moment of the kill: all of it must survive.
            ticksSeenBeforeKill = 11;
            child.kill('SIGKILL');
          },
        },
      }),
      traceProgram(py, LONG, { onTrace: { contains: 'a tick 5', then: (child) => child.kill('SIGTERM') } }),
      traceProgram(py, LONG, { onTrace: { contains: 'a tick 5', then: (child) => child.kill('SIGINT') } }),
      // Killed only once the trace names the step still running: steps are written when they
      // end, except one that runs long, whose resume is written while it runs.
      traceProgram(py, STUCK, { onTrace: { contains: spinnerShownRunning, then: (child) => child.kill('SIGTERM') } }),
      // SIGTERM after SIGTERM, as `timeout` and the CLI both send one to a process group: later
      // ones land while the first is writing the trace's end.
      traceProgram(py, LONG, {
        onTrace: {
          contains: 'a tick 3', then: (child) => {
            let sent = 0;
            const again = setInterval(() => {
              if (sent++ >= 100 || child.exitCode !== null || child.signalCode !== null) clearInterval(again);
              else child.kill('SIGTERM');
            }, 1);
          },
        },
      }),
    ]);
  });

  it('pythonLaunch: interpreter, tracer script from dist, trace path, threshold, then the program and its args', () => {
    const plan = pythonLaunch({ file: '/p/prog.py', args: ['--x', 'y z'], tracePath: '/t/x.ndjson', distDir: '/d', interpreter: 'python3.11', blockingMs: 50 });
    assert.equal(plan.command, 'python3.11');
    assert.deepEqual(plan.args, [join('/d', 'tracers', 'python', 'awaitlens_tracer.py'), '--out', '/t/x.ndjson', '--blocking-ms', '50', '--', '/p/prog.py', '--x', 'y z']);
    assert.ok(DIST.endsWith('dist'));
  });

  it('SIGKILL: every record written before the kill is kept and readable', () => {
    assert.equal(killed.signal, 'SIGKILL');
    assert.equal(killed.records[0].type, 'header');
    assert.ok(killed.problems.length <= 1, JSON.stringify(killed.problems)); // at most a torn last line
    assert.equal(tasks(killed).filter((t) => t.coro === 'ticker').length, 2);
    const aTicks = outputs(killed).filter((o) => /^a tick \d+\n$/.test(o.text)).length;
    assert.ok(aTicks >= ticksSeenBeforeKill, `${aTicks} ticks kept`);
    assert.equal(exitRecord(killed), undefined);
  });

  it('SIGTERM: pending records are written with an exit record naming the signal, then the process dies of it', () => {
    assert.equal(termed.signal, 'SIGTERM');
    assert.deepEqual(termed.problems, []);
    const exit = exitRecord(termed)!;
    assert.ok(exit, 'exit record written');
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(exit.code, 143);
    assert.equal(termed.records[termed.records.length - 1].type, 'exit');
    assert.ok(outputs(termed).some((o) => o.text === 'a tick 5\n'));
  });

  it('SIGTERM sent again while the trace is being finished: the exit record is still written', () => {
    assert.equal(termedRepeatedly.signal, 'SIGTERM');
    assert.deepEqual(termedRepeatedly.problems, []);
    assert.equal(termedRepeatedly.records[termedRepeatedly.records.length - 1].type, 'exit');
    assert.equal(exitRecord(termedRepeatedly)!.code, 143);
  });

  it('a task stuck in one step is shown running while it runs, and after SIGTERM', () => {
    assert.equal(stuck.signal, 'SIGTERM', 'killed once its resume was in the file (else the timeout kills it)');
    assert.deepEqual(stuck.problems, []);
    const spinner = taskByCoro(stuck, 'spinner');
    const last = resumes(stuck, spinner.task).at(-1)!;
    const printedAt = outputs(stuck).find((o) => o.text === 'spinning\n')!;
    assert.ok(last.t <= printedAt.t && printedAt.task === spinner.task, 'the resume is of the step that printed');
    assert.ok(!suspends(stuck, spinner.task).some((s) => s.t > last.t), 'it never suspended again');
    const model = buildModel(stuck.records);
    const open = model.steps.filter((s) => s.open);
    assert.equal(open.length, 1);
    assert.equal(open[0].task, spinner.task);
    assert.equal(open[0].end, model.end, 'running until the end of the trace');
    assert.equal(exitRecord(stuck)!.signal, 'SIGTERM');
  });

  it('SIGINT: KeyboardInterrupt traceback as python prints it, exit record, dies of SIGINT', () => {
    assert.equal(interrupted.signal, 'SIGINT');
    assert.match(interrupted.stderr, /KeyboardInterrupt/);
    assert.doesNotMatch(interrupted.stderr, /awaitlens_tracer/);
    const exit = exitRecord(interrupted)!;
    assert.equal(exit.signal, 'SIGINT');
    assert.equal(exit.code, 130);
    assert.equal(interrupted.records[interrupted.records.length - 1].type, 'exit');
  });

  it('an interpreter older than 3.8, or a trace path that cannot be written: one clear line, exit 2', function () {
    const old = findPython('3.7') ?? findPython('3.6') ?? findPython('2.7');
    const crash = join(FIXTURES, 'crash.py');
    if (py) {
      const plan = pythonLaunch({ file: crash, args: [], tracePath: '/nonexistent-dir/x.ndjson', distDir: DIST, interpreter: py });
      const r = spawnSync(plan.command, plan.args, { encoding: 'utf8' });
      assert.equal(r.status, 2);
      assert.equal(r.stderr, 'Await Lens cannot write the trace file /nonexistent-dir/x.ndjson: No such file or directory\n');
    }
    if (!old) { this.skip(); return; } // no pre-3.8 interpreter on this machine
    const plan = pythonLaunch({ file: crash, args: [], tracePath: join(FIXTURES, 'never-written.ndjson'), distDir: DIST, interpreter: old });
    const r = spawnSync(plan.command, plan.args, { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^Await Lens needs Python 3\.8 or newer to trace; .* is Python [23]\.\d+\.\d+\n$/);
  });
});
