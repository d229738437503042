#!/usr/bin/env node
// Node 22 in the runtimes cache, for test/node/versions.test.ts: the tracer's in-thread hooks
// (module.registerHooks, Node 22.15+) run there. The `node` package from the npm registry (its
// binary comes from the registry too). When it cannot be installed the tests say so and skip: this
// script never fails the run.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runtimeNode, runtimesDir } from './runtimes.mjs';

const prefix = join(runtimesDir, 'node22');
const bin = runtimeNode('node22');
if (!existsSync(bin)) {
  console.log(`installing Node 22 into ${prefix} (for the tracer's Node 22 tests)`);
  try {
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', 'node@22'], { stdio: 'inherit', timeout: 300_000 });
    console.log(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim());
  } catch (err) {
    console.log(`could not install Node 22 (${err.message.split('\n')[0]}): its tests will be skipped`);
  }
}
