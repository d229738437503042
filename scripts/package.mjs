#!/usr/bin/env node
// `npm run package`: a production build (minified, no source maps) then `vsce package`.
// esbuild bundles every dependency into dist/, so the .vsix needs no node_modules
// (--no-dependencies); .vscodeignore keeps sources, tests and maps out.
//   npm run package                  -> await-lens.vsix in the repo root
//   npm run package -- --out FILE    -> somewhere else (the tests build into a temp folder)
//
// The build happens in a private staging folder, not in the repo's dist/: a development build
// running at the same time (npm test, a watcher) would otherwise swap files under vsce while it
// zips them, or put source-mapped bundles in the package.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, statSync, symlinkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = join(import.meta.dirname, '..');
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(root, 'await-lens.vsix'));

for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md', 'media/icon.png', '.vscodeignore']) {
  if (!existsSync(join(root, required))) {
    console.error(`package: ${required} is missing; the package needs it`);
    process.exit(1);
  }
}

const stage = mkdtempSync(join(tmpdir(), 'awaitlens-package-'));
try {
  for (const file of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', '.vscodeignore', 'esbuild.mjs']) {
    cpSync(join(root, file), join(stage, file));
  }
  cpSync(join(root, 'media'), join(stage, 'media'), { recursive: true });
  if (existsSync(join(root, 'docs', 'images'))) cpSync(join(root, 'docs', 'images'), join(stage, 'docs', 'images'), { recursive: true });
  // The build reads the sources and dependencies where they are; only its output is private.
  symlinkSync(join(root, 'src'), join(stage, 'src'), 'dir');
  symlinkSync(join(root, 'node_modules'), join(stage, 'node_modules'), 'dir');
  execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: stage, stdio: 'inherit' });
  // vsce must not walk the sources or node_modules (it would only ignore them, slowly).
  unlinkSync(join(stage, 'src'));
  unlinkSync(join(stage, 'node_modules'));

  for (const built of ['dist/extension.js', 'dist/webview.js', 'dist/cli.js']) {
    if (!existsSync(join(stage, built))) console.warn(`package: warning: ${built} was not built (its source does not exist yet)`);
  }
  const vsce = join(createRequire(import.meta.url).resolve('@vscode/vsce/package.json'), '..', 'vsce');
  try {
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--out', out], { cwd: stage, stdio: 'inherit' });
  } catch {
    console.error('package: vsce failed (its message is above)');
    process.exitCode = 1;
  }
} finally {
  rmSync(stage, { recursive: true, force: true });
}
if (!process.exitCode) console.log(`package: ${out} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
