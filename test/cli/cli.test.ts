// The `awaitlens` CLI on real Python programs: output and exit code pass through, the
// trace is written where asked (or under .awaitlens/ beside the program), the summary tells
// the seed lesson (gather of sleeps takes the longest, not the sum), and every user error
// is one clear line with a non-zero exit.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, PROGRAMS, hasNoStackTrace, runCli, tempDir, type CliResult } from './helpers';
import { loadTraceModel } from '../../src/runner/load';
import { formatDuration } from '../../src/model/format-time';
import type { TraceModel } from '../../src/model/types';

const MS = 1e6;

/** Total time the tasks running these coroutines spent suspended (their own awaits). */
function waitedIn(model: TraceModel, coros: string[]): number {
  let total = 0;
  for (const t of model.tasks) if (coros.includes(t.coro)) for (const i of t.waits) total += model.waits[i].end - model.waits[i].start;
  return total;
}

describe('awaitlens CLI', function () {
  const dir = tempDir();
  let gather: CliResult;
  let gatherModel: TraceModel;
  const gatherTrace = join(dir, 'gather.trace.ndjson');

  before(function () {
    gather = runCli(['trace', join(PROGRAMS, 'gather.py'), '--out', gatherTrace]);
    gatherModel = loadTraceModel(gatherTrace).model;
  });

  describe('trace gather.py (the seed lesson)', () => {
    it('exits 0 and passes the program output through in order', () => {
      assert.equal(gather.status, 0, gather.stderr);
      const lines = gather.stdout.trim().split('\n');
      assert.deepEqual(lines, [
        'Function 1 started..', 'Function 2 started..', 'Function 3 started..',
        'Function 3 Ended', 'Function 1 Ended', 'Function 2 Ended', 'Main Ended..',
      ]);
    });

    it('writes the trace where --out says', () => {
      assert.ok(existsSync(gatherTrace));
      assert.match(readFileSync(gatherTrace, 'utf8').split('\n')[0], /"format":\s*"awaitlens"/);
      assert.ok(gather.stderr.includes(`Trace: ${gatherTrace}`), gather.stderr);
    });

    it('summary: three func tasks, wall about the longest sleep, sequential about the sum', () => {
      const funcs = gatherModel.tasks.filter((t) => /^func[123]$/.test(t.coro));
      assert.equal(funcs.length, 3);
      const { wall, sequential, busy } = gatherModel.stats;
      assert.ok(wall >= 300 * MS && wall < 300 * MS + 1500 * MS, `wall ${wall}`);
      // One after another: the three sleeps' waits (0.6 s, plus whatever the machine made them late).
      const sleeps = waitedIn(gatherModel, ['func1', 'func2', 'func3']);
      assert.ok(sequential - busy >= 600 * MS && sequential - busy <= sleeps + MS, `sequential ${sequential}, busy ${busy}, sleeps ${sleeps}`);
      assert.ok(sequential > wall * 1.4, 'sequential clearly above wall');
      const summary = gather.stderr;
      assert.ok(summary.includes(`wall ${formatDuration(wall)}`), summary);
      assert.ok(summary.includes(`would take ${formatDuration(sequential)} vs ${formatDuration(wall)} wall`), summary);
      assert.match(summary, /peak [4-9] tasks at once/);
      for (const coro of ['main', 'func1', 'func2', 'func3']) assert.match(summary, new RegExp(`Task-\\d+\\s+${coro}\\s`));
      // Slowest sites list the sleeps with what they waited on, at their lines.
      assert.match(summary, /gather\.py:13\s+1×\s+\S+ m?s\s+\S+ m?s\s+asyncio\.sleep\(0\.3\)/);
      assert.match(summary, /gather\.py:24\s+1×.*gather/);
    });

    it('--no-summary prints no summary', () => {
      const quiet = runCli(['trace', join(PROGRAMS, 'exit_code.py'), '--out', join(dir, 'quiet.ndjson'), '--no-summary']);
      assert.equal(quiet.status, 0);
      assert.ok(!quiet.stderr.includes('Tasks ('), quiet.stderr);
    });
  });

  describe('trace gather.ts (Node, TypeScript)', () => {
    let r: CliResult;
    let model: TraceModel;
    before(function () {
      const trace = join(dir, 'gather-ts.ndjson');
      r = runCli(['trace', join(PROGRAMS, 'gather.ts'), '--out', trace, '--', '4']);
      model = loadTraceModel(trace).model;
    });

    it('runs under node: output, arguments and exit code pass through', () => {
      assert.equal(r.status, 4, r.stderr);
      assert.match(r.stdout, /Function 3 Ended\nFunction 1 Ended\nFunction 2 Ended\nMain Ended\.\. one two three\n$/);
      assert.equal(model.header!.runtime, 'node');
    });

    it('the same lesson: wall about the longest sleep, sequential about the sum', () => {
      for (const name of ['func1', 'func2', 'func3']) assert.ok(model.tasks.some((t) => t.coro === name), name);
      const { wall, sequential, busy } = model.stats;
      assert.ok(wall >= 300 * MS && wall < 1800 * MS, `wall ${wall}`);
      // Sequential = the sleeps one after another (0.6 s) plus the time spent running.
      const sleeps = waitedIn(model, ['func1', 'func2', 'func3']);
      assert.ok(sequential - busy >= 570 * MS && sequential - busy <= sleeps + MS, `sequential ${sequential}, busy ${busy}, sleeps ${sleeps}`);
      assert.match(r.stderr, /gather\.ts:14\s+1×/);
      // main suspended once, at Promise.all: its pauses while calling func1..3 are not awaits.
      const all = model.awaitSites.find((site) => site.site.line === 27)!;
      assert.equal(all.count, 1);
      assert.equal(all.awaiting[0].kind, 'tasks');
      // (created: how long after the trace began, µs or ms depending on how fast the tracer started)
      assert.match(r.stderr, /\n\s+main\s+main\s+\+\S+ .?s\s+\S+ .s\s+1\s+returned\n/);
    });

    it('a missing node given with --node', () => {
      const bad = runCli(['trace', join(PROGRAMS, 'gather.ts'), '--node', '/no/such/node']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^awaitlens: Node\.js not found: '\/no\/such\/node'.*--node/);
    });
  });

  describe('passes the program through', () => {
    it('exit code, arguments after --, stdout and stderr', () => {
      const r = runCli(['trace', join(PROGRAMS, 'exit_code.py'), '--out', join(dir, 'exit.ndjson'), '--', '3', 'x y', '--out']);
      assert.equal(r.status, 3);
      assert.equal(r.stdout, 'args: 3 x y --out\n');
      assert.ok(r.stderr.startsWith('to stderr\n'), r.stderr);
      assert.match(r.stderr, /exit code 3/);
    });

    it('the program sees itself as under python FILE: argv[0] as typed, __file__ absolute', () => {
      const r = runCli(['trace', join('programs', 'argv0.py'), '--out', join(dir, 'argv0.ndjson'), '--no-summary'], { cwd: join(PROGRAMS, '..') });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, `${join('programs', 'argv0.py')}\nTrue\n`);
      const absolute = runCli(['trace', join(PROGRAMS, 'argv0.py'), '--out', join(dir, 'argv0.ndjson'), '--no-summary']);
      assert.equal(absolute.stdout, `${join(PROGRAMS, 'argv0.py')}\nTrue\n`);
    });

    it('stdin', () => {
      const r = runCli(['trace', join(PROGRAMS, 'read_stdin.py'), '--out', join(dir, 'stdin.ndjson'), '--no-summary'], { input: 'hello there\n' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'got: hello there\n');
    });

    it('a Node syntax error: Node\'s own message, exit code 1, and a summary of one line naming the line', () => {
      const r = runCli(['trace', join(PROGRAMS, 'syntax_error.mjs'), '--out', join(dir, 'syntax-node.ndjson')]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /SyntaxError: Unexpected token ';'/);
      assert.match(r.stderr, /\n {2}the program did not run: SyntaxError: Unexpected token ';' \(\S*syntax_error\.mjs:6\)\n/);
      assert.doesNotMatch(r.stderr, /Tasks \(|Warnings \(|no task ran/);
      // In a module it imports: the same line, without a place (Node's message has none).
      const imported = runCli(['trace', join(PROGRAMS, 'imports_syntax_error.mjs'), '--out', join(dir, 'syntax-import.ndjson')]);
      assert.equal(imported.status, 1);
      assert.equal(imported.stdout, '');
      assert.match(imported.stderr, /\n {2}the program did not run: SyntaxError: Unexpected token ';'\n/);
      // A SyntaxError the running program raises (JSON.parse) is an uncaught exception.
      const json = runCli(['trace', join(PROGRAMS, 'json_error.cjs'), '--out', join(dir, 'json.ndjson')]);
      assert.equal(json.status, 1);
      assert.equal(json.stdout, 'started\n');
      assert.doesNotMatch(json.stderr, /did not run/);
      assert.match(readFileSync(join(dir, 'json.ndjson'), 'utf8'), /"kind":"uncaught-exception"[^\n]*SyntaxError/);
    });

    it('a syntax error: Python\'s own message, its exit code, and a summary of one line saying so', () => {
      const r = runCli(['trace', join(PROGRAMS, 'syntax_error.py'), '--out', join(dir, 'syntax.ndjson')]);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /SyntaxError/);
      assert.match(r.stderr, /syntax_error\.py/);
      assert.match(r.stderr, /\n {2}the program did not run: SyntaxError: [^\n]+ \(\S*syntax_error\.py:\d+\)\n/);
      assert.doesNotMatch(r.stderr, /Tasks \(|Warnings \(/);
    });
  });

  describe('--blocking-ms', () => {
    it('reaches the tracer; the summary names the blocking line', () => {
      const trace = join(dir, 'blocking.ndjson');
      const r = runCli(['trace', join(PROGRAMS, 'blocking.py'), '--out', trace, '--blocking-ms', '50']);
      assert.equal(r.status, 0, r.stderr);
      const { model } = loadTraceModel(trace);
      assert.equal(model.header!.blockingThreshold, 50 * MS);
      assert.match(r.stderr, /Warnings \(\d+\)\n\s+blocking at test\/cli\/programs\/blocking\.py:8: .*(1\d\d ms|\d\.\d\d s)/);
    });
  });

  describe('default trace path', () => {
    it('goes to .awaitlens/ beside the program', () => {
      const programDir = tempDir('awaitlens-default-');
      const program = join(programDir, 'gather.py');
      copyFileSync(join(PROGRAMS, 'exit_code.py'), program);
      const r = runCli(['trace', program], { cwd: dir });
      assert.equal(r.status, 0, r.stderr);
      const traces = readdirSync(join(programDir, '.awaitlens'));
      assert.equal(traces.length, 1);
      assert.match(traces[0], /^gather\.py-\d{8}-\d{6}-\d{3}\.trace\.ndjson$/);
      assert.ok(r.stderr.includes(join(programDir, '.awaitlens', traces[0])), r.stderr);
    });
  });

  describe('user errors: one line, non-zero exit, no stack trace', () => {
    const oneLine = (r: CliResult, pattern: RegExp) => {
      assert.notEqual(r.status, 0);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, pattern);
      assert.ok(hasNoStackTrace(r.stderr), r.stderr);
    };

    it('missing interpreter given with --python', () => {
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py'), '--python', '/no/such/python3']),
        /^awaitlens: Python interpreter not found: '\/no\/such\/python3'.*--python/);
    });

    it('an interpreter that fails before tracing: its message, its exit code, and no trace', () => {
      const broken = join(dir, 'broken-python');
      writeFileSync(broken, '#!/bin/sh\necho "this python is broken" >&2\nexit 3\n', { mode: 0o755 });
      // A trace left by an earlier run at the same path must not pass for this one's.
      writeFileSync(join(dir, 'never.ndjson'), readFileSync(gatherTrace));
      const r = runCli(['trace', join(PROGRAMS, 'gather.py'), '--python', broken, '--out', join(dir, 'never.ndjson')]);
      assert.equal(r.status, 3);
      assert.match(r.stderr, /^this python is broken\nawaitlens: no trace was written to .*never\.ndjson \(the tracer did not start/);
      assert.ok(!existsSync(join(dir, 'never.ndjson')));
    });

    it('no python on PATH', () => {
      const emptyDir = tempDir('awaitlens-empty-path-');
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py')], { env: { PATH: emptyDir } }),
        /^awaitlens: Python interpreter not found: 'python3' or 'python' is not on PATH/);
    });

    it('missing program file', () => {
      oneLine(runCli(['trace', join(dir, 'nope.py')]), /^awaitlens: File not found: .*nope\.py$/m);
    });

    it('unsupported file type', () => {
      const txt = join(dir, 'notes.txt');
      writeFileSync(txt, 'hi');
      oneLine(runCli(['trace', txt]), /^awaitlens: Cannot trace notes\.txt/);
    });

    it('unknown option and unknown command', () => {
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py'), '--frobnicate']), /unknown option "--frobnicate"/);
      oneLine(runCli(['frobnicate']), /unknown command "frobnicate"/);
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py'), '--blocking-ms', 'soon']), /--blocking-ms needs a number/);
    });

    it('options after FILE that are the program\'s: a hint to use --', () => {
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py'), '-v']), /unknown option "-v" \(put the program's own arguments after --/);
    });

    it('a trace folder that cannot be created', () => {
      const file = join(dir, 'a-file');
      writeFileSync(file, '');
      oneLine(runCli(['trace', join(PROGRAMS, 'gather.py'), '--out', join(file, 'sub', 't.ndjson')]), /^awaitlens: Cannot create the trace folder .*a-file\/sub \(ENOTDIR\)$/m);
    });

    it('summary of a corrupt, missing or empty trace', () => {
      const garbage = join(dir, 'garbage.ndjson');
      writeFileSync(garbage, 'this is not json\n{"type":"task"}\n');
      oneLine(runCli(['summary', garbage]), /^awaitlens: garbage\.ndjson is not an Await Lens trace/);
      oneLine(runCli(['summary', join(dir, 'missing.ndjson')]), /^awaitlens: Trace not found/);
      const empty = join(dir, 'empty.ndjson');
      writeFileSync(empty, '');
      oneLine(runCli(['summary', empty]), /is empty/);
    });
  });

  describe('HTML timeline', () => {
    it('view TRACE --html writes one self-contained page with the trace embedded', () => {
      const html = join(dir, 'gather.html');
      const r = runCli(['view', gatherTrace, '--html', html]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /Timeline written to .*gather\.html/);
      const page = readFileSync(html, 'utf8');
      assert.match(page, /^<!DOCTYPE html>/);
      assert.ok(page.includes('Function 2 Ended'), 'program output embedded');
      assert.ok(!/<script[^>]+src=/.test(page), 'no external scripts');
    });

    it('a trace with two exit records ends as the last says, on the page as in the summary', () => {
      const twice = join(dir, 'two-exits.ndjson');
      writeFileSync(twice, `${readFileSync(gatherTrace, 'utf8')}{"type":"exit","t":1,"code":137,"signal":"SIGKILL"}\n`);
      const html = join(dir, 'two-exits.html');
      assert.equal(runCli(['view', twice, '--html', html]).status, 0);
      assert.match(readFileSync(html, 'utf8'), /"ended":\{"code":137,"signal":"SIGKILL"\}/);
      assert.match(runCli(['summary', twice]).stdout, /killed by SIGKILL/);
    });

    it('trace --html writes it too; view without --html is a usage error', () => {
      const html = join(dir, 'exit.html');
      const r = runCli(['trace', join(PROGRAMS, 'exit_code.py'), '--out', join(dir, 'exit-html.ndjson'), '--html', html, '--no-summary']);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(existsSync(html));
      const bad = runCli(['view', gatherTrace]);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^awaitlens: view needs --html OUT\.html/);
    });
  });

  describe('summary TRACE', () => {
    it('prints the same summary as trace did', () => {
      const r = runCli(['summary', gatherTrace]);
      assert.equal(r.status, 0, r.stderr);
      const fromTrace = gather.stderr.slice(gather.stderr.indexOf('Await Lens:'));
      assert.equal(r.stdout.trim(), fromTrace.trim());
    });

    it('a truncated trace (program killed mid-write) still summarises, saying so', () => {
      const text = readFileSync(gatherTrace, 'utf8');
      const cut = join(dir, 'cut.ndjson');
      writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
      const r = runCli(['summary', cut]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /ended without an exit record/);
      assert.match(r.stdout, /Tasks \(\d+\)/);
    });

    it('a trace whose header line is damaged still summarises, saying so', () => {
      const lines = readFileSync(gatherTrace, 'utf8').split('\n');
      const damaged = join(dir, 'damaged.ndjson');
      writeFileSync(damaged, [lines[0].slice(0, 20), ...lines.slice(1)].join('\n'));
      const r = runCli(['summary', damaged]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /the trace has no header/);
      assert.match(r.stdout, /Task-\d+\s+func2/);
      // One line is damaged, and said so once.
      assert.match(r.stdout, /\n1 trace line could not be read \(line 1: no header record/);
    });

    it('a trace whose header line was cut off entirely summarises too; a big trace is read in chunks', () => {
      const lines = readFileSync(gatherTrace, 'utf8').split('\n');
      const headless = join(dir, 'headless.ndjson');
      // Padded past the reader's chunk size (8 MB) with output records, so lines cross chunk ends.
      const pad = JSON.stringify({ type: 'output', t: 1, task: null, stream: 'stdout', text: 'é'.repeat(997) + '\n' });
      writeFileSync(headless, [...lines.slice(1, -2), ...Array(5000).fill(pad), ...lines.slice(-2)].join('\n'));
      const r = runCli(['summary', headless]);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /Task-\d+\s+func2/);
      assert.match(r.stdout, /\n1 trace line could not be read \(line 1: no header record/);
      assert.match(r.stdout, /exit code 0/);
      // The same trace, in a process allowed too little memory for it: one line, not V8's crash.
      const small = runCli(['summary', headless], { env: { NODE_OPTIONS: '--max-old-space-size=16' } });
      assert.equal(small.status, 2, small.stderr + small.stdout);
      assert.match(small.stderr, /^awaitlens: Trace \S+ is \d+ MB: reading it needs about \d+ MB of memory, more than this process may use \(\d+ MB; for the CLI, NODE_OPTIONS=--max-old-space-size=\d+ raises it\)\n$/);
    });

    it('strips terminal control characters from program text', () => {
      const trace = join(dir, 'evil.ndjson');
      const r = runCli(['trace', join(PROGRAMS, 'evil_names.py'), '--out', trace]);
      assert.equal(r.status, 0, r.stderr);
      assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(r.stderr), JSON.stringify(r.stderr));
      assert.match(r.stderr, /evil\[31mred/);
      assert.match(r.stderr, /raised ValueError: bad\[2J value/);
    });
  });

  it('Ctrl-C: the program is interrupted, the summary of what ran is still printed', async function () {
    // As in a terminal: SIGINT goes to the whole foreground process group (CLI and program).
    const child = spawn(process.execPath, [CLI, 'trace', join(PROGRAMS, 'long_running.py'), '--out', join(dir, 'ctrlc.ndjson'), '--', join(dir, 'ctrlc.pid')], {
      detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => { stdout += d; });
    child.stderr!.on('data', (d) => { stderr += d; });
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    const until = Date.now() + 20_000;
    while (!/tick 3/.test(stdout) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.match(stderr, /KeyboardInterrupt/);
    assert.match(stderr, /Tasks \(\d+\)/);
    assert.match(stderr, /tick\s/);
    assert.ok(hasNoStackTrace(stderr.split('Traceback')[0]));
  });

  it('--help and --version', () => {
    const help = runCli(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /awaitlens trace FILE/);
    const version = runCli(['--version']);
    assert.equal(version.status, 0);
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')).version);
  });
});
