// The .vsix a user installs: built once with `npm run package` (production esbuild build, then
// vsce), then listed. It must hold the bundles, the tracers, the icon and the marketplace files,
// and nothing else: no sources, tests, source maps or node_modules.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

describe('the packaged .vsix', () => {
  let dir: string;
  let vsix: string;
  let files: string[];

  before(function () {
    this.timeout(180_000);
    dir = mkdtempSync(join(tmpdir(), 'awaitlens-vsix-'));
    vsix = join(dir, 'await-lens.vsix');
    execFileSync(process.execPath, [join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, stdio: 'pipe' });
    files = execFileSync('unzip', ['-Z1', vsix], { encoding: 'utf8' }).split('\n').filter(Boolean);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('holds the extension bundle, the webview, the CLI, the manifest, icon and marketplace files', () => {
    // vsce stores readme.md / changelog.md in lower case.
    const lower = files.map((f) => f.toLowerCase());
    for (const required of [
      'extension.vsixmanifest', 'extension/package.json', 'extension/dist/extension.js', 'extension/dist/webview.js',
      'extension/dist/cli.js', 'extension/media/icon.png', 'extension/readme.md', 'extension/changelog.md',
    ]) assert.ok(lower.includes(required), `${required} missing from the .vsix:\n${files.join('\n')}`);
    assert.ok(files.some((f) => /^extension\/LICENSE(\.txt|\.md)?$/.test(f)), 'LICENSE');
    if (existsSync(join(root, 'media', 'timeline.css'))) assert.ok(files.includes('extension/media/timeline.css'), 'the webview stylesheet');
  });

  it('ships every tracer the build produced (the Python tracer sources, the Node tracer bundles)', () => {
    const pythonSources = readdirSync(join(root, 'src', 'tracers', 'python')).filter((f) => f.endsWith('.py'));
    assert.ok(pythonSources.length > 0, 'there is a Python tracer to ship');
    for (const f of pythonSources) assert.ok(files.includes(`extension/dist/tracers/python/${f}`), `dist/tracers/python/${f}`);
    // Each Node tracer entry (src/tracers/node/entries/NAME.ts|.mts) is bundled to dist/tracers/node/NAME.js|.mjs.
    const entries = join(root, 'src', 'tracers', 'node', 'entries');
    if (existsSync(entries)) {
      for (const name of readdirSync(entries).filter((n) => /\.m?ts$/.test(n))) {
        const built = name.replace(/\.mts$/, '.mjs').replace(/\.ts$/, '.js');
        assert.ok(files.includes(`extension/dist/tracers/node/${built}`), `dist/tracers/node/${built} (from ${name}) is not in the .vsix`);
      }
    }
  });

  it('leaves out sources, tests, maps, caches and node_modules', () => {
    const bad = files.filter((f) =>
      /^extension\/(src|test|bench|scripts|examples|docs|node_modules|\.cache|\.awaitlens|\.ci|\.git)\//.test(f)
      || /\.(map|ts|tsbuildinfo|pyc|vsix)$/.test(f) || /(^|\/)\.vscodeignore$/.test(f) || /__pycache__/.test(f));
    assert.deepEqual(bad, []);
    assert.ok(files.every((f) => !f.startsWith('extension/') || /^extension\/(dist|media)\/|^extension\/[^/]+$/.test(f)),
      `only dist/, media/ and top-level files:\n${files.join('\n')}`);
    const size = statSync(vsix).size;
    assert.ok(size < 8 * 1024 * 1024, `the .vsix is ${(size / 1e6).toFixed(1)} MB`);
  });

  it('the extension bundle needs nothing at run time but vscode and Node built-ins', () => {
    const source = execFileSync('unzip', ['-p', vsix, 'extension/dist/extension.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const required = new Set([...source.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]));
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
    const external = [...required].filter((m) => m !== 'vscode' && !builtins.has(m));
    assert.deepEqual(external, [], 'every dependency is bundled (the .vsix has no node_modules)');
    assert.ok(required.has('vscode'));
    assert.ok(!/\/\/# sourceMappingURL=/.test(source), 'production build: no source map reference');
  });
});
