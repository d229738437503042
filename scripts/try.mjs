#!/usr/bin/env node
// `npm run try`: see Await Lens working without installing VS Code. Builds the .vsix, makes
// sure code-server is installed (.cache/code-server), installs the extension into a profile
// under .cache/try/, and serves VS Code in the browser with examples/ open, until Ctrl+C.
//   npm run try                      -> http://127.0.0.1:8080 (or the next free port)
//   npm run try -- --port 9000       -> another port
//   npm run try -- --folder DIR      -> open another folder instead of examples/
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_SERVER_ENTRY, ensureCodeServer, freePort, waitForHttp } from './ensure-code-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tryDir = path.join(root, '.cache', 'try');
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const folder = path.resolve(option('--folder') ?? path.join(root, 'examples'));

function log(msg) {
  console.log(`[try] ${msg}`);
}

async function portToUse() {
  const wanted = Number(option('--port') ?? process.env.PORT ?? 8080);
  // The wanted port when it is free, else any free one (a second `npm run try` still starts).
  const net = await import('node:net');
  const free = await new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(wanted, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
  return free ? wanted : freePort();
}

async function main() {
  if (!fs.existsSync(folder)) throw new Error(`${folder} does not exist`);

  log('building the extension package (npm run package)');
  fs.mkdirSync(tryDir, { recursive: true });
  const vsix = path.join(tryDir, 'await-lens.vsix');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'package.mjs'), '--out', vsix], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });

  log('checking code-server (installed under .cache/code-server on first use)');
  await ensureCodeServer();

  const userDataDir = path.join(tryDir, 'user-data');
  const extensionsDir = path.join(tryDir, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  const settingsFile = path.join(userDataDir, 'User', 'settings.json');
  // Defaults only fill gaps: what the person changed while trying it is kept for the next run.
  let saved = {};
  try { saved = JSON.parse(fs.readFileSync(settingsFile, 'utf8')); } catch { /* none yet, or edited into JSONC */ }
  fs.writeFileSync(settingsFile, JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'chat.disableAIFeatures': true,
    // examples/ sits inside this repository; no prompt about opening the parent repo.
    'git.openRepositoryInParentFolders': 'never',
    ...saved,
  }, null, 2));
  const configFile = path.join(tryDir, 'config.yaml');
  fs.writeFileSync(configFile, 'auth: none\ncert: false\n');

  log('installing the extension into .cache/try/extensions');
  execFileSync(process.execPath, [CODE_SERVER_ENTRY, '--config', configFile, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix, '--force'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });

  const port = await portToUse();
  const host = option('--host') ?? '127.0.0.1';
  const child = spawn(process.execPath, [
    CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `${host}:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    // examples/ is this project's own code: no trust prompt in front of the demo.
    '--disable-workspace-trust',
    folder,
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, XDG_DATA_HOME: path.join(tryDir, 'data') } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = false;
  child.on('exit', (code, signal) => {
    exited = true;
    if (!stopping) {
      console.error(`[try] code-server exited (${signal ?? code}):\n${output.slice(-3000)}`);
      process.exit(1);
    }
  });

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    log('stopping code-server');
    // Its own process group: the extension host and any traced program end with it.
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
    setTimeout(() => {
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
      process.exit(0);
    }, 3000).unref();
    child.once('exit', () => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, () => !exited);
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/?folder=${encodeURIComponent(folder)}`;
  console.log('');
  console.log(`  Await Lens is running in VS Code (code-server) with ${path.relative(root, folder) || folder} open.`);
  console.log(`  Open ${url} in a browser,`);
  console.log('  open an example (e.g. python/001d_gather.py), then run "Await Lens: Trace Current File"');
  console.log('  from the command palette (F1) or the ▷ button in the editor title bar. Hover an `await` afterwards.');
  console.log('  Press Ctrl+C here to stop.');
  console.log('');
}

main().catch((err) => {
  console.error(`[try] ${err.message}`);
  process.exit(1);
});
