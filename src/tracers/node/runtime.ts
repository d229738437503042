// The Node tracer's runtime: lives in the traced program's main thread and writes the trace.
// Instrumented user files (see instrument.ts) call its probes, reached through the global
// `__awaitlens$`: `e` when an async function starts, `b`/`a` around each `await`, `r` where a
// suspended function can continue without an `a` (catch, finally, for-await body), `x`/`f` when
// it raises/returns. Everything that is not a user's async function (timers, I/O, node_modules,
// Node internals) is only observed: V8 promise hooks say when an awaited promise settles and
// `executionAsyncResource()` says which timer or I/O callback settled it, which costs far less
// than async_hooks' per-promise bookkeeping (measured: ~0 vs ~0.5 µs per await).
//
// Records go out in the strict alternation the model expects: at any time at most one task runs.
// A task that calls another async function synchronously is written as suspended at the call
// site (awaiting that task, `call: true`) and resumed when the callee suspends or ends.
// A step's resume is written when the step ends: with an await that names a where record, both
// go out as one `step` record (half the bytes and writes of the commonest pair).
import { writeSync, openSync, closeSync, write, readFileSync } from 'node:fs';
import { executionAsyncResource } from 'node:async_hooks';
import * as v8 from 'node:v8';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { StringDecoder } from 'node:string_decoder';
import { isTypeScript } from './loading';

const nodeRequire = createRequire(__filename);

type Json = string;
type Bytes = Uint8Array;
const enc = (text: string): Bytes => Buffer.from(text, 'utf8');
const B = {
  suspend: enc('{"type":"suspend","task":'), resume: enc('{"type":"resume","task":'), end: enc('{"type":"end","task":'),
  task: enc('{"type":"task","task":'), t: enc(',"t":'), site: enc(',"site":'), stackEmpty: enc(',"stack":[]'), stack: enc(',"stack":'),
  awaiting: enc(',"awaiting":'), cause: enc(',"cause":'), closeLine: enc('}\n'), returned: enc(',"outcome":"returned"}\n'),
  name: enc(',"name":'), coro: enc(',"coro":'), parent: enc(',"parent":'), def: enc(',"def":'), kindCall: enc(',"kind":"call"}\n'),
  null: enc('null'), start: enc('{"kind":"start"}'),
  // {"kind":"task","task":N,"label":L} causes and {"kind":"task","label":L,"task":N} awaitings, in pieces
  causeTask: enc('{"kind":"task","task":'), label: enc(',"label":'), closeObj: enc('}'),
  awaitTask: enc('{"kind":"task","label":'), taskField: enc(',"task":'), callClose: enc(',"call":true}'),
  suspended: enc('"suspended"'), returnedLabel: enc('"returned"'), raisedLabel: enc('"raised"'), settled: enc('"settled the promise"'),
  nextLabel: enc('"next()"'), openList: enc('['), closeList: enc(']'), comma: enc(','),
  whereHead: enc('{"type":"where","id":'), whereRef: enc(',"where":'),
  step: enc('{"type":"step","task":'), d: enc(',"d":'),
};
const ANON_LABELS: Labels = { call: enc('"<anonymous>()"'), returned: enc('"<anonymous>() returned"'), raised: enc('"<anonymous>() raised"') };
const labelsFor = (name: string): Labels => ({
  call: enc(JSON.stringify(name + '()')), returned: enc(JSON.stringify(name + '() returned')), raised: enc(JSON.stringify(name + '() raised')),
});

const RUNNING = 1, SUSPENDED = 2, PAUSED = 3, ENDED = 4;
// What an await waits on; decides the resume cause when no settle context was seen.
const W_VALUE = 0, W_TASK = 1, W_TIMER = 2, W_IMMEDIATE = 3, W_IO = 4, W_COMBO = 5, W_PROMISE = 6, W_CONSUMER = 7;
/** A timer with an AbortSignal (timers/promises): it resumes when the timer fires, or when abort() is called. */
const W_ABORTABLE_TIMER = 8;

interface SiteInfo {
  json: Json;        // {"file":..,"line":..,"col":..}
  jsonB: Bytes;
  nameB: Bytes;
  labels: Labels | null;
  frame: Json;       // {"fn":..,"file":..,"line":..,"col":..}
  frameB: Bytes | null; // frame as bytes, made on first use in a stack
  /**
   * The last suspend record tails (`,"where":W}`) at this await site: without a stack, and with the
   * last stack; each names a where record holding the site, stack and awaiting, written once.
   */
  tail0B: Bytes | null;
  tail0Awaiting: Bytes | null;
  tailB: Bytes | null;
  tailAwaiting: Bytes | null;
  tailKey: SiteInfo[];
  name: string;      // enclosing function (await sites) or the function's own name (def sites)
  nameJson: Json;
  file: string;
  line: number;
  col: number;
}

/** What a tagged promise is. `json` is made on first use when `label` is set (fs calls: most are never awaited by a user's task). */
interface Tag { kind: number; json: Bytes | null; cause: Bytes; label?: string; op?: string; signal?: { aborted?: boolean } }
interface Combo { how: string; members: unknown[] }

class Task {
  state = RUNNING;
  prev: Task | null = null;
  /** What it awaits now. */
  waitKind = W_VALUE;
  waitSite = -1;
  waitStart = 0;
  waitTask: Task | null = null;
  waitCombo: Combo | null = null;
  waitCause: Bytes | null = null;
  /** The AbortSignal of an abortable timer it awaits. */
  waitSignal: { aborted?: boolean } | null = null;
  /** The pending promise registered in `waiting` for this await, dropped when it resumes. */
  waitPromise: object | null = null;
  /** Set by the settle hook: who settled the promise it awaits. */
  settleCause: Bytes | null = null;
  /** Set by the settle hook when a running task settled it. */
  settleTask: Task | null = null;
  awaitedBy: Task | null = null;
  endT = -1;
  raised: string | null = null;
  /** Step accounting for blocking warnings. */
  stepStart = 0;
  stepBeginSite = -1;
  selfNs = 0;
  callSite: Json = 'null';
  /** When its running step began, while that step's resume is not written yet (-1: written). */
  pendingTs = -1;
  /** Why that step runs: constant bytes, or null for "task pendingCauseTask (pendingCauseLabel)". */
  pendingCause: Bytes | null = null;
  pendingCauseTask: Task | null = null;
  pendingCauseLabel: Bytes = B.settled;
  constructor(readonly id: number, readonly name: string, readonly def: number, readonly labels: Labels) {}
}

/** JSON string pieces naming a function in causes and awaiting labels, made once per function. */
interface Labels { call: Bytes; returned: Bytes; raised: Bytes }

export interface RuntimeOptions {
  tracePath: string;
  blockingMs: number;
  program: string;
  tracerDir: string;
}

export function startRuntime(opts: RuntimeOptions): void {
  const fd = openSync(opts.tracePath, 'w');
  const t0 = performance.now();
  const now = (): number => Math.round((performance.now() - t0) * 1e6);
  const blockingNs = Math.max(1, opts.blockingMs) * 1e6;

  // ---- writer: records go into a 256 KB buffer; a full buffer is written by libuv's thread pool at
  // its own file offset (writing 16 MB synchronously cost the main thread ~200 ms here), and
  // everything still in memory or in flight is written synchronously at exit, on signals and on
  // uncaught exceptions, so a crash keeps every event written so far.
  const SIZE = 1 << 18;
  let out: Buffer = Buffer.allocUnsafe(SIZE);
  let pos = 0;
  let filePos = 0;
  let closed = false;
  interface Pending { buf: Buffer; len: number; at: number }
  const inflight = new Set<Pending>();
  const spare: Buffer[] = [];
  const flush = (): void => {
    if (pos === 0 || closed) return;
    const job: Pending = { buf: out, len: pos, at: filePos };
    filePos += pos;
    out = spare.pop() ?? Buffer.allocUnsafe(SIZE);
    pos = 0;
    inflight.add(job);
    write(fd, job.buf, 0, job.len, job.at, () => {
      inflight.delete(job);
      if (spare.length < 4) spare.push(job.buf);
    });
  };
  const flushSync = (): void => {
    if (closed) return;
    if (outStream !== 0) flushOutput();
    try {
      for (const job of inflight) writeSync(fd, job.buf, 0, job.len, job.at); // idempotent: same bytes, same place
      inflight.clear();
      if (pos > 0) { writeSync(fd, out, 0, pos, filePos); filePos += pos; pos = 0; }
    } catch { /* disk full or closed: nothing sensible to do */ }
  };
  // Program output waiting for the rest of its line (see patchWrite): one record per line, task and
  // stream. Written before any other record (records stay in time order: it has the first write's
  // time), when a write ends a line, and by the flush timer.
  let outStream = 0; // 0: nothing pending; 1: stdout; 2: stderr
  let outTask: Task | null = null;
  let outT = 0;
  let outText = '';
  function flushOutput(): void {
    const stream = outStream;
    if (stream === 0) return;
    outStream = 0;
    const text = outText;
    outText = '';
    const task = outTask;
    outTask = null;
    emitLine(`{"type":"output","t":${outT},"task":${task ? task.id : 'null'},"stream":"${stream === 1 ? 'stdout' : 'stderr'}","text":${JSON.stringify(text)}}`);
  }
  const emit = (line: string): void => {
    if (outStream !== 0) flushOutput();
    emitLine(line);
  };
  function emitLine(line: string): void {
    if (closed) return;
    if (pos + line.length * 3 + 1 > out.length) {
      flush();
      if (line.length * 3 + 1 > out.length) {
        const bytes = Buffer.from(line + '\n', 'utf8');
        try { writeSync(fd, bytes, 0, bytes.length, filePos); filePos += bytes.length; } catch { /* as above */ }
        return;
      }
    }
    pos += (out as unknown as { utf8Write(s: string, at: number): number }).utf8Write(line, pos);
    out[pos++] = 10;
  }
  // Hot records are written as pieces: pre-encoded bytes and integers, no string building.
  const put = (bytes: Uint8Array): void => {
    const n = bytes.length;
    if (pos + n + 64 > out.length) {
      flush();
      if (n + 64 > out.length) { emitLine(Buffer.from(bytes).toString('utf8').replace(/\n$/, '')); return; }
    }
    if (n <= 16) { for (let i = 0; i < n; i++) out[pos + i] = bytes[i]; } else out.set(bytes, pos);
    pos += n;
  };
  /** 0 <= n < 2^31, in decimal, with int32 arithmetic. */
  const putSmall = (n: number): void => {
    const len = n < 10 ? 1 : n < 100 ? 2 : n < 1000 ? 3 : n < 1e4 ? 4 : n < 1e5 ? 5 : n < 1e6 ? 6 : n < 1e7 ? 7 : n < 1e8 ? 8 : n < 1e9 ? 9 : 10;
    let p = pos + len;
    pos = p;
    while (n >= 10) { const q = (n / 10) | 0; out[--p] = 48 + n - q * 10; n = q; }
    out[--p] = 48 + n;
  };
  /** A non-negative integer (ids, ns times) in decimal. */
  const putInt = (n: number): void => {
    if (pos + 24 > out.length) flush();
    if (n < 2147483648) { putSmall(n); return; }
    const hi = Math.floor(n / 1e9);
    let lo = n - hi * 1e9;
    putSmall(hi);
    let p = pos + 9;
    pos = p;
    for (let i = 0; i < 9; i++) { const q = (lo / 10) | 0; out[--p] = 48 + lo - q * 10; lo = q; }
  };
  // `{"type":"suspend","task":N,"t":` and the like, in three pieces: a head made once per task
  // (Buffer.concat) cost more than it saved, most tasks writing a few dozen records at most.
  function putSuspendHead(t: Task): void {
    if (outStream !== 0) flushOutput();
    put(B.suspend); putInt(t.id); put(B.t);
  }
  function putResumeHead(t: Task): void {
    if (outStream !== 0) flushOutput();
    put(B.resume); putInt(t.id); put(B.t);
  }
  function putStepHead(t: Task): void {
    if (outStream !== 0) flushOutput();
    put(B.step); putInt(t.id); put(B.t);
  }
  /** {"kind":"task","task":N,"label":L} */
  const putTaskCause = (task: Task, label: Bytes): void => {
    put(B.causeTask); putInt(task.id); put(B.label); put(label); put(B.closeObj);
  };
  // Heartbeat for the blocking watchdog (watchdog.ts), in shared memory: [0] an odd number while a
  // stretch of synchronous code runs (module code at start, then each task stretch), a new number at
  // each change, one plain store per stretch boundary; [1] a tick this timer counts while the loop
  // turns, which tells the watchdog when code outside traced async functions (a callback, a request
  // handler) holds the loop. The same timer writes the trace out every ~200 ms, and finds such
  // callbacks that held the loop (checkCallbackBlock).
  const heartbeat = new Int32Array(new SharedArrayBuffer(8));
  const tickMs = Math.max(5, Math.min(50, Math.round(opts.blockingMs / 5)));
  let sinceFlush = 0;
  const flushTimer = setInterval(() => {
    heartbeat[1] = (heartbeat[1] + 1) | 0;
    checkCallbackBlock();
    if ((sinceFlush += tickMs) >= 200) {
      sinceFlush = 0;
      if (outStream !== 0) flushOutput();
      flush();
    }
  }, tickMs);
  flushTimer.unref();

  emit(JSON.stringify({
    type: 'header', format: 'awaitlens', version: 1, runtime: 'node', runtimeVersion: process.versions.node,
    program: opts.program, argv: process.argv.slice(1), cwd: process.cwd(), pid: process.pid,
    startedAt: Date.now(), blockingThreshold: blockingNs, tracer: 'awaitlens-node 0.1.0',
  }));

  // ---- sites: registered per instrumented module, addressed by global id.
  const sites: SiteInfo[] = [];
  function registerModule(fileOrUrl: string, table: (number | string)[]): number {
    moduleIds.push(fileOrUrl);
    const file = fileOrUrl.startsWith('file:') ? fileURLToPath(fileOrUrl) : fileOrUrl;
    if (watchdogPort) startWatchdogThread(); // user code runs and no loader thread took the watchdog
    const base = sites.length;
    if (userCodeStart < 0 && current === null) userCodeStart = now();
    moduleCodeStarts();
    const fileJson = JSON.stringify(file);
    for (let i = 0; i < table.length; i += 3) {
      const line = table[i] as number, col = table[i + 1] as number, name = table[i + 2] as string;
      const pos = `"file":${fileJson},"line":${line},"col":${col}`;
      const nameJson = JSON.stringify(name);
      const json = `{${pos}}`;
      sites.push({ json, jsonB: enc(json), nameB: enc(nameJson), labels: null, frame: `{"fn":${nameJson},${pos}}`, frameB: null, tail0B: null, tail0Awaiting: null, tailB: null, tailAwaiting: null, tailKey: [], name, nameJson, file, line, col });
    }
    return base;
  }

  // ---- call sites: instrumented calls store their site id in `probes.c` after their arguments
  // are evaluated, just before the call (see instrument.ts). An async function reads it on entry.
  // (A V8 stack capture per call costs 10-15 µs on this machine: far too slow for 10k calls.)
  const probes = { c: -1 } as { c: number } & Record<string, unknown>;
  const takeCallSite = (): SiteInfo | undefined => {
    const id = probes.c;
    probes.c = -1;
    return id >= 0 ? sites[id] : undefined;
  };

  // ---- tasks and the running stack.
  let taskSeq = 0;
  let current: Task | null = null;
  const live = new Set<Task>();
  const taskOfPromise = new WeakMap<object, Task>();
  // Tagged promises (timers, fs, events.once) sit in a small ring rather than a WeakMap: the
  // usual `await setImmediate()` awaits the promise just made, and ephemeron tables cost the GC
  // dearly at 100k promises (measured: the WeakMap doubled the storm's GC time).
  const RING = 32;
  const ringPromises: (object | null)[] = new Array(RING).fill(null);
  const ringTags: (Tag | null)[] = new Array(RING).fill(null);
  let ringNext = 0;
  // (indexOf, one builtin call, rather than a loop of our own: most awaited promises are not in the
  // ring, and a miss went over all 32 entries, slowly while the probes still ran unoptimized. A
  // promise is in the ring at most once: it is tagged when made.)
  const tagOf = (p: object): Tag | null => {
    const k = ringPromises.indexOf(p);
    return k >= 0 ? ringTags[k] : null;
  };
  const combos = new WeakMap<object, Combo>();
  /** Pending native promises some task awaits, for the settle hook. */
  const waiting = new Map<object, Task | Task[]>();
  let lastInitPromise: object | null = null;

  // The watchdog samples the stretches that run long (heartbeat: see the flush timer above).
  let beat = 0;
  const openBeat = (): number => { beat = (beat + 1) | 1; heartbeat[0] = beat; return beat; };
  const closeBeat = (): void => { beat = (beat + 1) & ~1; heartbeat[0] = beat; };
  // The watchdog runs on the ES module loader thread when register.mjs hands it there (no thread to
  // start); otherwise, when the first user module runs, on a worker of its own.
  let samples: MessagePort | null = null;
  let watchdogPort: MessagePort | null = null;
  try {
    const { port1, port2 } = new MessageChannel();
    port1.unref();
    samples = port1;
    watchdogPort = port2;
  } catch { /* no worker threads: blocking warnings name where the stretch began and ended only */ }
  const watchdogData = (port: MessagePort) => ({ heartbeat, port, thresholdMs: blockingNs / 1e6, tracerDir: opts.tracerDir, tickMs });
  /** For register.mjs: the watchdog's settings and the port to transfer, once. */
  function watchdogForHooks(): { data: ReturnType<typeof watchdogData>; transferList: MessagePort[] } | null {
    const port = watchdogPort;
    watchdogPort = null;
    return port ? { data: watchdogData(port), transferList: [port] } : null;
  }
  function startWatchdogThread(): void {
    const port = watchdogPort;
    watchdogPort = null;
    if (!port) return;
    try {
      const watchdog = new Worker(join(opts.tracerDir, 'watchdog.js'), {
        workerData: watchdogData(port), transferList: [port],
        execArgv: [], stdout: true, stderr: true, resourceLimits: { maxOldGenerationSizeMb: 64 },
      });
      watchdog.unref();
      watchdog.on('error', () => undefined);
    } catch { /* no worker: no hotspots */ }
  }
  // Module code: from the first user module's start until the loop first turns after it (a program
  // that then waits, with no async function running, is idle, not blocking, and is not sampled).
  let moduleBeat = -1;
  let stretchBeat = -1;
  function moduleCodeStarts(): void {
    if (moduleBeat >= 0) return;
    moduleBeat = stretchBeat = current === null && (beat & 1) === 0 ? openBeat() : beat;
    try { setImmediate(() => { if (beat === moduleBeat) closeBeat(); }).unref(); } catch { /* stays open until a task runs */ }
  }

  // A sample's column is in the instrumented code (probes move columns, never lines): name the
  // line by where its code starts in the file the user wrote. Read only for blocking warnings.
  const sourceLines = new Map<string, string[] | null>();
  function codeColumn(file: string, line: number): number {
    let lines = sourceLines.get(file);
    if (lines === undefined) {
      try { lines = readFileSync(file, 'utf8').split('\n'); } catch { lines = null; }
      if (sourceLines.size < 50) sourceLines.set(file, lines);
    }
    const text = lines?.[line - 1];
    return text ? (text.search(/\S/) + 1 || 1) : 1;
  }

  /**
   * ,"hotspots":[...] from the watchdog's samples of stretch `seq` (or `seq2`: the time between
   * stretches, whose number is even), most samples first, or ''; `site` the most sampled line.
   */
  function hotspotsOf(seq: number, seq2 = seq): { json: string; top: string; site: string | null } {
    if (!samples) return { json: '', top: '', site: null };
    const counts = new Map<string, { site: string; where: string; n: number }>();
    for (let m = receiveMessageOnPort(samples); m; m = receiveMessageOnPort(samples)) {
      const s = m.message as { seq: number; file: string; line: number; col: number };
      if (s.seq !== seq && s.seq !== seq2) continue;
      const key = `${s.file}:${s.line}`;
      const c = counts.get(key);
      if (c) c.n++;
      else counts.set(key, { site: `{"file":${JSON.stringify(s.file)},"line":${s.line},"col":${codeColumn(s.file, s.line)}}`, where: `${s.file.split(/[\\/]/).pop()}:${s.line}`, n: 1 });
    }
    if (counts.size === 0) return { json: '', top: '', site: null };
    const ranked = [...counts.values()].sort((a, b) => b.n - a.n).slice(0, 5);
    return { json: `,"hotspots":[${ranked.map((c) => `{"site":${c.site},"samples":${c.n}}`).join(',')}]`, top: `; most time at ${ranked[0].where}`, site: ranked[0].site };
  }

  // Stretches: from the moment a task takes the loop until no task runs; blocking warnings.
  let stretchStart = -1;
  let stretchMaxSelf = 0;
  let stretchMaxTask: Task | null = null;
  let stretchMaxBegin = -1;
  let stretchMaxEnd = -1;
  let lastStretchEnd = 0;
  let lastIdleMs = 0;
  /** When the last output record was written (idle records must not start before it). */
  let lastOutputT = 0;
  let firstStretch = true;
  /** When the first instrumented module started running (the tracer's own start-up is not the program's). */
  let userCodeStart = -1;

  const idleTime = (): number => {
    try { return (performance as unknown as { nodeTiming: { idleTime: number } }).nodeTiming.idleTime || 0; } catch { return 0; }
  };

  /**
   * The loop's idle time since the last look, as an idle record ending at `ts` (Node says how long,
   * not when: it is placed just before `ts`, after the last stretch and the last output).
   */
  let gapIdleNs = 0;
  function writeIdle(ts: number): void {
    const idleMs = idleTime();
    let idleNs = Math.round((idleMs - lastIdleMs) * 1e6);
    lastIdleMs = idleMs;
    const room = ts - Math.max(lastStretchEnd, lastOutputT);
    if (idleNs > room) idleNs = room;
    if (idleNs <= 0) return;
    gapIdleNs += idleNs;
    if (idleNs >= 20_000) emit(`{"type":"idle","t":${ts - idleNs},"dur":${idleNs}}`);
  }

  // Code outside traced async functions that holds the loop in a long gap between stretches (a
  // timer or request handler while the async functions all wait): the flush timer, due every
  // tickMs, takes the loop's busy time between two of its ticks (wall time less libuv's idle
  // time). Over the threshold with no stretch in between, a callback held the loop that long.
  // What it reports, beginStretch leaves out of the gap's busy time.
  let tickT = -1;
  let tickIdleMs = 0;
  let stretchesSinceTick = 0;
  let gapReportedNs = 0;
  function checkCallbackBlock(): void {
    const ts = now();
    const idleMs = idleTime();
    const lastT = tickT, lastIdleMs = tickIdleMs, stretches = stretchesSinceTick;
    tickT = ts;
    tickIdleMs = idleMs;
    stretchesSinceTick = 0;
    // (The first tick only starts the count: before it ran the module code, which beginStretch reports.)
    if (lastT < 0 || stretches > 0 || current !== null || closed) return;
    const busy = ts - lastT - Math.round((idleMs - lastIdleMs) * 1e6);
    if (busy <= blockingNs) return;
    gapReportedNs += busy;
    const hot = hotspotsOf(beat);
    emit(`{"type":"warning","kind":"blocking","t":${ts - busy},"task":null,"dur":${busy},"site":${hot.site ?? 'null'}${hot.json},"message":${JSON.stringify(`the event loop was held ${fmtMs(busy)} by code outside traced async functions (callbacks, libraries)${hot.top}`)}}`);
  }

  function beginStretch(ts: number): void {
    stretchesSinceTick++;
    const gap = ts - lastStretchEnd;
    const reported = gapReportedNs;
    gapReportedNs = 0;
    if (gap > 50_000 || firstStretch) {
      writeIdle(ts);
      const idleNs = gapIdleNs;
      const busy = (firstStretch ? (userCodeStart >= 0 ? ts - userCodeStart - Math.max(0, idleNs) : 0) : gap - Math.max(0, idleNs)) - reported;
      if (busy > blockingNs && (firstStretch || busy > (gap - reported) / 2)) {
        const what = firstStretch ? 'module code before the first async function ran' : 'code outside traced async functions (callbacks, libraries, module code)';
        // Samples: of the module code, and (beat is even then) of callbacks that held the loop
        // since the last stretch, which the watchdog sees by the flush timer's tick standing still.
        const hot = firstStretch ? hotspotsOf(moduleBeat, beat) : hotspotsOf(beat);
        const site = firstStretch ? programSite ?? 'null' : hot.site ?? 'null';
        emit(`{"type":"warning","kind":"blocking","t":${firstStretch ? userCodeStart : lastStretchEnd},"task":null,"dur":${busy},"site":${site}${hot.json},"message":${JSON.stringify(`the event loop was held ${fmtMs(busy)} by ${what}${hot.top}`)}}`);
      }
    }
    firstStretch = false;
    gapIdleNs = 0;
    stretchBeat = openBeat();
    stretchStart = ts;
    stretchMaxSelf = -1;
    stretchMaxTask = null;
  }

  function endStretch(ts: number): void {
    probes.c = -1; // a call site left by this stretch must not name a later, unrelated call
    const dur = ts - stretchStart;
    lastStretchEnd = ts;
    stretchStart = -1;
    closeBeat();
    if (dur > blockingNs && stretchMaxTask) {
      const t = stretchMaxTask;
      const from = stretchMaxBegin >= 0 ? sites[stretchMaxBegin] : null;
      const to = stretchMaxEnd >= 0 ? sites[stretchMaxEnd] : null;
      const where = from ? ` from ${shortSite(from)}${to ? ` to ${shortSite(to)}` : ' to its end'}` : '';
      const hot = hotspotsOf(stretchBeat);
      emit(`{"type":"warning","kind":"blocking","t":${ts - dur},"task":${t.id},"dur":${dur},"site":${from ? from.json : 'null'},"endSite":${to ? to.json : 'null'},"selfDur":${stretchMaxSelf}${hot.json},"message":${JSON.stringify(`${t.name} held the event loop ${fmtMs(dur)} without awaiting${where}${hot.top}`)}}`);
    }
  }

  const shortSite = (s: SiteInfo): string => `${s.file.split(/[\\/]/).pop()}:${s.line}`;
  const fmtMs = (ns: number): string => `${(ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1)} ms`;
  const programSite = opts.program ? `{"file":${JSON.stringify(opts.program)},"line":1,"col":1}` : null;

  /** Ends the running step of `t` at `ts` (self time accounting). */
  function closeStep(t: Task, ts: number, endSite: number): void {
    const self = t.selfNs + (ts - t.stepStart);
    t.selfNs = 0;
    if (self > stretchMaxSelf) {
      stretchMaxSelf = self;
      stretchMaxTask = t;
      stretchMaxBegin = t.stepBeginSite;
      stretchMaxEnd = endSite;
    }
  }

  /** `t` takes the loop; whatever ran is paused beneath it (a synchronous call). */
  // A cause is either constant bytes or, when `cause` is null, "task causeTask (causeLabel)".
  let causeTask: Task | null = null;
  let causeLabel: Bytes = B.settled;
  function push(t: Task, ts: number, cause: Bytes | null, pauseSite: Bytes, beginSite: number, stretchBegun = false): void {
    const under = current;
    if (under) {
      under.selfNs += ts - under.stepStart;
      under.state = PAUSED;
      putResume(under);
      putSuspendHead(under); putInt(ts); put(B.site); put(pauseSite); put(B.stackEmpty); put(B.awaiting);
      put(B.awaitTask); put(t.labels.call); put(B.taskField); putInt(t.id); put(B.callClose); put(B.closeLine);
    } else if (!stretchBegun) {
      beginStretch(ts);
    }
    t.prev = under;
    t.state = RUNNING;
    t.stepStart = ts;
    t.stepBeginSite = beginSite;
    current = t;
    pend(t, ts, cause, causeTask, causeLabel);
  }

  /** t runs from ts for `cause` (null: task causeBy, label): its resume waits for the step's end. */
  function pend(t: Task, ts: number, cause: Bytes | null, causeBy: Task | null, label: Bytes): void {
    t.pendingTs = ts;
    t.pendingCause = cause;
    if (cause === null) { t.pendingCauseTask = causeBy; t.pendingCauseLabel = label; }
  }

  /** Writes the resume of t's running step, unless it is written already. */
  function putResume(t: Task): void {
    if (t.pendingTs < 0) return;
    putResumeHead(t); putInt(t.pendingTs);
    t.pendingTs = -1;
    const cause = t.pendingCause;
    if (cause !== null) put(causeTail(cause));
    else { put(B.cause); putPendingTaskCause(t); put(B.closeLine); }
  }
  function putPendingTaskCause(t: Task): void {
    if (t.pendingCauseTask !== null) putTaskCause(t.pendingCauseTask, t.pendingCauseLabel); else put(UNKNOWN_CAUSE);
    t.pendingCauseTask = null;
  }
  /** Step records leave the commonest cause, yield, out: `,"cause":C` per cause, empty for yield. */
  const stepCauses = new Map<Bytes, Bytes>();
  function stepCause(cause: Bytes): Bytes {
    let field = stepCauses.get(cause);
    if (field === undefined) {
      field = Buffer.compare(cause, YIELD_CAUSE) === 0 ? new Uint8Array(0) : Buffer.concat([B.cause, cause]);
      if (stepCauses.size < 2000) stepCauses.set(cause, field);
    }
    return field;
  }

  // Resume record tails made once and written in one copy: `,"cause":C}\n` per cause.
  const causeTails = new Map<Bytes, Bytes>();
  function causeTail(cause: Bytes): Bytes {
    let tail = causeTails.get(cause);
    if (tail === undefined) {
      tail = Buffer.concat([B.cause, cause, B.closeLine]);
      if (causeTails.size < 2000) causeTails.set(cause, tail); // causes are a small fixed set, combinators aside
    }
    return tail;
  }

  /** `t` gives the loop back to the task beneath it, if any. */
  const HAND_BACK = [B.suspended, B.returnedLabel, B.raisedLabel];
  function pop(t: Task, ts: number, endSite: number, how: 0 | 1 | 2): void {
    closeStep(t, ts, endSite);
    const under = t.prev;
    t.prev = null;
    current = under;
    if (under) {
      under.state = RUNNING;
      under.stepStart = ts;
      pend(under, ts, null, t, HAND_BACK[how]);
    } else {
      endStretch(ts);
    }
  }

  // ---- probes ----

  /** An async function (or async generator body) starts. */
  function enter(siteId: number, generator?: number): Task {
    const ts = now();
    if (current === null) beginStretch(ts); // before the task record: records stay in time order
    const site = sites[siteId];
    const t = new Task(++taskSeq, site ? site.name : '<anonymous>', siteId, site ? site.labels ??= labelsFor(site.name) : ANON_LABELS);
    if (!generator && lastInitPromise) taskOfPromise.set(lastInitPromise, t);
    lastInitPromise = null;
    live.add(t);
    const parent = current;
    const callSite = takeCallSite();
    const call = callSite ? callSite.jsonB : B.null;
    t.callSite = callSite ? callSite.json : 'null';
    const nameB = site ? site.nameB : ANON_B;
    if (parent !== null) putResume(parent); // (records stay in time order: its resume came first)
    if (outStream !== 0) flushOutput();
    put(B.task); putInt(t.id); put(B.name); put(nameB); put(B.coro); put(nameB); put(B.parent);
    if (parent) putInt(parent.id); else put(B.null);
    put(B.t); putInt(ts); put(B.site); put(call); put(B.def); put(site ? site.jsonB : B.null); put(B.kindCall);
    push(t, ts, B.start, call, siteId, true);
    return t;
  }

  /** Top-level await in an ES module: the module body becomes a task. */
  function moduleTask(siteId: number): Task {
    const ts = now();
    if (current === null) beginStretch(ts);
    const site = sites[siteId];
    const t = new Task(++taskSeq, site ? site.name : '<module>', siteId, site ? site.labels ??= labelsFor(site.name) : ANON_LABELS);
    live.add(t);
    const parent = current;
    if (parent !== null) putResume(parent);
    const nameJson = JSON.stringify(t.name);
    emit(`{"type":"task","task":${t.id},"name":${nameJson},"coro":${nameJson},"parent":${parent ? parent.id : 'null'},"t":${ts},"site":${site ? site.json : 'null'},"def":${site ? site.json : 'null'},"kind":"call"}`);
    push(t, ts, B.start, site ? site.jsonB : B.null, siteId, true);
    return t;
  }

  /** Before an await: the task suspends on `value`. Returns it untouched. */
  function beforeAwait(value: unknown, siteId: number, t: Task | undefined): unknown {
    if (!t || t.state !== RUNNING) return value;
    const ts = now();
    const awaiting = classify(value, t);
    suspend(t, ts, siteId, awaiting);
    return value;
  }

  function suspend(t: Task, ts: number, siteId: number, awaiting: Bytes | null): void {
    const site = sites[siteId];
    t.state = SUSPENDED;
    t.waitSite = siteId;
    t.waitStart = ts;
    t.settleCause = null;
    t.settleTask = null;
    const n = site ? stackChain(t, site) : 0;
    // Made (and its where record written) before this record begins.
    const tail = site && awaiting !== null ? suspendTail(site, n, awaiting) : null;
    if (tail !== null && t.pendingTs >= 0) {
      putStepHead(t); putInt(t.pendingTs); put(B.d); putInt(ts - t.pendingTs);
      t.pendingTs = -1;
      if (t.pendingCause !== null) put(stepCause(t.pendingCause));
      else { put(B.cause); putPendingTaskCause(t); }
      put(tail);
      pop(t, ts, siteId, 0);
      return;
    }
    putResume(t);
    putSuspendHead(t); putInt(ts);
    if (tail !== null) put(tail);
    else {
      put(B.site); put(site ? site.jsonB : B.null);
      putStack(n);
      put(B.awaiting);
      if (awaiting !== null) put(awaiting);
      else { const w = t.waitTask!; put(B.awaitTask); put(w.labels.call); put(B.taskField); putInt(w.id); put(B.closeObj); }
      put(B.closeLine);
    }
    pop(t, ts, siteId, 0);
  }

  /**
   * The chain of tasks awaiting each other down to this await, innermost first, into `chain`;
   * its length, 0 when it is just the site (written as "stack":[]).
   */
  const chain: SiteInfo[] = [];
  function stackChain(t: Task, site: SiteInfo): number {
    let up = t.awaitedBy;
    if (!up || up.state !== SUSPENDED || up.waitTask === null) return 0;
    let n = 0;
    chain[n++] = site;
    for (let depth = 0; up && depth < 16; depth++) {
      if (up.state !== SUSPENDED || up.waitTask === null) break;
      const s = sites[up.waitSite];
      if (!s) break;
      chain[n++] = s;
      up = up.awaitedBy;
    }
    return n;
  }
  /** ,"stack":[...] from pre-encoded frames, outermost first. */
  function putStack(n: number): void {
    if (n === 0) { put(B.stackEmpty); return; }
    put(B.stack); put(B.openList);
    for (let i = n - 1; i >= 0; i--) {
      const s = chain[i];
      put(s.frameB ??= enc(s.frame));
      if (i > 0) put(B.comma);
    }
    put(B.closeList);
  }
  // Suspends name their await place by a where record (see WhereRecord in src/trace/format.ts): a
  // suspend is ~60 bytes instead of ~200, which the trace reader expands back into the full record.
  let whereSeq = 0;
  /** Writes a where record for the site, the stack in `chain` and `awaiting`; the suspend tail naming it. */
  function newWhere(site: SiteInfo, n: number, awaiting: Bytes): Bytes {
    const id = ++whereSeq;
    if (outStream !== 0) flushOutput();
    put(B.whereHead); putInt(id); put(B.site); put(site.jsonB); putStack(n); put(B.awaiting); put(awaiting); put(B.closeLine);
    return Buffer.concat([B.whereRef, enc(String(id)), B.closeLine]);
  }
  function suspendTail(site: SiteInfo, n: number, awaiting: Bytes): Bytes {
    // Two entries: without a stack (a call's first await, before its caller awaits it) and with one.
    if (n === 0) {
      if (site.tail0B === null || site.tail0Awaiting !== awaiting) {
        site.tail0B = newWhere(site, 0, awaiting);
        site.tail0Awaiting = awaiting;
      }
      return site.tail0B;
    }
    const key = site.tailKey;
    if (site.tailB !== null && site.tailAwaiting === awaiting && key.length === n) {
      let same = true;
      for (let i = 1; i < n; i++) if (key[i] !== chain[i]) { same = false; break; }
      if (same) return site.tailB;
    }
    site.tailB = newWhere(site, n, awaiting);
    site.tailAwaiting = awaiting;
    site.tailKey = chain.slice(0, n);
    return site.tailB;
  }

  /** After an await returned normally. */
  function afterAwait(value: unknown, t: Task | undefined): unknown {
    if (t && t.state === SUSPENDED) resume(t, now());
    return value;
  }

  /** Where a suspended task continues without afterAwait: catch/finally blocks, for-await bodies. */
  function reenter(t: Task | undefined): void {
    if (t && t.state === SUSPENDED) resume(t, now());
  }

  function resume(t: Task, ts: number): void {
    const cause = resumeCause(t);
    if (t.waitPromise !== null) unwatch(t);
    t.waitTask = null;
    t.waitCombo = null;
    t.settleCause = null;
    t.settleTask = null;
    push(t, ts, cause, t.waitSite >= 0 && sites[t.waitSite] ? sites[t.waitSite].jsonB : B.null, t.waitSite);
  }

  /** The async function raised. */
  function raised(t: Task | undefined, err: unknown): void {
    if (!t || t.state === ENDED) return;
    if (t.state === SUSPENDED) resume(t, now());
    t.raised = errorText(err);
  }

  /** The async function finished (returned, or after raised()). */
  function finish(t: Task | undefined): void {
    if (!t || t.state === ENDED) return;
    const ts = now();
    if (t.state === SUSPENDED) resume(t, ts);
    t.state = ENDED;
    t.endT = ts;
    live.delete(t);
    putResume(t);
    if (t.raised !== null) emit(`{"type":"end","task":${t.id},"t":${ts},"outcome":"raised","error":${JSON.stringify(t.raised)}}`);
    else { if (outStream !== 0) flushOutput(); put(B.end); putInt(t.id); put(B.t); putInt(ts); put(B.returned); }
    if (current === t) pop(t, ts, -1, t.raised !== null ? 2 : 1);
  }

  /** `yield` in an async generator: it waits for its consumer's next next(). */
  function beforeYield(value: unknown, siteId: number, t: Task | undefined): unknown {
    if (!t || t.state !== RUNNING) return value;
    t.waitKind = W_CONSUMER;
    suspend(t, now(), siteId, YIELD_AWAITING);
    return value;
  }

  function afterYield(value: unknown, t: Task | undefined): unknown {
    if (t && t.state === SUSPENDED) {
      const ts = now();
      const consumer = current;
      causeTask = consumer;
      causeLabel = B.nextLabel;
      push(t, ts, consumer ? null : NEXT_CALLBACK, B.null, t.waitSite);
    }
    return value;
  }

  /** for await: wraps the iterable so each next() is recorded as a suspension at the loop. */
  function forAwait(iterable: unknown, siteId: number, t: Task | undefined): unknown {
    if (!t || iterable == null) return iterable;
    const getIterator = (iterable as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> })[Symbol.asyncIterator];
    if (typeof getIterator !== 'function') return iterable;
    const isStream = typeof (iterable as { pipe?: unknown }).pipe === 'function';
    return {
      [Symbol.asyncIterator]() {
        const it = getIterator.call(iterable);
        const wrapped: AsyncIterator<unknown> = {
          next(value?: unknown) {
            // for await calls next() with no argument; keep the call shape without spreading.
            const p = arguments.length ? it.next(value) : it.next();
            if (t.state === RUNNING && current === t) {
              const ts = now();
              let awaiting: Bytes | null;
              if (isStream) {
                t.waitKind = W_IO;
                t.waitCause = STREAM_CAUSE;
                awaiting = STREAM_AWAITING;
              } else {
                awaiting = classify(p, t);
                if (t.waitKind === W_PROMISE) awaiting = NEXT_AWAITING;
              }
              suspend(t, ts, siteId, awaiting);
            }
            return p;
          },
        };
        if (typeof it.return === 'function') wrapped.return = (...args: [] | [unknown]) => it.return!(...args);
        if (typeof it.throw === 'function') wrapped.throw = (...args: [] | [unknown]) => it.throw!(...args);
        return wrapped;
      },
    };
  }

  /** What the awaited value is, as an `awaiting` JSON; notes how to explain the resume. */
  /** Null: awaiting the task in t.waitTask (written in pieces). */
  function classify(value: unknown, t: Task): Bytes | null {
    t.waitTask = null;
    t.waitSignal = null;
    t.waitCombo = null;
    t.waitCause = null;
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) {
      t.waitKind = W_VALUE;
      return VALUE_AWAITING;
    }
    const obj = value as object;
    const task = taskOfPromise.get(obj);
    if (task) {
      t.waitKind = W_TASK;
      t.waitTask = task;
      if (task.state !== ENDED) task.awaitedBy = t;
      return null;
    }
    const tag = tagOf(obj);
    if (tag) {
      t.waitKind = tag.kind;
      t.waitCause = tag.cause;
      if (tag.kind === W_IO) watch(obj, t);
      else if (tag.kind === W_ABORTABLE_TIMER) t.waitSignal = tag.signal ?? null;
      return tag.json ??= enc(`{"kind":"io","label":${JSON.stringify(tag.label ?? '')},"op":${JSON.stringify(tag.op ?? '')}}`);
    }
    const combo = combos.get(obj);
    if (combo) {
      t.waitKind = W_COMBO;
      t.waitCombo = combo;
      watch(obj, t);
      const ids: number[] = [];
      for (const m of combo.members) {
        const mt = m !== null && typeof m === 'object' ? taskOfPromise.get(m) : undefined;
        if (mt) { ids.push(mt.id); if (mt.state !== ENDED && !mt.awaitedBy) mt.awaitedBy = t; }
      }
      const n = combo.members.length;
      const what = ids.length === n ? `${n} task${n === 1 ? '' : 's'}` : `${n} promise${n === 1 ? '' : 's'}`;
      return enc(`{"kind":"tasks","label":${JSON.stringify(`Promise.${combo.how}(${what})`)},"tasks":[${ids.join(',')}],"how":"${combo.how}"}`);
    }
    t.waitKind = W_PROMISE;
    if (value instanceof Promise) {
      watch(obj, t);
      return PROMISE_AWAITING;
    }
    return THENABLE_AWAITING;
  }

  function watch(p: object, t: Task): void {
    t.waitPromise = p;
    const w = waiting.get(p);
    if (!w) waiting.set(p, t);
    else if (Array.isArray(w)) w.push(t);
    else waiting.set(p, [w, t]);
  }

  /** An awaited promise that was already settled never reaches the settle hook: drop it at the resume. */
  function unwatch(t: Task): void {
    const p = t.waitPromise!;
    t.waitPromise = null;
    const w = waiting.get(p);
    if (w === t) waiting.delete(p);
    else if (Array.isArray(w)) {
      const i = w.indexOf(t);
      if (i >= 0) w.splice(i, 1);
      if (w.length === 0) waiting.delete(p);
    }
  }

  /** Bytes, or null with causeTask/causeLabel set. */
  function resumeCause(t: Task): Bytes | null {
    switch (t.waitKind) {
      case W_TASK: {
        const w = t.waitTask!;
        causeTask = w;
        causeLabel = w.raised !== null ? w.labels.raised : w.labels.returned;
        return null;
      }
      case W_TIMER: return t.waitCause ?? TIMER_CAUSE;
      case W_ABORTABLE_TIMER: {
        // Its signal aborted: whoever called abort() (AbortController.prototype.abort, below) ended
        // the wait, not the timer. (The promise settles a microtask later: no settle context then.)
        const signal = t.waitSignal;
        t.waitSignal = null;
        if (signal !== null && signal.aborted === true) {
          const by = abortedBy.get(signal);
          if (by instanceof Task) { causeTask = by; causeLabel = ABORT_LABEL; return null; }
          if (by !== undefined) return ABORT_CALLBACK;
          try { if ((signal as { reason?: { name?: unknown } }).reason?.name === 'TimeoutError') return ABORT_TIMEOUT; } catch { /* unknown */ }
          return ABORT_UNKNOWN;
        }
        return t.waitCause ?? TIMER_CAUSE;
      }
      case W_IMMEDIATE: return YIELD_CAUSE;
      case W_COMBO: {
        const c = t.waitCombo!;
        let best: Task | null = null;
        for (const m of c.members) {
          const mt = m !== null && typeof m === 'object' ? taskOfPromise.get(m) : undefined;
          if (!mt || mt.state !== ENDED) continue;
          // all/allSettled: the last member to finish released it; race/any: the first.
          const later = c.how === 'all' || c.how === 'allSettled';
          if (!best || (later ? mt.endT > best.endT : mt.endT < best.endT)) best = mt;
        }
        if (best) return enc(`{"kind":"task","task":${best.id},"label":${JSON.stringify(`${best.name}() ${best.raised !== null ? 'raised' : 'returned'} (Promise.${c.how})`)}}`);
        if (t.settleTask) { causeTask = t.settleTask; causeLabel = B.settled; return null; }
        return t.settleCause ?? enc(`{"kind":"unknown","label":"Promise.${c.how}"}`);
      }
      case W_CONSUMER: return NEXT_CAUSE;
      case W_VALUE: return MICROTASK_CAUSE;
      default:
        if (t.settleTask) { causeTask = t.settleTask; causeLabel = B.settled; return null; }
        return t.settleCause ?? t.waitCause ?? UNKNOWN_CAUSE;
    }
  }

  /** Who is settling a promise right now: the running task, or the timer / I/O callback. */
  /** Null when it cannot tell (a microtask after the callback that started the chain returned). */
  function settleContext(): Bytes | null {
    let r: unknown;
    try { r = executionAsyncResource(); } catch { return null; }
    return resourceCause(r);
  }

  const resourceCauses = new Map<string, Bytes | null>();
  function resourceCause(r: unknown): Bytes | null {
    if (!r || typeof r !== 'object') return null;
    const name = (r as object).constructor?.name ?? '';
    if (name === 'Timeout') {
      const ms = (r as { _idleTimeout?: number })._idleTimeout;
      return typeof ms === 'number' && ms >= 0 ? timerCause(ms) : TIMER_CAUSE;
    }
    let cause = resourceCauses.get(name);
    if (cause === undefined) {
      cause = resourceCauseJson(name);
      if (resourceCauses.size < 200) resourceCauses.set(name, cause);
    }
    return cause;
  }
  const timerCauses = new Map<number, Bytes>();
  function timerCause(ms: number): Bytes {
    let cause = timerCauses.get(ms);
    if (!cause) {
      cause = enc(`{"kind":"timer","delay":${ms / 1000}}`);
      if (timerCauses.size < 1000) timerCauses.set(ms, cause);
    }
    return cause;
  }

  // ---- promise hooks: link async functions to their promises, see who settles awaited promises.
  try {
    v8.promiseHooks.onInit((promise) => { lastInitPromise = promise; });
    v8.promiseHooks.onSettled((promise) => {
      if (waiting.size === 0) return;
      const w = waiting.get(promise);
      if (!w) return;
      waiting.delete(promise);
      // Dropped here, so the resume has nothing to unwatch (and the settled promise is not kept).
      if (Array.isArray(w)) { for (const t of w) t.waitPromise = null; } else w.waitPromise = null;
      const by = current;
      const cause = by ? null : settleContext();
      if (!by && cause === null) return;
      if (Array.isArray(w)) {
        for (const t of w) if (t.state === SUSPENDED) { t.settleTask = by; t.settleCause = cause; }
      } else if (w.state === SUSPENDED) { w.settleTask = by; w.settleCause = cause; }
    });
  } catch (err) {
    emit(`{"type":"warning","kind":"tracer","t":${now()},"message":${JSON.stringify(`promise hooks unavailable (${errorText(err)}): resume causes will be less precise`)}}`);
  }

  // ---- what awaited promises are: timers, fs, events, combinators.
  const tagPromise = (p: unknown, tag: Tag): void => {
    if (p === null || typeof p !== 'object') return;
    ringPromises[ringNext] = p;
    ringTags[ringNext] = tag;
    ringNext = (ringNext + 1) & (RING - 1);
  };
  const makeTag = (kind: number, json: Json, cause: Json): Tag => ({ kind, json: enc(json), cause: enc(cause) });
  const IMMEDIATE_TAG = makeTag(W_IMMEDIATE, '{"kind":"immediate","label":"setImmediate"}', '{"kind":"yield"}');
  const YIELD_TAG = makeTag(W_IMMEDIATE, '{"kind":"immediate","label":"scheduler.yield"}', '{"kind":"yield"}');
  try {
    const timersPromises = nodeRequire('node:timers/promises') as Record<string, any>;
    const origTimeout = timersPromises.setTimeout;
    const origImmediate = timersPromises.setImmediate;
    const timerTags = new Map<number, Tag>();
    timersPromises.setTimeout = function setTimeout(this: unknown, delay?: number, ...rest: unknown[]) {
      const p = origTimeout.call(this, delay, ...rest);
      const ms = typeof delay === 'number' && delay > 0 ? delay : 1;
      let tag = timerTags.get(ms);
      if (!tag) {
        tag = makeTag(W_TIMER, `{"kind":"timer","label":${JSON.stringify(`setTimeout ${ms} ms`)},"delay":${ms}}`, `{"kind":"timer","delay":${ms / 1000}}`);
        if (timerTags.size < 1000) timerTags.set(ms, tag);
      }
      // With a signal it ends when the timer fires or when the signal aborts: a tag of its own.
      const options = rest[1] as { signal?: { aborted?: boolean } } | null | undefined;
      if (options !== null && typeof options === 'object' && options.signal != null && typeof options.signal === 'object') {
        tag = { kind: W_ABORTABLE_TIMER, json: tag.json, cause: tag.cause, signal: options.signal };
      }
      tagPromise(p, tag);
      return p;
    };
    timersPromises.setImmediate = function setImmediate(this: unknown, ...args: unknown[]) {
      const p = origImmediate.apply(this, args);
      tagPromise(p, IMMEDIATE_TAG);
      return p;
    };
    const scheduler = timersPromises.scheduler;
    if (scheduler && typeof scheduler.wait === 'function') {
      const origWait = scheduler.wait, origYield = scheduler.yield;
      scheduler.wait = function wait(this: unknown, delay: number, ...rest: unknown[]) {
        const p = origWait.call(this, delay, ...rest);
        tagPromise(p, makeTag(W_TIMER, `{"kind":"timer","label":${JSON.stringify(`scheduler.wait ${delay} ms`)},"delay":${Number(delay) || 0}}`, `{"kind":"timer","delay":${(Number(delay) || 0) / 1000}}`));
        return p;
      };
      if (typeof origYield === 'function') scheduler.yield = function yield_(this: unknown) { const p = origYield.call(this); tagPromise(p, YIELD_TAG); return p; };
    }
  } catch { /* very old node: untagged timers still resume with a timer cause */ }

  // Who aborted a signal (the running task, else a callback), for the waits it ends: read only when
  // one resumes with its signal aborted.
  const abortedBy = new WeakMap<object, Task | null>();
  try {
    const proto = (globalThis as { AbortController?: { prototype: Record<string, any> } }).AbortController?.prototype;
    const origAbort = proto?.abort;
    if (proto && typeof origAbort === 'function') {
      proto.abort = {
        abort(this: { signal?: object }, ...args: unknown[]) {
          try { const signal = this.signal; if (signal && !(signal as { aborted?: boolean }).aborted) abortedBy.set(signal, current); } catch { /* not a controller: let abort say so */ }
          return origAbort.apply(this, args);
        },
      }.abort;
    }
  } catch { /* no AbortController */ }

  try {
    const fsp = nodeRequire('node:fs').promises as Record<string, any>;
    for (const op of Object.keys(fsp)) {
      const orig = fsp[op];
      if (typeof orig !== 'function' || op === 'constants' || /^[A-Z]/.test(op)) continue;
      fsp[op] = {
        [op](this: unknown, ...args: unknown[]) {
          const p = orig.apply(this, args);
          const arg = typeof args[0] === 'string' ? ` ${args[0]}` : args[0] instanceof URL ? ` ${args[0].href}` : '';
          tagPromise(p, { kind: W_IO, json: null, cause: FS_CAUSE, label: `fs.${op}${arg}`.slice(0, 200), op });
          return p;
        },
      }[op];
    }
  } catch { /* fs.promises missing: untagged */ }

  try {
    const events = nodeRequire('node:events') as Record<string, any>;
    const origOnce = events.once;
    events.once = function once(this: unknown, emitter: any, name: string | symbol, ...rest: unknown[]) {
      const p = origOnce.call(this, emitter, name, ...rest);
      const isSocket = emitter && typeof emitter.pipe === 'function';
      const who = emitter?.constructor?.name || 'emitter';
      tagPromise(p, makeTag(
        isSocket ? W_IO : W_PROMISE,
        `{"kind":${isSocket ? '"io"' : '"promise"'},"label":${JSON.stringify(`once(${who}, ${String(name)})`)}${isSocket ? ',"op":"read"' : ''}}`,
        isSocket ? '{"kind":"io","label":"socket"}' : '{"kind":"callback","label":"event"}',
      ));
      return p;
    };
  } catch { /* no events.once */ }

  for (const how of ['all', 'allSettled', 'race', 'any'] as const) {
    const orig = (Promise as any)[how];
    if (typeof orig !== 'function') continue;
    (Promise as any)[how] = {
      [how](this: PromiseConstructor, iterable: Iterable<unknown>) {
        let members: unknown[];
        try { members = Array.isArray(iterable) ? iterable : Array.from(iterable); } catch { return orig.call(this, iterable); }
        const p = orig.call(this, members);
        if (p !== null && typeof p === 'object') combos.set(p, { how, members });
        return p;
      },
    }[how];
  }
  try { nodeRequire('node:module').syncBuiltinESMExports(); } catch { /* node < 12.12 */ }

  // ---- output: attributed to the running task, passed through unchanged. process.stdout/stderr are
  // made by Node on first use (loading the stream modules, a few ms): patch each when the program
  // first touches it, not at start.
  // What the stream writes is recorded as text: strings in another encoding ('hex', 'base64') and
  // bytes are decoded as the terminal would (UTF-8), incrementally per stream, so a character split
  // across two writes stays whole. The common case, a UTF-8 string with nothing pending, is used as is.
  const patchWrite = (name: 'stdout' | 'stderr', stream: NodeJS.WriteStream): void => {
    const id = name === 'stdout' ? 1 : 2;
    const origWrite = stream.write;
    let decoder: StringDecoder | null = null; // made on the first write that needs it
    let partial = false; // the decoder holds the first bytes of a character
    let defaultEncoding = 'utf8'; // stream.setDefaultEncoding()
    const decode = (chunk: unknown, encoding: unknown): string | null => {
      let bytes: Buffer;
      if (typeof chunk === 'string') {
        const e = typeof encoding === 'string' ? encoding : defaultEncoding;
        bytes = Buffer.from(chunk, e === 'buffer' || !Buffer.isEncoding(e) ? 'utf8' : e);
      } else if (chunk instanceof Uint8Array) {
        bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      } else return null; // the stream rejects it
      decoder ??= new StringDecoder('utf8');
      const text = decoder.write(bytes);
      partial = (decoder as unknown as { lastNeed?: number }).lastNeed! > 0;
      return text;
    };
    stream.write = function write(this: NodeJS.WriteStream, chunk: any, ...rest: any[]): boolean {
      try {
        const e = rest[0];
        const text = typeof chunk === 'string' && !partial && (typeof e === 'string' ? e === 'utf8' || e === 'utf-8' : defaultEncoding === 'utf8')
          ? chunk : decode(chunk, e);
        if (text) recordOutput(id, text);
      } catch { /* never break the program's output */ }
      return origWrite.call(this, chunk, ...rest);
    } as typeof stream.write;
    const origSetDefault = stream.setDefaultEncoding;
    if (typeof origSetDefault === 'function') {
      stream.setDefaultEncoding = function setDefaultEncoding(this: NodeJS.WriteStream, encoding: BufferEncoding) {
        const r = origSetDefault.call(this, encoding);
        try {
          const e = (this as unknown as { _writableState?: { defaultEncoding?: string } })._writableState?.defaultEncoding;
          defaultEncoding = e === 'utf-8' ? 'utf8' : e ?? 'utf8';
        } catch { /* keep utf8 */ }
        return r;
      };
    }
  };
  /** Text written to stdout (1) or stderr (2): added to the line in progress, or starts one. */
  function recordOutput(stream: number, text: string): void {
    const t = now();
    if (current === null) writeIdle(t); // a callback printing after a wait: the wait comes first
    else putResume(current); // the step that prints: its resume comes first
    if (outStream !== 0 && (outStream !== stream || outTask !== current)) flushOutput();
    if (outStream === 0) {
      outStream = stream;
      outTask = current;
      outT = t;
      outText = text;
    } else outText += text;
    lastOutputT = t;
    if (text.charCodeAt(text.length - 1) === 10) flushOutput();
  }
  for (const name of ['stdout', 'stderr'] as const) {
    const desc = Object.getOwnPropertyDescriptor(process, name);
    if (desc && desc.get && desc.configurable) {
      const get = desc.get;
      let patched: NodeJS.WriteStream | null = null;
      Object.defineProperty(process, name, {
        configurable: true, enumerable: desc.enumerable,
        get(this: NodeJS.Process) {
          const stream = get.call(this) as NodeJS.WriteStream;
          if (stream !== patched && stream) { patched = stream; patchWrite(name, stream); }
          return stream;
        },
        ...(desc.set ? { set: desc.set } : {}),
      });
    } else {
      patchWrite(name, process[name]);
    }
  }

  // ---- unhandled rejections and uncaught exceptions: observed, never handled (Node's own behaviour stays).
  let exiting = false; // 'exit' is being emitted through emitEvent (below), which writes the exit record after it
  /** The code the process exits with: process.exitCode once set (Node reads it back after 'exit'), else `code`. */
  const exitCodeNow = (code: unknown): number => {
    const set = process.exitCode;
    const n = Number(set !== undefined && set !== null && set !== '' ? set : code ?? 0);
    return Number.isFinite(n) ? n : 0;
  };
  // The reason of the last 'unhandledRejection' event written: an error thrown by the main module
  // run through the ES module loader (any program, with --import) reaches uncaughtExceptionMonitor
  // as a rejection too, but with no 'unhandledRejection' event before it.
  let reportedRejection: unknown = undefined;
  const origEmit = process.emit;
  process.emit = function emitEvent(this: NodeJS.Process, event: string | symbol, ...args: any[]): boolean {
    if (event === 'unhandledRejection') {
      reportedRejection = args[0];
      try {
        const owner = args[1] && typeof args[1] === 'object' ? taskOfPromise.get(args[1]) : undefined;
        emit(`{"type":"warning","kind":"unhandled-rejection","t":${now()},"task":${owner ? owner.id : 'null'},"site":${owner ? owner.callSite : 'null'},"message":${JSON.stringify(`unhandled rejection${owner ? ` of ${owner.name}()` : ''}: ${errorText(args[0])}`)}}`);
      } catch { /* keep going */ }
    } else if (event === 'exit' && !exiting) {
      // The exit record is written once every 'exit' listener has run: Node exits with
      // process.exitCode as it is then, and listeners registered after ours change it (Node 18/20
      // set 13 for a top-level await that never settled in one, added when the main module runs).
      exiting = true;
      try {
        return (origEmit as Function).call(this, event, ...args);
      } finally {
        finishTrace(exitCodeNow(args[0]), null);
      }
    }
    return (origEmit as Function).call(this, event, ...args);
  } as typeof process.emit;
  /**
   * A SyntaxError before any of the user's code ran (Node could not compile the program, or a
   * module it imports): a syntax-error warning, as the Python tracer writes, so that the summary
   * and the timeline say in one line why nothing ran. Null for any other error (a JSON.parse or
   * eval of the user's code has the user's frames on its stack).
   */
  function didNotRunWarning(err: unknown): string | null {
    if (!(err instanceof Error) || err.name !== 'SyntaxError' || moduleIds.length > 0 || taskSeq > 0) return null;
    const stack = typeof err.stack === 'string' ? err.stack : '';
    for (const m of stack.matchAll(/^\s+at (?:.*\()?(.+?):\d+:\d+\)?$/gm)) {
      if (!m[1].startsWith('node:') && !m[1].startsWith(opts.tracerDir)) return null;
    }
    let message = errorText(err);
    let site = 'null';
    const ts = /^(.*) \(TypeScript, (.+):(\d+):(\d+)\)$/.exec(err.message);
    if (ts) {
      message = `SyntaxError: ${ts[1]}`;
      site = `{"file":${JSON.stringify(ts[2])},"line":${Number(ts[3])},"col":${Number(ts[4])}}`;
    } else if (opts.program && !isTypeScript(opts.program)) {
      // Node's message has no place (it prints the line itself): acorn finds it in the program, when it is there.
      try {
        const { parseErrorAt } = nodeRequire(join(opts.tracerDir, 'instrument.js')) as { parseErrorAt: (source: string) => { line: number; col: number } | null };
        const at = parseErrorAt(readFileSync(opts.program, 'utf8'));
        if (at) site = `{"file":${JSON.stringify(opts.program)},"line":${at.line},"col":${at.col}}`;
      } catch { /* no place */ }
    }
    return `{"type":"warning","kind":"syntax-error","t":${now()},"task":null,"site":${site},"message":${JSON.stringify(`the program did not run: ${message}`)}}`;
  }
  process.on('uncaughtExceptionMonitor', (err, origin) => {
    const notRun = didNotRunWarning(err);
    if (notRun !== null) {
      emit(notRun);
      flushSync();
      return;
    }
    if (origin === 'unhandledRejection' && err === reportedRejection) return; // already written
    emit(`{"type":"warning","kind":"uncaught-exception","t":${now()},"task":${current ? current.id : 'null'},"message":${JSON.stringify(`uncaught exception: ${errorText(err)}`)}}`);
    flushSync();
  });

  // ---- exit: pending tasks, exit code (process.exitCode included), flush.
  let finished = false;
  function finishTrace(code: number, signal: string | null): void {
    if (finished) return;
    finished = true;
    const ts = now();
    if (current !== null) putResume(current); // exiting in the middle of a step
    if (current === null) beginStretch(ts); // a final idle gap, if any
    for (const t of live) {
      if (t.state === ENDED) continue;
      const site = t.state === SUSPENDED && sites[t.waitSite] ? sites[t.waitSite] : null;
      emit(`{"type":"warning","kind":"pending-at-exit","t":${ts},"task":${t.id},"site":${site ? site.json : 'null'},"message":${JSON.stringify(`${t.name}() never finished${site ? `: still waiting at ${shortSite(site)}` : ''}`)}}`);
    }
    emit(`{"type":"exit","t":${ts},"code":${code}${signal ? `,"signal":"${signal}"` : ''}}`);
    flushSync();
    closed = true;
    try { closeSync(fd); } catch { /* fine */ }
  }
  // If process.emit was replaced by one that does not call ours: the record as the listener sees it.
  process.on('exit', (code) => { if (!exiting) finishTrace(exitCodeNow(code), null); });
  // process.exit() inside an 'exit' listener leaves at once (process.reallyExit), before the
  // listeners after it and before emitEvent's record: write it there, with that code.
  const reallyExit = (process as unknown as { reallyExit?: (code?: number) => never }).reallyExit;
  if (typeof reallyExit === 'function') {
    (process as unknown as { reallyExit: (code?: number) => never }).reallyExit = function exitNow(this: NodeJS.Process, code?: number): never {
      try { finishTrace(exitCodeNow(code), null); } catch { /* exit anyway */ }
      return reallyExit.call(this, code);
    };
  }

  const signalNumbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      if (process.listenerCount(sig) > 1) { flushSync(); return; } // the program handles it itself
      finishTrace(128 + signalNumbers[sig], sig);
      process.removeListener(sig, onSignal);
      process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }

  Object.assign(probes, {
    m: registerModule, e: enter, mod: moduleTask, b: beforeAwait, a: afterAwait, r: reenter, x: raised, f: finish,
    yb: beforeYield, ya: afterYield, fa: forAwait,
    /** The last argument of an instrumented call passes through here: the call happens next. */
    k(value: unknown, siteId: number): unknown { probes.c = siteId; return value; },
    watchdogForHooks,
    warn(message: string): void { emit(`{"type":"warning","kind":"tracer","t":${now()},"message":${JSON.stringify(message)}}`); },
    flush: flushSync,
  });
  (globalThis as any).__awaitlens$ = probes;
  patchToString(opts.tracerDir);
}

function resourceCauseJson(name: string): Bytes | null {
  switch (name) {
    case 'Immediate': return enc('{"kind":"yield","label":"setImmediate"}');
    case 'TCP': case 'TCPWrap': case 'TCPConnectWrap': case 'Socket': case 'Pipe': case 'PipeConnectWrap': case 'WriteWrap': case 'ShutdownWrap': case 'UDP': case 'SendWrap':
      return enc('{"kind":"io","label":"socket"}');
    case 'TTY': return enc('{"kind":"io","label":"terminal"}');
    case 'FSReqCallback': case 'FSReqPromise': case 'FileHandle': case 'FileHandleReqWrap': case 'StatWatcher': case 'FSEvent':
      return enc('{"kind":"io","label":"file system"}');
    case 'GetAddrInfoReqWrap': case 'GetNameInfoReqWrap': case 'QueryReqWrap': return enc('{"kind":"io","label":"dns"}');
    case 'HTTPParser': case 'HTTPINCOMINGMESSAGE': case 'HTTPCLIENTREQUEST': return enc('{"kind":"io","label":"http"}');
    case 'Process': case 'ChildProcess': return enc('{"kind":"io","label":"child process"}');
    case 'Object': case '': return null;
    default: return enc(`{"kind":"callback","label":${JSON.stringify(name)}}`);
  }
}

const ANON_B = enc('"<anonymous>"');
const YIELD_AWAITING = enc('{"kind":"promise","label":"yield: waits for the consumer to call next()"}');
const NEXT_CALLBACK = enc('{"kind":"callback","label":"next()"}');
const STREAM_CAUSE = enc('{"kind":"io","label":"stream data"}');
const STREAM_AWAITING = enc('{"kind":"io","label":"for await: next chunk of a stream","op":"read"}');
const NEXT_AWAITING = enc('{"kind":"promise","label":"for await: next()"}');
const VALUE_AWAITING = enc('{"kind":"promise","label":"a plain value (continues after pending microtasks)"}');
const PROMISE_AWAITING = enc('{"kind":"promise","label":"promise"}');
const THENABLE_AWAITING = enc('{"kind":"promise","label":"thenable"}');
const TIMER_CAUSE = enc('{"kind":"timer"}');
const YIELD_CAUSE = enc('{"kind":"yield"}');
const NEXT_CAUSE = enc('{"kind":"unknown","label":"next()"}');
const MICROTASK_CAUSE = enc('{"kind":"yield","label":"microtask"}');
const UNKNOWN_CAUSE = enc('{"kind":"unknown"}');
const FS_CAUSE = enc('{"kind":"io","label":"file system"}');
const ABORT_LABEL = enc('"abort()"');
const ABORT_CALLBACK = enc('{"kind":"callback","label":"abort()"}');
const ABORT_UNKNOWN = enc('{"kind":"unknown","label":"abort()"}');
const ABORT_TIMEOUT = enc('{"kind":"timer","label":"AbortSignal.timeout"}');

export function errorText(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    if (err !== null && typeof err === 'object') {
      const e = err as { name?: unknown; message?: unknown };
      if (typeof e.message === 'string') return `${typeof e.name === 'string' ? e.name : 'Error'}: ${e.message}`;
    }
    return String(err);
  } catch {
    return '<unprintable error>';
  }
}

// ---- fn.toString() of the user's functions gives the source they wrote, not the probes added to
// it: a function sent elsewhere as text (Puppeteer's and Playwright's page.evaluate, a worker's
// eval, vm) runs where the probes do not exist. The text is rebuilt on demand from the file (the
// instrumenter only inserts, and does the same again), once per module: toString is rarely called.
const moduleIds: string[] = [];

interface Rebuilt { code: string; input?: string; inserted?: number[] }
interface InstrumentTools {
  instrument: (source: string, opts: { id: string; module: boolean; typescript: boolean; toCommonJS?: boolean }, strip?: unknown) => Rebuilt;
  originalText: (result: Rebuilt, start: number, end: number) => string | null;
}

function patchToString(tracerDir: string): void {
  const nativeToString = Function.prototype.toString;
  const rebuilt = new Map<string, Rebuilt | null>();
  let tools: InstrumentTools | null = null;
  const instrumented = (id: string): Rebuilt | null => {
    let result = rebuilt.get(id);
    if (result !== undefined) return result;
    result = null;
    try {
      tools ??= nodeRequire(join(tracerDir, 'instrument.js')) as InstrumentTools;
      const file = id.startsWith('file:') ? fileURLToPath(id) : id;
      let source = readFileSync(file, 'utf8');
      if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
      const typescript = isTypeScript(file);
      const module = id.startsWith('file:'); // (as the module hooks and the CommonJS hook name them)
      const strip = typescript ? (nodeRequire(join(tracerDir, 'strip.js')) as { stripTypes: unknown }).stripTypes : undefined;
      result = tools.instrument(source, { id, module, typescript, toCommonJS: typescript && !module }, strip);
    } catch { /* gone, or not ours: the text stays as it runs */ }
    rebuilt.set(id, result);
    return result;
  };
  function toString(this: unknown): string {
    if (this === toString) return 'function toString() { [native code] }';
    const text = nativeToString.call(this as () => void);
    if (!text.includes('__al$')) return text;
    for (const id of moduleIds) {
      const r = instrumented(id);
      const at = r ? r.code.indexOf(text) : -1;
      if (at < 0) continue;
      const original = tools!.originalText(r!, at, at + text.length);
      if (original !== null) return original;
    }
    return text;
  }
  try {
    Object.defineProperty(Function.prototype, 'toString', { value: toString, writable: true, configurable: true, enumerable: false });
  } catch { /* frozen: texts keep their probes */ }
}
