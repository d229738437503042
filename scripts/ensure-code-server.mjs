#!/usr/bin/env node
// Installs code-server 4.100.3 (the newest line that runs on Node 20) under
// .cache/code-server/ when missing, and reuses it when present. Its own install
// scripts download ripgrep from the internet, which these machines cannot reach,
// so we install with --ignore-scripts and do by hand what those scripts would do:
// VS Code's own runtime dependencies, Debian's rg in place of the downloaded one,
// the node_modules.asar link, and native modules rebuilt for this Node.
//
// Usage: node scripts/ensure-code-server.mjs [--verify]   (prints the path of entry.js)
// Exports ensureCodeServer() and CODE_SERVER_ENTRY for the e2e harness and `npm run try`.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// AWAITLENS_CODE_SERVER_DIR moves the install (e.g. to a CI cache folder); default .cache/code-server.
export const CODE_SERVER_PREFIX = path.resolve(process.env.AWAITLENS_CODE_SERVER_DIR || path.join(repoRoot, '.cache', 'code-server'));
const pkgDir = path.join(CODE_SERVER_PREFIX, 'node_modules', 'code-server');
const vscodeDir = path.join(pkgDir, 'lib', 'vscode');
export const CODE_SERVER_ENTRY = path.join(pkgDir, 'out', 'node', 'entry.js');
// Written last: its presence (with the right version) means every step finished.
// The recipe number goes up when a step is added, so existing caches redo the steps.
const stampFile = path.join(CODE_SERVER_PREFIX, '.complete');
const STAMP = `${CODE_SERVER_VERSION} recipe 2`;

const DEBIAN_PACKAGES = [
  // rg binary that VS Code's search (and code-server's) spawns
  { pkg: 'ripgrep', present: () => fs.existsSync('/usr/bin/rg') },
  // headers for the kerberos native module under lib/vscode
  { pkg: 'libkrb5-dev', present: () => fs.existsSync('/usr/include/krb5.h') || fs.existsSync('/usr/include/krb5/krb5.h') },
];

function log(msg) {
  process.stderr.write(`[code-server] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const started = Date.now();
  const res = spawnSync(cmd, args, {
    stdio: opts.quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...opts,
    env: { ...process.env, ...(opts.env || {}) },
  });
  if (res.status !== 0) {
    const out = opts.quiet ? `\n${(res.stdout || '').slice(-4000)}${(res.stderr || '').slice(-4000)}` : '';
    throw new Error(`${cmd} ${args.join(' ')} failed (exit ${res.status}${res.error ? ', ' + res.error.message : ''})${out}`);
  }
  return { ...res, seconds: (Date.now() - started) / 1000 };
}

// npm install over the network: a registry hiccup on a fresh CI machine gets one more try.
function runNpmInstall(args, opts) {
  try {
    return run('npm', args, opts);
  } catch (err) {
    log(`  npm ${args.slice(0, 2).join(' ')} failed, trying once more: ${String(err.message).split('\n')[0]}`);
    return run('npm', args, opts);
  }
}

function ensureDebianPackages() {
  const missing = DEBIAN_PACKAGES.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return;
  log(`installing Debian packages: ${missing.join(' ')}`);
  const sudo = process.getuid && process.getuid() !== 0 ? ['sudo'] : [];
  const apt = (args) =>
    sudo.length
      ? run('sudo', ['apt-get', '-o', 'DPkg::Lock::Timeout=600', ...args], { quiet: true, env: { DEBIAN_FRONTEND: 'noninteractive' } })
      : run('apt-get', ['-o', 'DPkg::Lock::Timeout=600', ...args], { quiet: true, env: { DEBIAN_FRONTEND: 'noninteractive' } });
  apt(['update', '-qq']);
  apt(['install', '-y', '-qq', ...missing]);
}

function isComplete() {
  try {
    return fs.readFileSync(stampFile, 'utf8').trim() === STAMP && fs.existsSync(CODE_SERVER_ENTRY);
  } catch {
    return false;
  }
}

function installedVersion() {
  try {
    return JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

// npm must not climb up to the project's package.json, so the prefix gets its own.
function ensurePrefixPackageJson() {
  fs.mkdirSync(CODE_SERVER_PREFIX, { recursive: true });
  const pj = path.join(CODE_SERVER_PREFIX, 'package.json');
  if (!fs.existsSync(pj)) {
    fs.writeFileSync(pj, JSON.stringify({ name: 'awaitlens-code-server-cache', private: true }, null, 2) + '\n');
  }
}

function placeRipgrep() {
  const rgTarget = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg');
  fs.mkdirSync(path.dirname(rgTarget), { recursive: true });
  if (fs.existsSync(rgTarget)) fs.rmSync(rgTarget, { force: true });
  fs.copyFileSync('/usr/bin/rg', rgTarget);
  fs.chmodSync(rgTarget, 0o755);
}

function linkAsar() {
  const link = path.join(vscodeDir, 'node_modules.asar');
  try {
    fs.lstatSync(link);
    return;
  } catch {
    /* missing: create */
  }
  fs.symlinkSync('node_modules', link);
}

// What code-server's postinstall links: the `code-server` CLI of the integrated terminal and
// the browser helper, each to its Linux script.
function linkBinScripts() {
  for (const [dir, source, dest] of [['remote-cli', 'code-linux.sh', 'code-server'], ['helpers', 'browser-linux.sh', 'browser.sh']]) {
    const link = path.join(vscodeDir, 'bin', dir, dest);
    if (!fs.existsSync(path.join(vscodeDir, 'bin', dir, source))) continue;
    fs.rmSync(link, { force: true });
    fs.symlinkSync(source, link);
  }
}

// npm rebuild runs each listed module's install script (node-gyp) against this
// Node's headers; the modules were installed without scripts so they have no binary yet.
function rebuildNative() {
  const env = { npm_config_yes: 'true' };
  // argon2 is hoisted to the prefix's node_modules, so it is rebuilt from there.
  if (!loads(CODE_SERVER_PREFIX, 'argon2')) {
    log('rebuilding argon2');
    run('npm', ['rebuild', 'argon2', '--no-audit', '--no-fund'], { cwd: CODE_SERVER_PREFIX, env, quiet: true });
    checkLoads(CODE_SERVER_PREFIX, ['argon2']);
  }
  // The server cannot start without the first three; node-pty (terminals) and
  // kerberos (proxy auth) are rebuilt when present, and only warned about if they fail.
  const required = ['@parcel/watcher', '@vscode/spdlog', 'native-watchdog'];
  const optional = ['node-pty', 'kerberos'];
  for (const mod of [...required, ...optional]) {
    if (!fs.existsSync(path.join(vscodeDir, 'node_modules', mod))) {
      if (required.includes(mod)) throw new Error(`lib/vscode/node_modules/${mod} is missing after npm install`);
      continue;
    }
    if (loads(vscodeDir, mod)) continue; // already built for this Node
    log(`rebuilding ${mod} under lib/vscode`);
    try {
      run('npm', ['rebuild', mod, '--no-audit', '--no-fund'], { cwd: vscodeDir, env, quiet: true });
    } catch (err) {
      if (required.includes(mod)) throw err;
      log(`  ${mod} did not build; continuing without it: ${String(err.message).split('\n')[0]}`);
    }
  }
}

function loads(dir, mod) {
  return spawnSync(process.execPath, ['-e', `require(${JSON.stringify(mod)})`], { cwd: dir, stdio: 'ignore' }).status === 0;
}

// A rebuild that silently produced no binary shows up here rather than as a server crash.
function checkLoads(dir, modules) {
  const script = `for (const m of ${JSON.stringify(modules)}) require(m);`;
  run(process.execPath, ['-e', script], { cwd: dir, quiet: true });
}

export async function ensureCodeServer({ verify = false } = {}) {
  if (isComplete()) {
    if (verify) await verifyCodeServer();
    return CODE_SERVER_ENTRY;
  }
  const t0 = Date.now();
  ensureDebianPackages();
  ensurePrefixPackageJson();
  if (installedVersion() !== CODE_SERVER_VERSION) {
    log(`npm install code-server@${CODE_SERVER_VERSION} --ignore-scripts (into .cache/code-server)`);
    const r = runNpmInstall(
      ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--no-save', '--loglevel=error'],
      { cwd: CODE_SERVER_PREFIX, quiet: true },
    );
    log(`  done in ${r.seconds.toFixed(0)} s`);
  }
  log('npm install --omit=dev --ignore-scripts in lib/vscode');
  const r2 = runNpmInstall(['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: vscodeDir,
    quiet: true,
  });
  log(`  done in ${r2.seconds.toFixed(0)} s`);
  // The built-in extensions share one dependency, typescript (the TS/JS language server);
  // without it the workbench reports that tsserver was deleted.
  log('npm install --omit=dev --ignore-scripts in lib/vscode/extensions');
  const r3 = runNpmInstall(['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: path.join(vscodeDir, 'extensions'),
    quiet: true,
  });
  log(`  done in ${r3.seconds.toFixed(0)} s`);
  placeRipgrep();
  linkAsar();
  linkBinScripts();
  rebuildNative();
  checkLoads(vscodeDir, ['@parcel/watcher', '@vscode/spdlog', 'native-watchdog']);
  fs.writeFileSync(stampFile, STAMP + '\n');
  log(`installed in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await verifyCodeServer();
  return CODE_SERVER_ENTRY;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Polls url until it answers 2xx/3xx or the deadline passes. */
export async function waitForHttp(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`server exited before ${url} answered`);
    try {
      const res = await fetch(url, { redirect: 'manual' });
      if (res.status < 400) return res;
      lastErr = new Error(`HTTP ${res.status}`);
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${lastErr?.message}`);
}

// Starts code-server on a free port with throwaway dirs and fetches its workbench page.
async function verifyCodeServer() {
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(CODE_SERVER_PREFIX, 'verify-'));
  // Its own config file and data home, so nothing is written under ~/.config or ~/.local/share.
  const configFile = path.join(tmp, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');
  const child = spawn(
    process.execPath,
    [CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry',
      '--user-data-dir', path.join(tmp, 'user'), '--extensions-dir', path.join(tmp, 'ext'), tmp],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XDG_DATA_HOME: path.join(tmp, 'data') } },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = false;
  child.on('exit', () => (exited = true));
  try {
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, () => !exited);
    const page = await fetch(`http://127.0.0.1:${port}/`);
    const html = await page.text();
    if (!page.ok || !/vscode|workbench/i.test(html)) throw new Error(`unexpected page (HTTP ${page.status})`);
    log(`verified: code-server ${CODE_SERVER_VERSION} served its workbench page on 127.0.0.1:${port}`);
  } catch (err) {
    throw new Error(`code-server did not start: ${err.message}\n${output.slice(-3000)}`);
  } finally {
    // Wait for it to exit: it keeps writing logs into the user-data dir until then.
    if (!exited) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000))]);
      if (!exited) child.kill('SIGKILL');
    }
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5 });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  ensureCodeServer({ verify: process.argv.includes('--verify') }).then(
    (entry) => console.log(entry),
    (err) => {
      console.error(`[code-server] ${err.message}`);
      process.exit(1);
    },
  );
}
