#!/usr/bin/env node
// `npm run test:vscode`: the extension-host suite in a real desktop VS Code, downloaded by
// @vscode/test-electron. For machines that can download VS Code; this project's own
// machines cannot, which is why test/e2e drives code-server instead (same workbench).
// Bundles test/vscode/*.vscode.ts with esbuild into out/vscode-test/, opens a temp copy of
// test/e2e/workspace, and loads the extension from this repository (dist/, built first).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { runTests } from '@vscode/test-electron';

const root = resolve(import.meta.dirname, '..', '..');
const outDir = join(root, 'out', 'vscode-test');

execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
rmSync(outDir, { recursive: true, force: true });
const suites = readdirSync(import.meta.dirname).filter((n) => n.endsWith('.vscode.ts'));
await build({
  entryPoints: Object.fromEntries(suites.map((n) => {
    const name = n.replace(/\.vscode\.ts$/, '');
    // index stays index.js (the extensionTestsPath); the others become NAME.suite.js.
    return [name === 'index' ? 'index' : `${name}.suite`, join(import.meta.dirname, n)];
  })),
  outdir: outDir,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  // vscode is provided by the extension host; mocha resolves from the repo's node_modules.
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});

const workspace = mkdtempSync(join(tmpdir(), 'awaitlens-vscode-ws-'));
cpSync(join(root, 'test', 'e2e', 'workspace'), workspace, { recursive: true });
// The seed examples, as in the code-server suite (test/e2e/codeServer.ts makeWorkspace).
cpSync(join(root, 'examples'), join(workspace, 'examples'), {
  recursive: true,
  filter: (source) => !/[\\/](\.awaitlens|__pycache__|node_modules)([\\/]|$)/.test(source),
});
try {
  await runTests({
    version: process.env.VSCODE_TEST_VERSION ?? 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(outDir, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  });
} catch (err) {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`test:vscode failed: ${message}`);
  if (/ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|download/i.test(message)) {
    console.error('Desktop VS Code could not be downloaded on this machine; `npm test -- test/e2e` runs the same checks in code-server.');
  }
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
