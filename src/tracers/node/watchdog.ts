// The blocking watchdog. The main thread marks each stretch of synchronous code in a shared
// heartbeat (an odd number while one runs, see runtime.ts); when one has lasted half the blocking
// threshold, the watchdog connects to the main thread's inspector and samples it: Debugger.pause,
// the innermost frame of the user's own code, Debugger.resume, every few milliseconds until the
// stretch ends. Each sample is posted back; the runtime reads them synchronously when it writes the
// blocking warning (its `hotspots`). When nothing blocks it reads two integers every few ms.
// Code outside traced async functions (a timer or I/O callback, a request handler) is no stretch:
// there the heartbeat is even, and a tick the runtime's timer counts while the loop turns
// (heartbeat[1]) tells when it holds the loop. Those are sampled as well, under the even number.
// It runs on the ES module loader thread when there is one (module.register: no thread of its own to
// start), else on a worker of its own (entries/watchdog.ts).
import type { MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { sep } from 'node:path';

type Inspector = typeof import('node:inspector');

export interface WatchdogData { heartbeat: Int32Array; port: MessagePort; thresholdMs: number; tracerDir: string; tickMs?: number }
interface CallFrame { functionName: string; url: string; location: { scriptId: string; lineNumber: number; columnNumber: number } }

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** file path of a user's frame, or null for Node internals, node_modules and the tracer itself. */
function userFile(url: string, tracerDir: string): string | null {
  if (!url) return null;
  let file = url;
  if (url.startsWith('file:')) { try { file = fileURLToPath(url); } catch { return null; } } else if (!url.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(url)) return null;
  if (file.startsWith(tracerDir) || file.includes(`${sep}node_modules${sep}`) || file.includes('/node_modules/')) return null;
  return file;
}

/** node:inspector, loaded on the first long stretch (not before it is needed); null in a node built without it. */
function loadInspector(): Inspector | null {
  try { return require('node:inspector'); } catch { return null; }
}

/** Watches the heartbeat for as long as this thread lives. */
export async function runWatchdog({ heartbeat, port, thresholdMs, tracerDir, tickMs }: WatchdogData, keepAlive: boolean): Promise<void> {
  // Inspector replies do not keep a thread alive: without a handle of its own a worker would end
  // while waiting for one. (The runtime unrefs its worker, so this never keeps the program alive.)
  if (keepAlive) setInterval(() => undefined, 1 << 30);
  const pollMs = Math.max(2, Math.min(20, thresholdMs / 5));
  const sampleMs = Math.max(1, Math.min(10, thresholdMs / 20));
  const scripts = new Map<string, string>();
  // Our session takes pauses only while it samples a stretch: the rest of the time it skips them all
  // (Debugger.setSkipAllPauses). V8 pauses only when some session accepts the pause
  // (V8DebuggerAgentImpl::acceptsPause: enabled and not skipping), so a `debugger;` statement stays
  // the no-op it is untraced, and a debugger the user attached gets its own pauses as usual.
  let onPaused: ((frames: CallFrame[] | null) => void) | null = null;
  // Whether the stretch being sampled still runs, read while the main thread is paused: a pause that
  // lands after its stretch ended (in the code that runs next) must not count as one of its samples.
  let stillHolds: (() => boolean) | null = null;
  // A pause we asked for and have not seen yet (one at a time: Debugger.pause while already paused
  // is dropped by V8, and counting those would make a later pause that is not ours look like ours).
  let asked = false;
  // Set when we let go of a pause that was not ours: sampling that stretch stops.
  let letGo = false;
  // Connected on the first stretch that runs long, not before: a session costs the main thread
  // (its inspector wakes up), and a program that never blocks should not pay for it. Connecting
  // works while the main thread is busy (the request interrupts it).
  let session: import('node:inspector').Session | null = null;
  // The debugger stays enabled a while after a long stretch (enabling it costs the main thread tens
  // of ms: one scriptParsed per script, and a program that blocked once tends to block again),
  // then goes off so that a program that stopped blocking runs as if untraced.
  const keepEnabledMs = 2000;
  let enabled = false;
  const connect = (): import('node:inspector').Session => {
    const inspector = loadInspector();
    if (!inspector || typeof inspector.Session !== 'function') throw new Error('no inspector'); // node built without it
    const s = new inspector.Session();
    s.connectToMainThread();
    s.on('Debugger.scriptParsed', (m: { params: { scriptId: string; url: string } }) => { if (m.params.url) scripts.set(m.params.scriptId, m.params.url); });
    s.on('Debugger.paused', (m: { params: { callFrames: CallFrame[]; reason?: string; hitBreakpoints?: string[] } }) => {
      const p = m.params;
      if (asked && p.reason === 'other' && !p.hitBreakpoints?.length) {
        asked = false;
        const take = onPaused;
        onPaused = null;
        if (take) take(stillHolds?.() ? p.callFrames : null);
        s.post('Debugger.resume'); // also a late one, after the stretch it was meant for
        return;
      }
      // Not ours: a `debugger;` statement, an exception or a breakpoint or pause of a debugger the
      // user attached, or one already in place when we enabled. Let go of it by disabling: V8
      // resumes then only if no other session accepts the pause (V8Debugger::disable), so untraced
      // it would not have stopped, and a user's debugger keeps it. Never Debugger.resume here.
      enabled = false;
      asked = false;
      letGo = true;
      scripts.clear();
      const take = onPaused;
      onPaused = null;
      if (take) take(null);
      s.post('Debugger.disable');
    });
    return s;
  };
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) => session!.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));

  // Between stretches the loop is held when the tick stood still this long: the timer is due every
  // tickMs, so the main thread has been busy for at least half the threshold.
  const ticks = heartbeat.length > 1 && typeof tickMs === 'number' && tickMs > 0;
  const tickStaleMs = thresholdMs / 2 + (tickMs ?? 0);
  const tickNow = (): number => (ticks ? Atomics.load(heartbeat, 1) : 0);
  let lastLongAt = 0;
  let seenSeq = -1;
  let seenTick = -1;
  let seenAt = 0;
  let letGoSeq = -1;
  let letGoTick = -1;
  for (;;) {
    await sleep(pollMs);
    const seq = Atomics.load(heartbeat, 0);
    const tick = tickNow();
    const now = performance.now();
    if (enabled && now - lastLongAt > keepEnabledMs) {
      enabled = false;
      try { await post('Debugger.disable'); } catch { /* fine */ }
      asked = false; // disabling drops a pause not yet taken
      scripts.clear();
    }
    const inStretch = (seq & 1) === 1;
    if (seq !== seenSeq || (!inStretch && tick !== seenTick)) { seenSeq = seq; seenTick = tick; seenAt = now; continue; }
    if (inStretch ? now - seenAt < thresholdMs / 2 || seq === letGoSeq : !ticks || now - seenAt < tickStaleMs || (seq === letGoSeq && tick === letGoTick)) continue;
    // One stretch (or, between stretches, one callback) has held the main thread for half the
    // threshold: sample it until it ends.
    const holds = (): boolean => Atomics.load(heartbeat, 0) === seq && (inStretch || tickNow() === tick);
    stillHolds = holds;
    try {
      session ??= connect();
      letGo = false;
      if (!enabled) {
        await post('Debugger.enable'); // (enabling while paused reports that pause: let go of above)
        if (!letGo) enabled = true;
      }
      if (enabled) await post('Debugger.setSkipAllPauses', { skip: false });
      while (!letGo && holds()) {
        const frames = await new Promise<CallFrame[] | null>((resolve) => {
          onPaused = resolve;
          if (!asked) {
            asked = true;
            post('Debugger.pause').catch(() => { asked = false; if (onPaused === resolve) { onPaused = null; resolve(null); } });
          }
          // The stretch may end before the pause lands: then there is nothing to sample.
          setTimeout(() => { if (onPaused === resolve) { onPaused = null; resolve(null); } }, 200);
        });
        if (frames) {
          for (const f of frames) {
            const file = userFile(f.url || scripts.get(f.location.scriptId) || '', tracerDir);
            if (!file) continue;
            port.postMessage({ seq, file, line: f.location.lineNumber + 1, col: f.location.columnNumber + 1, fn: f.functionName });
            break;
          }
        }
        if (!letGo) await sleep(sampleMs);
      }
      if (letGo) { letGoSeq = seq; letGoTick = tick; }
      // Back to skipping every pause. A pause of ours still on its way (the stretch ended first)
      // either lands before this and is resumed above, or after it, where V8 drops it (no session
      // accepts it) instead of stopping the program.
      else if (enabled) await post('Debugger.setSkipAllPauses', { skip: true });
      asked = false;
    } catch { /* the session went away: keep watching, sample next time */ }
    lastLongAt = performance.now();
  }
}

