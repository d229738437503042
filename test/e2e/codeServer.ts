// Starts the packaged extension in a real VS Code workbench: code-server (same workbench and
// Node extension host as desktop VS Code) with its own extensions and user-data folders,
// driven by Debian's chromium through playwright-core. Used by test/e2e/*.test.ts and by
// scripts/try.mjs (through scripts/ensure-code-server.mjs for the install itself).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { killProcessesMatching } from './processes';

export { pidsMatching } from './processes';
export { SEED_GATHER } from './traceFacts';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = resolve(__dirname, '..', '..');
/** Where scripts/ensure-code-server.mjs installs code-server (same AWAITLENS_CODE_SERVER_DIR override). */
export const CODE_SERVER_ENTRY = join(
  resolve(process.env.AWAITLENS_CODE_SERVER_DIR || join(REPO_ROOT, '.cache', 'code-server')),
  'node_modules', 'code-server', 'out', 'node', 'entry.js',
);
export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-artifacts', 'e2e');
/** Programs the e2e tests trace (shared with the desktop suite under test/vscode). */
export const E2E_WORKSPACE_SOURCE = join(REPO_ROOT, 'test', 'e2e', 'workspace');

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run', '--disable-quic',
];

/** settings.json for a test profile: no welcome page, no tips, no telemetry, no update checks. */
export function baseSettings(trust: boolean): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'chat.commandCenter.enabled': false,
    'chat.disableAIFeatures': true,
    'editor.hover.delay': 200,
    'editor.minimap.enabled': false,
    'files.autoSave': 'off',
    'git.openRepositoryInParentFolders': 'never',
    'security.workspace.trust.enabled': trust,
    // With trust on, open untrusted (restricted mode) without the modal asking about it.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'always',
  };
}

let vsixPromise: Promise<string> | undefined;

/**
 * Builds the .vsix once per process with the project's own `npm run package`, so a file
 * left out of the package or a dependency not bundled fails the tests that install it.
 */
export function buildVsix(): Promise<string> {
  vsixPromise ??= (async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'awaitlens-e2e-vsix-'));
    process.once('exit', () => rmSync(outDir, { recursive: true, force: true }));
    const vsix = join(outDir, 'await-lens.vsix');
    try {
      await execFileAsync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--out', vsix], {
        cwd: REPO_ROOT,
        maxBuffer: 32 * 1024 * 1024,
      });
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new Error(`npm run package failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
    }
    if (!existsSync(vsix)) throw new Error(`npm run package did not write ${vsix}`);
    return vsix;
  })();
  return vsixPromise;
}

export interface CodeServerOptions {
  /** Folder opened as the workspace. */
  workspace: string;
  /** Workspace trust enabled (the folder then opens untrusted). Default false. */
  trust?: boolean;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Port to bind; default a free one. */
  port?: number;
  /** Where the profile lives; default a fresh temp folder. */
  profileDir?: string;
  /** The .vsix to install; default the one `npm run package` builds. null: none (workbench only). */
  vsix?: string | null;
}

export interface CodeServer {
  url: string;
  port: number;
  workspace: string;
  profileDir: string;
  process: ChildProcess;
  /** Everything code-server printed so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolvePort, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Installs the .vsix into `extensionsDir` with code-server's own `--install-extension`. */
export async function installExtension(vsix: string, extensionsDir: string, userDataDir: string): Promise<void> {
  const { stdout, stderr } = await execFileAsync(
    process.execPath,
    [CODE_SERVER_ENTRY, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix],
    { maxBuffer: 8 * 1024 * 1024, timeout: 120_000 },
  );
  const installed = existsSync(extensionsDir) ? readdirSync(extensionsDir).filter((n) => n.startsWith('awaitlens.await-lens')) : [];
  if (installed.length === 0) throw new Error(`--install-extension did not install the extension:\n${stdout}\n${stderr}`);
}

/** Starts code-server with the packaged extension installed in a fresh profile. */
export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  if (!existsSync(CODE_SERVER_ENTRY)) {
    throw new Error('code-server is not installed: run `node scripts/ensure-code-server.mjs` (npm test does it for test/e2e)');
  }
  const profileDir = options.profileDir ?? mkdtempSync(join(tmpdir(), 'awaitlens-profile-'));
  const userDataDir = join(profileDir, 'user-data');
  const extensionsDir = join(profileDir, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(
    join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...baseSettings(!!options.trust), ...(options.settings ?? {}) }, null, 2),
  );
  const vsix = options.vsix === undefined ? await buildVsix() : options.vsix;
  if (vsix) await installExtension(vsix, extensionsDir, userDataDir);

  // Its own config file: code-server would otherwise create and read ~/.config/code-server/config.yaml.
  const configFile = join(profileDir, 'config.yaml');
  writeFileSync(configFile, 'auth: none\ncert: false\n');
  const port = options.port ?? (await freePort());
  const args = [
    CODE_SERVER_ENTRY, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override',
    ...(options.trust ? [] : ['--disable-workspace-trust']),
    options.workspace,
  ];
  // Own process group: stop() then ends code-server, its extension host and anything they spawned.
  // XDG_DATA_HOME: code-server keeps a heartbeat and logs there; keep them in the profile, not in ~.
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
    env: { ...process.env, XDG_DATA_HOME: join(profileDir, 'data') },
  });
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = false;
  const exitPromise = new Promise<void>((r) => child.once('exit', () => { exited = true; r(); }));
  // If the test process ends without stop() (interrupted run), take the whole group with it.
  const killOnExit = () => { if (!exited && child.pid) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } } };
  process.once('exit', killOnExit);

  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited && child.pid) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await Promise.race([exitPromise, sleep(5000)]);
      if (!exited) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
      await Promise.race([exitPromise, sleep(2000)]);
    }
    await killProcessesMatching(options.workspace);
    if (!options.profileDir) rmSync(profileDir, { recursive: true, force: true, maxRetries: 3 });
  };

  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error('code-server exited during start-up');
      try {
        const res = await fetch(`${url}/healthz`);
        if (res.ok) break;
      } catch { /* not listening yet */ }
      if (Date.now() > deadline) throw new Error('code-server did not answer /healthz within 60 s');
      await sleep(200);
    }
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output.slice(-3000)}`);
  }
  return { url, port, workspace: options.workspace, profileDir, process: child, output: () => output, stop };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * A fresh temp folder holding the seed examples (examples/python, examples/node, as a user
 * would open them) plus the e2e programs of test/e2e/workspace (the never-ending one).
 */
export function makeWorkspace(prefix = 'awaitlens-ws-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(E2E_WORKSPACE_SOURCE, dir, { recursive: true });
  copySeedExamples(dir);
  return dir;
}

/** Copies examples/ into `dir`/examples, leaving out traces of earlier runs. */
export function copySeedExamples(dir: string): void {
  cpSync(join(REPO_ROOT, 'examples'), join(dir, 'examples'), {
    recursive: true,
    filter: (source) => !/[\\/](\.awaitlens|__pycache__|node_modules)([\\/]|$)/.test(source),
  });
}

export interface Workbench {
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

/** Opens the workbench in headless chromium and waits until the workspace is shown. */
export async function openWorkbench(server: CodeServer): Promise<Workbench> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${server.url}/?folder=${encodeURIComponent(server.workspace)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The explorer lists the workspace once the remote file system is up.
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60_000 });
    return { browser, page, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

let artifactsCleared = false;

/** test-artifacts/e2e, emptied on first use in a process so it holds only this run's pictures. */
export function ensureArtifactsDir(): string {
  if (!artifactsCleared) {
    rmSync(ARTIFACTS_DIR, { recursive: true, force: true });
    artifactsCleared = true;
  }
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return ARTIFACTS_DIR;
}
