// The command line the output channel shows for a trace is the one really run: the launchers
// announce their plan to the extension, and that text pasted into a shell traces the program
// again with the same arguments (spaces and quotes included) and writes a trace.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTrace } from '../../src/runner/run';
import type { LaunchPlan } from '../../src/tracers/launch';
import { announcingLaunchers, commandLineForDisplay, quoteForDisplay } from '../../src/extension/commandLine';
import { readTraceFile } from '../../src/runner/load';

const root = join(__dirname, '..', '..');
const program = join(__dirname, 'programs', 'echo_args.py');
const args = ['plain', 'two words', "it's", '$HOME;`x`'];

describe('extension: the command line shown in the output channel', function () {
  this.timeout(60_000);
  let dir: string;
  const plans: LaunchPlan[] = [];
  let output = '';
  let code: number | null = null;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-cmdline-'));
    const run = await startTrace({
      file: program, args, tracePath: join(dir, 'first.ndjson'), distDir: join(root, 'dist'), cwd: dir, stdin: 'eof',
      launchers: announcingLaunchers((plan) => plans.push(plan)),
      output: { onStdout: (t) => { output += t; }, onStderr: (t) => { output += t; } },
    });
    code = (await run.done).code;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('announces exactly one plan, the one that ran the program', () => {
    assert.equal(code, 0, output);
    assert.equal(plans.length, 1);
    for (const arg of args) assert.ok(output.includes(`arg: ${arg}\n`), `program saw ${JSON.stringify(arg)}: ${output}`);
    assert.ok(plans[0].args.includes(program), `the program is on the command line: ${plans[0].args.join(' ')}`);
  });

  it('pasted into a shell, the shown line runs the same trace with the same arguments', () => {
    const line = commandLineForDisplay(plans[0]);
    assert.ok(line.startsWith('$ '));
    const second = join(dir, 'second.ndjson');
    // The same command, writing its trace elsewhere: the trace path is one of the quoted words.
    const first = join(dir, 'first.ndjson');
    assert.ok(line.includes(quoteForDisplay(first)), `trace path on the line: ${line}`);
    const shell = line.slice(2).split(quoteForDisplay(first)).join(quoteForDisplay(second));
    const out = execFileSync('sh', ['-c', shell], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    for (const arg of args) assert.ok(out.includes(`arg: ${arg}\n`), `the shell run saw ${JSON.stringify(arg)}: ${out}`);
    assert.ok(existsSync(second), 'the shell run wrote its trace');
    const records = readTraceFile(second).records;
    assert.ok(records.some((r) => r.type === 'suspend'), 'and the trace has the await');
  });
});
