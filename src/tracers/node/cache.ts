// Instrumented code cached on disk, keyed by the source text, the module's id and the tracer build:
// a program traced again (the usual loop: trace, read, edit one file, trace again) skips parsing with
// acorn/sucrase for every file it already saw, and the loader thread never loads the instrumenter at
// all when every file hits. The folder is private to the user (0700, owned by them), so nobody
// else can put code into a traced program through it. Each entry starts with a line holding its
// code's length and hash: an entry cut short or mangled (a killed writer, a full disk, a crash
// before the data reached the disk) is ignored and made again. Any failure just means no cache.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { Script } from 'node:vm';

/** The cache folder for this tracer build, or null when none can be used safely. */
export function openCacheDir(tracerDir: string, env: NodeJS.ProcessEnv = process.env): string | null {
  try {
    if (env.AWAITLENS_NO_CACHE) return null;
    const base = env.AWAITLENS_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens');
    // The build: instrumenter and type stripper bundles as shipped. Any rewrite of either file
    // (a rebuild, an update, a copy) gives it a new ctime, which no tool can set back, so a rebuilt
    // tracer never reuses code made by the old one; inode, size and mtime besides.
    let build = `${CACHE_FORMAT};`;
    for (const name of ['instrument.js', 'strip.js']) {
      const s = statSync(join(tracerDir, name), { bigint: true });
      build += `${name}:${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs};`;
    }
    const dir = join(base, `node-${hash64(build)}`);
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
    if (uid >= 0 && (st.uid !== uid || (st.mode & 0o022) !== 0)) return null; // someone else's, or writable by others
    if (created) pruneBuilds(base, dir);
    return dir;
  } catch {
    return null;
  }
}

/** A new build's folder was made: folders of builds unused for two days go (each rebuild makes one). */
function pruneBuilds(base: string, keep: string): void {
  const old = Date.now() - 2 * 86_400_000;
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!name.startsWith('node-') || dir === keep) continue;
    try { if (statSync(dir).mtimeMs < old) rmSync(dir, { recursive: true, force: true }); } catch { /* raced */ }
  }
}

/** Bumped when the entries' layout changes. */
const CACHE_FORMAT = 'awaitlens-cache-2';

export interface TransformKey { id: string; typescript: boolean; toCommonJS: boolean; source: string }

const keyOf = (k: TransformKey): string => {
  const text = `${k.id}\0${k.typescript ? 1 : 0}${k.toCommonJS ? 1 : 0}\0${k.source}`;
  return `${hash64(text)}-${text.length.toString(36)}`;
};

/**
 * Two independent 32-bit FNV-1a style hashes of the UTF-16 text, as 16 hex digits. Not node:crypto:
 * loading it cost ~5 ms of every traced start, and this folder is private (nobody else can
 * choose colliding inputs), so 64 bits plus the text's length name an entry safely.
 */
export function hash64(text: string): string {
  let a = 0x811c9dc5 | 0, b = 0x9747b28c | 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Where this input's output is kept, and the output when it is there already. */
export function cacheLookup(dir: string | null, key: TransformKey): { file: string; code: string | null } {
  if (!dir) return { file: '', code: null };
  let file = '';
  try {
    file = join(dir, `${keyOf(key)}.js`);
    return { file, code: entryCode(readFileSync(file, 'utf8')) };
  } catch {
    return { file, code: null };
  }
}

/** The cached output for this input, or the output of `make` (then stored). */
export function cachedTransform(dir: string | null, key: TransformKey, make: () => string): string {
  const hit = cacheLookup(dir, key);
  if (hit.code !== null) return hit.code;
  const code = make();
  if (hit.file) cacheStore(hit.file, code);
  return code;
}

/** An entry's first line: `//awaitlens <length> <hash>` of the code after it. */
const entryHead = (code: string): string => `//awaitlens ${code.length} ${hash64(code)}\n`;

/** The code an entry holds, or null when it is not whole (then it is made again). */
export function entryCode(entry: string): string | null {
  const nl = entry.indexOf('\n');
  if (nl < 0 || !entry.startsWith('//awaitlens ')) return null;
  const code = entry.slice(nl + 1);
  return entry.slice(0, nl + 1) === entryHead(code) ? code : null;
}

let stored = 0;
export function cacheStore(file: string, code: string): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    writeFileSync(tmp, entryHead(code) + code, { mode: 0o600 });
    renameSync(tmp, file); // whole files only: a reader never sees half of one
    if (++stored === 1 && Math.random() < 0.05) prune(dirname(file));
  } catch {
    try { unlinkSync(tmp); } catch { /* never written */ } // read-only or full disk: no cache
  }
}

/** Keeps the folder bounded: past 2,000 entries, the older half goes; so do temporary files a killed writer left. */
function prune(dir: string): void {
  const all = readdirSync(dir);
  const old = Date.now() - 3_600_000;
  for (const n of all) {
    if (!n.endsWith('.tmp')) continue;
    try { if (statSync(join(dir, n)).mtimeMs < old) unlinkSync(join(dir, n)); } catch { /* raced */ }
  }
  const names = all.filter((n) => n.endsWith('.js'));
  if (names.length <= 2000) return;
  const aged = names.map((n) => { try { return { n, t: statSync(join(dir, n)).mtimeMs }; } catch { return { n, t: 0 }; } });
  aged.sort((a, b) => a.t - b.t);
  for (const { n } of aged.slice(0, aged.length >> 1)) { try { unlinkSync(join(dir, n)); } catch { /* raced */ } }
}

/**
 * require() of one of the tracer's own bundles, compiled from a V8 code cache in the cache folder:
 * trace.js took ~3.5 ms of every traced start to compile, and strip.js, loaded when a TypeScript
 * file is not in the cache yet, ~20 ms. The code cache is made at exit, so that it holds the
 * functions the run compiled as well, once per file (its size, inode and times), Node and V8 flags.
 * V8 rejects data made by another V8 or with other flags (it is made again), but does not check the
 * data itself: each is written whole (synced, then renamed into place) behind a header with its length.
 */
export function requireCompiled(file: string, cacheDir: string | null): unknown {
  const source = readFileSync(file, 'utf8');
  let cacheFile = '';
  let cachedData: Buffer | undefined;
  if (cacheDir) {
    try {
      const s = statSync(file, { bigint: true });
      cacheFile = join(cacheDir, `${basename(file)}-${hash64(`${CODE_CACHE_FORMAT};${process.version};${process.arch};${process.execArgv.join(' ')};${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}`)}.v8`);
      const data = readFileSync(cacheFile);
      if (data.length > CODE_HEAD && data.readUInt32LE(0) === CODE_MAGIC && data.readUInt32LE(4) === data.length - CODE_HEAD) cachedData = data.subarray(CODE_HEAD);
    } catch { /* none yet */ }
  }
  // As Node's CommonJS loader runs a file: the module wrapper, with a require() of this file's own.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: file, cachedData });
  const mod = { exports: {} as unknown, id: file, filename: file, loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(mod.exports, mod.exports, createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => storeCodeCache(cacheFile, script));
  }
  return mod.exports;
}

const CODE_CACHE_FORMAT = 'awaitlens-code-1';
const CODE_MAGIC = 0x43434c41; // "ALCC"
const CODE_HEAD = 8;

function storeCodeCache(file: string, script: Script): void {
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  let fd = -1;
  try {
    const data = script.createCachedData();
    const head = Buffer.alloc(CODE_HEAD);
    head.writeUInt32LE(CODE_MAGIC, 0);
    head.writeUInt32LE(data.length, 4);
    fd = openSync(tmp, 'w', 0o600);
    writeSync(fd, head);
    writeSync(fd, data);
    fsyncSync(fd); // on disk before it has its name: a crash leaves no file, never half of one
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
  } catch {
    if (fd >= 0) { try { closeSync(fd); } catch { /* closed */ } }
    try { unlinkSync(tmp); } catch { /* never written */ }
  }
}
