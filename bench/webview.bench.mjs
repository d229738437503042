#!/usr/bin/env node
// Webview benchmark: a synthetic trace of 1,000,000 events (thousands of tasks sleeping,
// waiting on each other, printing, with idle gaps and blocking warnings), written as the
// standalone HTML by the real CLI (`awaitlens view TRACE --html OUT`), opened in headless
// Chromium. Measures time to first render and frames per second while panning and zooming.
// Budgets: open < 2 s, >= 60 fps. Headless Chromium here has no GPU: what is measured is
// what is printed, next to the budget.
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { chromium } from 'playwright-core';

const root = join(import.meta.dirname, '..');
const EVENTS = Number(process.env.AWAITLENS_BENCH_EVENTS || 1_000_000);
const OPEN_BUDGET_MS = 2000;
const FPS_BUDGET = 60;
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Deterministic pseudo-random numbers, so every run benchmarks the same trace. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A min-heap of [time, task] by time. */
class Heap {
  items = [];
  push(item) {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p][0] <= a[i][0]) break;
      [a[p], a[i]] = [a[i], a[p]];
      i = p;
    }
  }
  pop() {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && a[l][0] < a[m][0]) m = l;
        if (r < a.length && a[r][0] < a[m][0]) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i], a[m]];
        i = m;
      }
    }
    return top;
  }
  get size() { return this.items.length; }
}

/** Simulates an asyncio program: an event loop running tasks that sleep, fetch, print and wait. */
async function writeSyntheticTrace(path, target) {
  const random = rng(42);
  const out = createWriteStream(path);
  let buffer = [];
  let count = 0;
  const emit = async (record) => {
    buffer.push(JSON.stringify(record));
    count++;
    if (buffer.length >= 5000) {
      if (!out.write(buffer.join('\n') + '\n')) await once(out, 'drain');
      buffer = [];
    }
  };
  const file = '/home/user/project/crawler.py';
  const site = (line, col = 9) => ({ file, line, col });
  const coros = ['fetch_page', 'parse_links', 'store_result', 'rate_limiter', 'heartbeat', 'worker'];
  const awaitLines = [14, 18, 22, 27, 31, 36, 40, 45, 52, 57, 61, 66];
  await emit({ type: 'header', format: 'awaitlens', version: 1, runtime: 'python', runtimeVersion: '3.12.0', program: file, argv: [file], startedAt: Date.now(), blockingThreshold: 100e6, tracer: 'synthetic-bench' });
  await emit({ type: 'task', task: 1, name: 'Task-1', coro: 'main', parent: null, t: 1000, site: site(90, 1), def: site(80, 1), kind: 'task' });
  let now = 2000;
  let nextId = 2;
  const heap = new Heap();
  const remaining = new Map();
  heap.push([now, 1, { kind: 'start' }]);
  remaining.set(1, 2_000_000_000);
  const taskCount = Math.max(50, Math.round(target / 500));
  while (count < target - 10) {
    if (!heap.size) break;
    const [wake, task, cause] = heap.pop();
    if (wake > now) {
      await emit({ type: 'idle', t: now, dur: wake - now });
      now = wake;
    }
    await emit({ type: 'resume', task, t: now, cause });
    // Main spawns workers in its first steps.
    if (task === 1 && nextId <= taskCount) {
      for (let k = 0; k < 50 && nextId <= taskCount; k++) {
        const id = nextId++;
        const coro = coros[id % coros.length];
        now += 3000;
        await emit({ type: 'task', task: id, name: `Task-${id}`, coro, parent: 1, t: now, site: site(92, 20), def: site(10 + (id % coros.length) * 8, 1), kind: 'task' });
        heap.push([now + 1000, id, { kind: 'start' }]);
        remaining.set(id, 100 + Math.floor(random() * 400));
      }
    }
    now += 2000 + Math.floor(random() * 60_000);
    if (random() < 0.04) await emit({ type: 'output', t: now, task, stream: random() < 0.9 ? 'stdout' : 'stderr', text: `Task-${task}: fetched page ${count} (${Math.floor(random() * 9000)} bytes)\n` });
    if (random() < 0.0005) {
      const dur = 120e6 + Math.floor(random() * 200e6);
      now += dur;
      await emit({ type: 'warning', kind: 'blocking', t: now - dur, task, dur, site: site(71, 5), message: `Task-${task} held the loop for ${Math.round(dur / 1e6)} ms without awaiting` });
    }
    const left = remaining.get(task) - 1;
    remaining.set(task, left);
    if (left <= 0) {
      await emit({ type: 'end', task, t: now, outcome: random() < 0.97 ? 'returned' : 'raised', error: 'ConnectionError: peer closed' });
      continue;
    }
    const line = awaitLines[Math.floor(random() * awaitLines.length)];
    const delay = random() < 0.7 ? Math.floor(random() * 50e6) : Math.floor(random() * 2e6);
    const viaTask = random() < 0.15 && task !== 1;
    const awaiting = viaTask
      ? { kind: 'queue', label: 'Queue.get()', op: 'get' }
      : random() < 0.5 ? { kind: 'sleep', label: `asyncio.sleep(${(delay / 1e9).toFixed(3)})`, delay: delay / 1e9 } : { kind: 'io', label: 'StreamReader.read()', op: 'read' };
    await emit({ type: 'suspend', task, t: now, site: site(line), stack: [{ fn: coros[task % coros.length], file, line }], awaiting });
    const resumeCause = viaTask ? { kind: 'task', task: 2 + Math.floor(random() * (taskCount - 1)) } : awaiting.kind === 'sleep' ? { kind: 'timer' } : { kind: 'io', label: 'socket' };
    heap.push([now + delay + 1000, task, resumeCause]);
  }
  await emit({ type: 'exit', t: now + 1000, code: 0, signal: null });
  if (buffer.length) out.write(buffer.join('\n') + '\n');
  out.end();
  await once(out, 'finish');
  return count;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'awaitlens-bench-webview-'));
  try {
    const tracePath = join(dir, 'synthetic.trace.ndjson');
    const htmlPath = join(dir, 'synthetic.html');
    let t0 = performance.now();
    const count = await writeSyntheticTrace(tracePath, EVENTS);
    console.log(`synthetic trace: ${count.toLocaleString('en-US')} events, ${(statSync(tracePath).size / 1e6).toFixed(1)} MB (${Math.round(performance.now() - t0)} ms to generate)`);
    t0 = performance.now();
    execFileSync('node', [join(root, 'dist', 'cli.js'), 'view', tracePath, '--html', htmlPath], { stdio: 'pipe' });
    console.log(`standalone HTML: ${(statSync(htmlPath).size / 1e6).toFixed(1)} MB (${Math.round(performance.now() - t0)} ms to write with awaitlens view)`);

    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      // Opened a few times (a fresh page each): the median is what a user sees, on a shared machine.
      const OPENS = Number(process.env.AWAITLENS_BENCH_OPENS || 3);
      const opens = [];
      let page;
      for (let i = 0; i < OPENS; i++) {
        await page?.close();
        page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
        const errors = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`file://${htmlPath}`, { timeout: 120_000 });
        await page.waitForFunction(() => performance.getEntriesByName('awaitlens-first-render').length > 0, null, { timeout: 120_000, polling: 50 });
        const open = await page.evaluate(() => {
          const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? NaN;
          return {
            firstRender: mark('awaitlens-first-render'),
            loaded: performance.getEntriesByType('navigation')[0].domInteractive,
            records: mark('awaitlens-records'),
            model: mark('awaitlens-model'),
            events: window.awaitlens.model().stats.eventCount,
            tasks: window.awaitlens.model().tasks.length,
            framesDrawn: window.awaitlens.timeline.frames,
          };
        });
        // The text summary (task table, await-site statistics) is built after the first frame; pan and zoom are measured once it is done.
        await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 120_000 });
        open.ready = await page.evaluate(() => performance.now());
        if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
        if (open.events !== count) throw new Error(`the page shows ${open.events} events, the trace has ${count}`);
        opens.push(open);
        console.log(`open ${i + 1}: page parsed at ${Math.round(open.loaded)} ms, trace data read at ${Math.round(open.records)} ms, model built at ${Math.round(open.model)} ms, first render at ${Math.round(open.firstRender)} ms, text summary at ${Math.round(open.ready)} ms (${open.events.toLocaleString('en-US')} events, ${open.tasks} tasks)`);
      }
      const open = opens.map((o) => o).sort((a, b) => a.firstRender - b.firstRender)[Math.floor(opens.length / 2)];

      // Pan and zoom programmatically, one change per animation frame, at three zoom levels.
      const runs = await page.evaluate(async () => {
        const timeline = window.awaitlens.timeline;
        // One change per animation frame; the timeline redraws on the next frame, as it does for a user.
        const measure = (setup, change, ms) => new Promise((resolve) => {
          setup();
          const drawTimes = [];
          const draw = timeline.draw;
          timeline.draw = function () {
            const d0 = performance.now();
            draw.call(this);
            drawTimes.push(performance.now() - d0);
          };
          let frames = 0;
          let startAt = 0;
          const frame = (now) => {
            if (!startAt) startAt = now;
            frames++;
            change(frames);
            if (now - startAt < ms) requestAnimationFrame(frame);
            else {
              timeline.draw = draw;
              drawTimes.sort((a, b) => a - b);
              const mean = drawTimes.reduce((s, x) => s + x, 0) / drawTimes.length;
              resolve({ fps: (frames - 1) / ((now - startAt) / 1000), drawMean: mean, drawP95: drawTimes[Math.floor(drawTimes.length * 0.95)], frames });
            }
          };
          requestAnimationFrame(frame);
        });
        // What this browser manages with nothing to draw: the ceiling for any frame rate measured here.
        const empty = await new Promise((resolve) => {
          let frames = 0, startAt = 0;
          const frame = (now) => {
            if (!startAt) startAt = now;
            frames++;
            if (now - startAt < 1000) requestAnimationFrame(frame); else resolve((frames - 1) / ((now - startAt) / 1000));
          };
          requestAnimationFrame(frame);
        });
        const out = { emptyFps: empty };
        // Warm-up, not measured: the first frames compile the drawing code and build per-lane caches.
        await measure(() => timeline.fit(), (i) => timeline.pan(i % 2 ? 3 : -3), 500);
        // Each scenario three times; the run with the median frame rate is reported.
        const median = async (setup, change) => {
          const runs = [];
          for (let r = 0; r < 3; r++) runs.push(await measure(setup, change, 1200));
          runs.sort((a, b) => a.fps - b.fps);
          return { ...runs[1], runs: runs.map((x) => x.fps) };
        };
        out.wholeTrace = await median(() => timeline.fit(), (i) => (i % 20 < 10 ? timeline.pan(3) : timeline.pan(-3)));
        out.zoomingInOut = await median(() => timeline.fit(), (i) => timeline.zoom(i % 60 < 30 ? 1.08 : 1 / 1.08));
        out.zoomedIn = await median(() => { timeline.fit(); timeline.zoom(200); }, (i) => (i % 40 < 20 ? timeline.pan(12) : timeline.pan(-12)));
        return out;
      });
      let failed = false;
      const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
      const openOk = open.firstRender < OPEN_BUDGET_MS;
      failed ||= !openOk;
      console.log(`time to first render: ${Math.round(open.firstRender)} ms, median of ${opens.map((o) => Math.round(o.firstRender)).join(', ')} (budget < ${OPEN_BUDGET_MS} ms) ${verdict(openOk)}; text summary ready by ${Math.round(open.ready)} ms`);
      console.log(`browser frame rate with nothing to draw: ${runs.emptyFps.toFixed(1)} fps`);
      delete runs.emptyFps;
      for (const [name, r] of Object.entries(runs)) {
        // Frames are paced by the browser (60 Hz at most); a frame's own drawing time says how much headroom is left.
        const ok = r.fps >= FPS_BUDGET * 0.95 && r.drawP95 < 1000 / FPS_BUDGET;
        failed ||= !ok;
        console.log(`${name}: ${r.fps.toFixed(1)} fps (median of ${r.runs.map((x) => x.toFixed(1)).join(', ')}) over ${r.frames} frames, draw mean ${r.drawMean.toFixed(2)} ms, p95 ${r.drawP95.toFixed(2)} ms (budget ${FPS_BUDGET} fps: the browser's ${FPS_BUDGET} Hz kept within 5% and a frame drawn in p95 < ${(1000 / FPS_BUDGET).toFixed(1)} ms) ${verdict(ok)}`);
      }
      // Shared machines skew every figure above: say how busy this one was.
      console.log(`(headless Chromium, no GPU: canvas 2D drawn in software; ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)} while measuring)`);
      if (failed) process.exitCode = 1;
    } finally {
      await browser.close();
    }
  } finally {
    if (process.env.AWAITLENS_BENCH_KEEP) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
