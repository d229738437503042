#!/usr/bin/env node
// `npm run package`: a production build (minified, no source maps) then `vsce package`.
// esbuild bundles every dependency into dist/, so the .vsix needs no node_modules
// (--no-dependencies); .vscodeignore keeps sources, tests and maps out.
//   npm run package                  -> await-lens.vsix in the repo root
//   npm run package -- --out FILE    -> somewhere else (the tests build into a temp folder)
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
process.chdir(root);
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : 'await-lens.vsix');

for (const required of ['README.md', 'LICENSE', 'media/icon.png']) {
  if (!existsSync(required)) {
    console.error(`package: ${required} is missing; the marketplace page needs it`);
    process.exit(1);
  }
}

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
for (const built of ['dist/extension.js', 'dist/webview.js', 'dist/cli.js']) {
  if (!existsSync(built)) console.warn(`package: warning: ${built} was not built (its source does not exist yet)`);
}

const vsce = join(createRequire(import.meta.url).resolve('@vscode/vsce/package.json'), '..', 'vsce');
try {
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { stdio: 'inherit' });
} catch {
  console.error('package: vsce failed (its message is above)');
  process.exit(1);
}
console.log(`package: ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
