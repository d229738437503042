// The first frame of a big standalone trace, drawn before its model exists. Building the model
// of a million events (objects for every step, wait, loop segment) takes most of the time to
// open; the picture at first needs far less: each lane's running and suspended stretches, the
// loop lane, and where steps start. One pass over the compact records gives exactly those as
// flat arrays; the timeline draws them, and the model is built right after the frame is shown.
// When the trace is not simple enough to preview exactly (steps nested inside others, as Node
// async calls are; records out of time order; tasks seen before their task record), there is
// no preview and the model is built first, as for any trace.
import { decodeInto, type EmbeddedRecords, type RecordSink } from '../html/embed';
import { ModelBuilder, TimeSpan, num, validAwaiting, validSite } from '../model/build';
import type { TraceModel } from '../model/types';
import type { Awaiting, Frame, Id, ResumeCause, Site, TraceRecord } from '../trace/format';
import { awaitingLabel, siteLabel } from './text';

export interface Spans {
  start: Float64Array;
  end: Float64Array;
}

export interface Preview {
  /** The model of everything but steps, waits, loop and hand-offs (tasks, outputs, warnings, range). */
  model: TraceModel;
  /** Each lane's steps and waits, by task id. */
  spans: Map<Id, { steps: Spans; waits: Spans }>;
  /** The loop lane: segments in time order, `task` NaN where the loop was idle. */
  loop: Spans & { task: Float64Array };
  /** Start of every step, in time order. */
  stepStarts: Float64Array;
  /** The label of a lane's k-th wait ("file.py:12 · sleep"). */
  waitLabel(task: Id, k: number): string;
}

interface LaneState {
  /** Position among the lanes (for the per-lane columns). */
  index: number;
  /** Index into the step columns of the open step, or -1. */
  openStep: number;
  /** Index into the wait columns of the open wait, or -1. */
  openWait: number;
  lastT: number;
}

/**
 * Steps and waits go into columns for the whole trace, sized once from the record count (no
 * per-lane arrays growing a million times), and are split by lane at the end.
 */
/** Thrown by the sink when the trace cannot be previewed exactly: the decode stops at once. */
const NO_PREVIEW = new Error('no preview');

class PreviewSink implements RecordSink {
  /** Everything that is not a step, wait or idle record goes to a real model builder. */
  readonly objects = new ModelBuilder();
  readonly lanes = new Map<Id, LaneState>();
  private readonly span = new TimeSpan();
  /** The task holding the loop (a step is open), or null. */
  private current: Id | null = null;
  private lastStepStart = -Infinity;
  private lastStepEnd = -Infinity;
  private readonly stepLane: Int32Array;
  private readonly stepStart: Float64Array;
  private readonly stepEnd: Float64Array;
  private steps = 0;
  private readonly waitLane: Int32Array;
  private readonly waitStart: Float64Array;
  private readonly waitEnd: Float64Array;
  private readonly waitSite: unknown[] = [];
  private readonly waitAwaiting: unknown[] = [];
  private waits = 0;
  /** Loop segments of tasks (touching ones of a task joined), and idle stretches. */
  private readonly segStart: Float64Array;
  private readonly segEnd: Float64Array;
  private readonly segTask: Float64Array;
  private segs = 0;
  readonly idleStart: number[] = [];
  readonly idleEnd: number[] = [];

  constructor(capacity: number) {
    this.stepLane = new Int32Array(capacity);
    this.stepStart = new Float64Array(capacity);
    this.stepEnd = new Float64Array(capacity);
    this.waitLane = new Int32Array(capacity);
    this.waitStart = new Float64Array(capacity);
    this.waitEnd = new Float64Array(capacity);
    this.segStart = new Float64Array(capacity);
    this.segEnd = new Float64Array(capacity);
    this.segTask = new Float64Array(capacity);
  }

  private lane(task: Id): LaneState {
    let lane = this.lanes.get(task);
    if (!lane) {
      lane = { index: this.lanes.size, openStep: -1, openWait: -1, lastT: -Infinity };
      this.lanes.set(task, lane);
    }
    return lane;
  }

  private closeStep(task: Id, lane: LaneState, t: number): void {
    const k = lane.openStep;
    if (k < 0) return;
    const start = this.stepStart[k];
    const end = Math.max(start, t);
    this.stepEnd[k] = end;
    lane.openStep = -1;
    this.current = null;
    this.lastStepEnd = end;
    if (end > start) {
      const n = this.segs;
      if (n && this.segTask[n - 1] === task && this.segEnd[n - 1] === start) this.segEnd[n - 1] = end;
      else { this.segStart[n] = start; this.segEnd[n] = end; this.segTask[n] = task; this.segs = n + 1; }
    }
  }

  private closeWait(lane: LaneState, t: number): void {
    const k = lane.openWait;
    if (k < 0) return;
    this.waitEnd[k] = Math.max(this.waitStart[k], t);
    lane.openWait = -1;
  }

  /** The lane of the last record (a step and the wait after it are the same task's). */
  private lastTask: Id | null = null;
  private lastLane: LaneState | null = null;
  private laneAt(task: Id, t: number): LaneState {
    const lane = this.lastTask === task ? this.lastLane : this.lanes.get(task);
    // A step or wait of a task seen before its task record: its lane's place is not known here.
    if (!lane) throw NO_PREVIEW;
    this.lastTask = task;
    this.lastLane = lane;
    if (t < lane.lastT) t = lane.lastT;
    lane.lastT = t;   // (kept monotonic per task, as the model builder does)
    return lane;
  }

  addResume(task: Id, time: number, _cause: ResumeCause): void {
    const t0 = this.span.seen(time);
    const lane = this.laneAt(task, t0);
    const t = lane.lastT;
    // Another task's step still open: nested steps (their loop lane needs the model's stack).
    if (this.current !== null && this.current !== task) throw NO_PREVIEW;
    this.closeStep(task, lane, t);
    this.closeWait(lane, t);
    if (t < this.lastStepStart || t < this.lastStepEnd || this.steps >= this.stepStart.length) throw NO_PREVIEW;
    const k = this.steps++;
    this.stepLane[k] = lane.index;
    this.stepStart[k] = t;
    this.stepEnd[k] = NaN;
    lane.openStep = k;
    this.current = task;
    this.lastStepStart = t;
  }

  addSuspend(task: Id, time: number, site: Site | null, _stack: Frame[], awaiting: Awaiting): void {
    const t0 = this.span.seen(time);
    const lane = this.laneAt(task, t0);
    const t = lane.lastT;
    this.closeStep(task, lane, t);
    this.closeWait(lane, t);
    if (this.waits >= this.waitStart.length) throw NO_PREVIEW;
    const k = this.waits++;
    this.waitLane[k] = lane.index;
    this.waitStart[k] = t;
    this.waitEnd[k] = NaN;
    // Labels are made only for the waits wide enough to show one: keep what they need.
    this.waitSite.push(site);
    this.waitAwaiting.push(awaiting);
    lane.openWait = k;
  }

  addIdle(time: number, duration: number): void {
    const t = this.span.seen(time);
    const dur = Math.max(0, num(duration) ?? 0);
    if (t + dur > this.span.max) this.span.max = t + dur;
    if (dur > 0) { this.idleStart.push(t); this.idleEnd.push(t + dur); }
  }

  addOne(record: TraceRecord): void {
    this.objects.addOne(record);
    if (!record || typeof record !== 'object' || record.type === 'header') return;
    const t0 = this.span.seen((record as { t?: unknown }).t);
    switch (record.type) {
      case 'task': case 'rename': this.lane(record.task); break;
      case 'end': {
        const lane = this.lane(record.task);
        const t = Math.max(t0, lane.lastT);
        lane.lastT = t;
        this.closeStep(record.task, lane, t);
        this.closeWait(lane, t);
        break;
      }
      case 'resume': case 'suspend': case 'idle': throw NO_PREVIEW; // kept whole: not worth a second path
      default: break;
    }
  }

  /** Splits columns by lane, keeping time order: `lanes[i]` gets `start`/`end` items whose lane is i. */
  private static split(count: number, laneOf: Int32Array, start: Float64Array, end: Float64Array, lanes: number): { spans: Spans[]; index: Int32Array } {
    const sizes = new Int32Array(lanes + 1);
    for (let i = 0; i < count; i++) sizes[laneOf[i] + 1]++;
    for (let l = 0; l < lanes; l++) sizes[l + 1] += sizes[l];
    const starts = new Float64Array(count), ends = new Float64Array(count);
    /** For item i of the columns, its position in its lane. */
    const index = new Int32Array(count);
    const fill = sizes.slice(0, lanes);
    for (let i = 0; i < count; i++) {
      const l = laneOf[i];
      const at = fill[l]++;
      starts[at] = start[i];
      ends[at] = end[i];
      index[at] = i;
    }
    const spans: Spans[] = [];
    for (let l = 0; l < lanes; l++) spans.push({ start: starts.subarray(sizes[l], sizes[l + 1]), end: ends.subarray(sizes[l], sizes[l + 1]) });
    return { spans, index };
  }

  finish(count: number): Preview | null {
    const model = this.objects.model();
    // The model's lanes, in its order: every lane here must be one of them, and the other way round.
    if (model.tasks.length !== this.lanes.size || model.tasks.some((lane, i) => this.lanes.get(lane.id)?.index !== i)) return null;
    const hasTimes = this.span.max >= this.span.min;
    const start = hasTimes ? this.span.min : 0;
    let end = hasTimes ? this.span.max : start;
    if (model.exit && typeof model.exit.t === 'number' && model.exit.t > end) end = model.exit.t;
    // Steps and waits still open at the end of the trace run to its end, as in the model.
    for (const [task, lane] of this.lanes) {
      this.closeStep(task, lane, end);
      this.closeWait(lane, end);
    }
    const lanes = this.lanes.size;
    const steps = PreviewSink.split(this.steps, this.stepLane, this.stepStart, this.stepEnd, lanes);
    const waits = PreviewSink.split(this.waits, this.waitLane, this.waitStart, this.waitEnd, lanes);
    // Where each lane's waits begin in the split columns, to find a lane's k-th wait for its label.
    const waitOffset = new Int32Array(lanes + 1);
    for (let l = 0; l < lanes; l++) waitOffset[l + 1] = waitOffset[l] + waits.spans[l].start.length;
    const spans = new Map<Id, { steps: Spans; waits: Spans }>();
    for (const [task, lane] of this.lanes) spans.set(task, { steps: steps.spans[lane.index], waits: waits.spans[lane.index] });
    // The loop lane: task segments and idle stretches merged by time (a tie: the task first, as in the model).
    const segs = this.segs;
    const n = segs + this.idleStart.length;
    const loop = { start: new Float64Array(n), end: new Float64Array(n), task: new Float64Array(n) };
    let a = 0, b = 0;
    for (let i = 0; i < n; i++) {
      if (b >= this.idleStart.length || (a < segs && this.segStart[a] <= this.idleStart[b])) {
        loop.start[i] = this.segStart[a]; loop.end[i] = this.segEnd[a]; loop.task[i] = this.segTask[a]; a++;
      } else {
        loop.start[i] = this.idleStart[b]; loop.end[i] = this.idleEnd[b]; loop.task[i] = NaN; b++;
      }
    }
    model.start = start;
    model.end = end;
    model.stats = { ...model.stats, wall: end - start, eventCount: count };
    const laneStates = this.lanes;
    const waitSite = this.waitSite, waitAwaiting = this.waitAwaiting, waitIndex = waits.index;
    return {
      model, spans, loop, stepStarts: this.stepStart.slice(0, this.steps),
      waitLabel(task, k) {
        const lane = laneStates.get(task);
        if (!lane) return '';
        const i = waitIndex[waitOffset[lane.index] + k];
        const site = siteLabel(validSite(waitSite[i]));
        const what = awaitingLabel(validAwaiting(waitAwaiting[i]));
        return what ? `${site} · ${what}` : site;
      },
    };
  }
}

/** The preview of a compact trace, or null when it cannot be previewed exactly (then build the model). */
export function buildPreview(compact: EmbeddedRecords): Preview | null {
  const sink = new PreviewSink(compact.count);
  try {
    decodeInto(compact, sink);
  } catch {
    return null; // NO_PREVIEW, or a damaged embedding (the model build reports it)
  }
  return sink.finish(compact.count);
}
