// Builds everything under dist/: the CLI, the extension host, the webview bundle and the tracers.
// Entries that do not exist yet are skipped, so the build works while parts are being written.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };

const builds = [];
const add = (entry, options) => { if (existsSync(entry)) builds.push({ entryPoints: [entry], ...common, ...options }); };

add('src/cli.ts', { outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node18', banner: { js: '#!/usr/bin/env node' } });
add('src/extension/extension.ts', { outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node18', external: ['vscode'] });
// The webview bundle is always minified: the standalone page inlines it (3.7 MB unminified, elkjs
// included) and the browser parses it before the first frame. Dev builds keep a source map beside it.
add('src/webview/main.ts', { outfile: 'dist/webview.js', platform: 'browser', format: 'iife', target: 'es2022', minify: true });

// Node tracer: src/tracers/node/entries/NAME.ts -> dist/tracers/node/NAME.js (CommonJS),
// NAME.mts -> NAME.mjs (ES module). They run inside the user's node (18+), so bundle their dependencies.
const nodeEntries = 'src/tracers/node/entries';
if (existsSync(nodeEntries)) {
  for (const name of readdirSync(nodeEntries)) {
    const esm = name.endsWith('.mts');
    if (!esm && !name.endsWith('.ts')) continue;
    builds.push({
      entryPoints: [join(nodeEntries, name)], ...common,
      outfile: join('dist/tracers/node', name.replace(/\.m?ts$/, esm ? '.mjs' : '.js')),
      platform: 'node', format: esm ? 'esm' : 'cjs', target: 'node18',
    });
  }
}

// Python tracer: shipped as source, it runs inside the user's interpreter.
function copyPython() {
  const from = 'src/tracers/python';
  const to = 'dist/tracers/python';
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (name.endsWith('.py')) copyFileSync(join(from, name), join(to, name));
}

copyPython();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
