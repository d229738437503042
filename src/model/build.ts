// Turns trace records into the model (lanes, steps, waits, the loop lane, hand-offs,
// per-await statistics). Runs in Node (CLI, extension host) and in the browser (webview),
// so: no Node-only APIs, no DOM. Linear in the number of records (plus sorts that are
// skipped when the input is already in order), no per-event closures: it must take
// 1,000,000 events in well under a second.
import type {
  Awaiting, ExitRecord, Frame, HeaderRecord, Id, Nanos, Outcome, OutputRecord, ResumeCause, Site, TraceRecord, WarningRecord,
} from '../trace/format';
import type {
  AwaitSiteStats, Handoff, LoopSegment, Step, TaskLane, TraceModel, TraceStats, Wait,
} from './types';

export interface Problem {
  line: number;
  message: string;
}

/** Most distinct "ran meanwhile" tasks kept per await site (the hover shows a handful). */
const RAN_MEANWHILE_LIMIT = 200;
/** Most distinct awaited labels kept per await site. */
const AWAITING_LABEL_LIMIT = 20;

const UNKNOWN_CAUSE: ResumeCause = { kind: 'unknown' };
const UNKNOWN_AWAITING: Awaiting = { kind: 'unknown', label: 'unknown' };

/** Per-task bookkeeping while records stream in. */
interface TaskState {
  lane: TaskLane;
  /** Index into the builder's steps of the step this task is running, or -1. */
  openStep: number;
  /** Index into the builder's waits of the wait this task is suspended in, or -1. */
  openWait: number;
  /** Time of the task's last record, to keep its own events monotonic. */
  lastT: number;
  /** True when the lane was made up for an id with no task record (yet). */
  implicit: boolean;
}

/** A finite number, or null (trace fields come from other programs and may be anything). */
export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A site with at least a file and a line, or null. */
export function validSite(value: unknown): Site | null {
  if (!value || typeof value !== 'object') return null;
  const site = value as Site;
  return typeof site.file === 'string' && typeof site.line === 'number' ? site : null;
}

/** What a suspend awaits, or the shared "unknown" when the record does not say. */
export function validAwaiting(value: unknown): Awaiting {
  const candidate = value as Awaiting | null | undefined;
  return candidate && typeof candidate === 'object' && typeof candidate.kind === 'string' ? candidate : UNKNOWN_AWAITING;
}

/** The key await sites are grouped by: `file:line`. */
export function siteKey(file: string, line: number): string {
  return `${file}:${line}`;
}

/**
 * Builds a model incrementally: `add()` records as they arrive (live trace), `model()` takes
 * a consistent snapshot at any time (open steps and waits are closed at the trace's end,
 * marked `open`). Later `add()` calls keep working after a snapshot.
 */
/** The time range of the records seen so far, and the last time (for records that carry none). */
export class TimeSpan {
  min = Infinity;
  max = -Infinity;
  last = 0;

  /** A record's time (the last one seen when it has none), widening the range. */
  seen(value: unknown): number {
    const t = num(value);
    if (t === null) return this.last;
    this.last = t;
    if (t < this.min) this.min = t;
    if (t > this.max) this.max = t;
    return t;
  }
}

export class ModelBuilder {
  private header: HeaderRecord | null = null;
  private exit: ExitRecord | null = null;
  private readonly states = new Map<Id, TaskState>();
  /** Lanes in order of first appearance. */
  private readonly lanes: TaskLane[] = [];
  private readonly steps: Step[] = [];
  private readonly waits: Wait[] = [];
  /** Idle periods as parallel arrays (start, duration). */
  private idleStart: number[] = [];
  private idleDur: number[] = [];
  private readonly outputs: OutputRecord[] = [];
  private readonly warnings: WarningRecord[] = [];
  private readonly problems: Problem[] = [];
  private eventCount = 0;
  private readonly span = new TimeSpan();

  constructor(problems?: Problem[]) {
    if (problems) this.addProblems(problems);
  }

  addProblems(problems: Problem[]): void {
    for (const p of problems) this.problems.push(p);
  }

  /** Adds records in the order they were written. */
  add(records: TraceRecord[]): void {
    for (let i = 0; i < records.length; i++) this.addOne(records[i]);
  }

  addOne(record: TraceRecord): void {
    if (!record || typeof record !== 'object') return;
    this.eventCount++;
    if (record.type === 'header') {
      if (!this.header) this.header = record;
      return;
    }
    const t = this.span.seen((record as { t?: unknown }).t);
    switch (record.type) {
      case 'task': this.onTask(record, t); break;
      case 'resume': this.onResume(record.task, t, record.cause); break;
      case 'suspend': this.suspendAt(record.task, t, record.site, record.stack, record.awaiting); break;
      case 'end': this.onEnd(record.task, t, record.outcome, record.error); break;
      case 'rename': if (typeof record.name === 'string') this.state(record.task, t).lane.name = record.name; break;
      case 'idle': this.idleAt(t, record.dur); break;
      case 'output': this.outputs.push(record); break;
      case 'warning': this.warnings.push(record); break;
      case 'exit': this.exit = record; break;
      default: this.eventCount--; // unknown record types are ignored (newer tracers may add some)
    }
  }

  // Fast paths for decoders that hold the fields already (the standalone page's compact records):
  // the same effect as addOne() of the record, without making a million record objects first.

  /** As addOne({ type: 'resume', task, t, cause }). */
  addResume(task: Id, t: number, cause: ResumeCause): void {
    this.eventCount++;
    this.onResume(task, this.span.seen(t), cause);
  }

  /** As addOne({ type: 'suspend', task, t, site, stack, awaiting }). */
  addSuspend(task: Id, t: number, site: Site | null, stack: Frame[], awaiting: Awaiting): void {
    this.eventCount++;
    this.suspendAt(task, this.span.seen(t), site, stack, awaiting);
  }

  /** As addOne({ type: 'idle', t, dur }). */
  addIdle(t: number, dur: number): void {
    this.eventCount++;
    this.idleAt(this.span.seen(t), dur);
  }

  private idleAt(t: number, durValue: unknown): void {
    const dur = Math.max(0, num(durValue) ?? 0);
    this.idleStart.push(t);
    this.idleDur.push(dur);
    if (t + dur > this.span.max) this.span.max = t + dur;
  }

  private state(id: Id, t: number): TaskState {
    let state = this.states.get(id);
    if (!state) {
      // A task we never saw created (truncated start, or a tracer that missed it): make a lane.
      const lane: TaskLane = {
        id, name: `Task ${String(id)}`, coro: '?', parent: null, created: t, site: null, def: null,
        kind: 'task', end: null, steps: [], waits: [], busy: 0,
      };
      state = { lane, openStep: -1, openWait: -1, lastT: t, implicit: true };
      this.states.set(id, state);
      this.lanes.push(lane);
    }
    return state;
  }

  private onTask(record: TraceRecord & { type: 'task' }, t: number): void {
    const existing = this.states.get(record.task);
    const state = existing ?? this.state(record.task, t);
    const lane = state.lane;
    if (existing && !existing.implicit) return; // duplicate task record: first one wins
    state.implicit = false;
    lane.name = typeof record.name === 'string' ? record.name : lane.name;
    lane.coro = typeof record.coro === 'string' ? record.coro : lane.coro;
    lane.parent = typeof record.parent === 'number' ? record.parent : null;
    lane.created = Math.min(t, lane.created);
    lane.site = validSite(record.site);
    lane.def = validSite(record.def);
    lane.kind = record.kind === 'call' || record.kind === 'coroutine' ? record.kind : 'task';
  }

  private closeStep(state: TaskState, t: number): void {
    if (state.openStep < 0) return;
    const step = this.steps[state.openStep];
    step.end = Math.max(step.start, t);
    state.openStep = -1;
  }

  private closeWait(state: TaskState, t: number, cause?: ResumeCause): void {
    if (state.openWait < 0) return;
    const wait = this.waits[state.openWait];
    wait.end = Math.max(wait.start, t);
    if (cause) wait.resumedBy = cause;
    state.openWait = -1;
  }

  private onResume(id: Id, t: number, cause: ResumeCause | undefined): void {
    const state = this.state(id, t);
    if (t < state.lastT) t = state.lastT;
    state.lastT = t;
    const why = cause && typeof cause === 'object' && typeof cause.kind === 'string' ? cause : UNKNOWN_CAUSE;
    this.closeStep(state, t); // a missing suspend: the previous step ends here
    this.closeWait(state, t, why);
    const index = this.steps.length;
    this.steps.push({ index, task: id, start: t, end: NaN, cause: why });
    state.openStep = index;
  }

  private suspendAt(id: Id, t: number, site: unknown, stack: unknown, awaitingValue: unknown): void {
    const state = this.state(id, t);
    if (t < state.lastT) t = state.lastT;
    state.lastT = t;
    this.closeStep(state, t);
    this.closeWait(state, t); // suspended twice without a resume: the first wait ends here
    const awaiting = validAwaiting(awaitingValue);
    const index = this.waits.length;
    this.waits.push({
      index, task: id, start: t, end: NaN, site: validSite(site),
      stack: Array.isArray(stack) ? stack as Frame[] : [], awaiting, resumedBy: undefined,
    });
    state.openWait = index;
  }

  private onEnd(id: Id, t: number, outcome: Outcome | undefined, error?: string): void {
    const state = this.state(id, t);
    if (t < state.lastT) t = state.lastT;
    state.lastT = t;
    this.closeStep(state, t);
    this.closeWait(state, t);
    state.lane.end = { t, outcome: outcome === 'raised' || outcome === 'cancelled' ? outcome : 'returned' };
    if (typeof error === 'string') state.lane.end.error = error;
  }

  /** A consistent snapshot of everything added so far. */
  model(): TraceModel {
    return finish(this);
  }

  // Exposed to finish() only; kept as fields above for speed.
  static parts(b: ModelBuilder) {
    return {
      header: b.header, exit: b.exit, lanes: b.lanes, steps: b.steps, waits: b.waits,
      idleStart: b.idleStart, idleDur: b.idleDur, outputs: b.outputs, warnings: b.warnings,
      problems: b.problems, eventCount: b.eventCount, minT: b.span.min, maxT: b.span.max,
    };
  }
}

/** Builds the model of a whole trace at once. */
export function buildModel(records: TraceRecord[], problems?: Problem[]): TraceModel {
  const builder = new ModelBuilder(problems);
  builder.add(records);
  return builder.model();
}

function isSortedBy<T>(items: T[], key: (item: T) => number): boolean {
  for (let i = 1; i < items.length; i++) if (key(items[i]) < key(items[i - 1])) return false;
  return true;
}

const stepStart = (s: Step) => s.start;
const waitStart = (w: Wait) => w.start;
const outputT = (o: OutputRecord) => o.t;

/**
 * Tasks that share a name (Node names a call after its function: three calls of fetchItem; asyncio
 * tasks given one name) are told apart as "fetchItem #1", "#2", "#3", in the order they were made.
 */
function numberSameNames(lanes: TaskLane[]): void {
  const count = new Map<string, number>();
  for (const lane of lanes) count.set(lane.name, (count.get(lane.name) ?? 0) + 1);
  if (count.size === lanes.length) return;
  const seen = new Map<string, number>();
  for (const lane of lanes) {
    if (count.get(lane.name)! < 2) continue;
    const k = (seen.get(lane.name) ?? 0) + 1;
    seen.set(lane.name, k);
    lane.name = `${lane.name} #${k}`;
  }
}

function finish(builder: ModelBuilder): TraceModel {
  const p = ModelBuilder.parts(builder);
  const hasTimes = p.maxT >= p.minT;
  // The timeline starts at the first event, not at the tracer's t=0: the tracer's own start-up
  // (hundreds of ms for Node's instrumentation) is not the program's time.
  const start = hasTimes ? p.minT : 0;
  let end = hasTimes ? p.maxT : start;
  if (p.exit && typeof p.exit.t === 'number' && p.exit.t > end) end = p.exit.t;

  // Steps, time-ordered, open ones closed at the end of the trace. Closed steps are shared
  // with the builder (they never change again); open ones are copied.
  // Open steps and waits have end = NaN inside the builder (set once they close).
  let steps: Step[] = p.steps.map((s) => (s.end !== s.end ? { ...s, end: Math.max(s.start, end), open: true } : s));
  if (!isSortedBy(steps, stepStart)) steps = steps.slice().sort((a, b) => a.start - b.start);
  for (let i = 0; i < steps.length; i++) if (steps[i].index !== i) steps[i] = { ...steps[i], index: i };

  let waits: Wait[] = p.waits.map((w) => (w.end !== w.end ? { ...w, end: Math.max(w.start, end), open: true } : w));
  if (!isSortedBy(waits, waitStart)) waits = waits.slice().sort((a, b) => a.start - b.start);
  for (let i = 0; i < waits.length; i++) if (waits[i].index !== i) waits[i] = { ...waits[i], index: i };

  // Lanes: copies (their index lists grow in the builder), index lists rebuilt from sorted arrays.
  const tasks: TaskLane[] = new Array(p.lanes.length);
  const taskById = new Map<Id, TaskLane>();
  for (let i = 0; i < p.lanes.length; i++) {
    const lane = { ...p.lanes[i], steps: [] as number[], waits: [] as number[], busy: 0 };
    tasks[i] = lane;
    taskById.set(lane.id, lane);
  }
  numberSameNames(tasks);
  for (let i = 0; i < steps.length; i++) taskById.get(steps[i].task)!.steps.push(i);
  for (let i = 0; i < waits.length; i++) taskById.get(waits[i].task)!.waits.push(i);

  // Idle periods, time-ordered.
  let idleStart = p.idleStart;
  let idleDur = p.idleDur;
  if (!isSortedBy(idleStart, (x) => x)) {
    const order = idleStart.map((_, i) => i).sort((a, b) => idleStart[a] - idleStart[b]);
    idleStart = order.map((i) => p.idleStart[i]);
    idleDur = order.map((i) => p.idleDur[i]);
  }

  const { loop, handoffFrom, busy } = buildLoopLane(steps, idleStart, idleDur, taskById);
  let idle = 0;
  for (let i = 0; i < idleDur.length; i++) idle += idleDur[i];
  const idleMeter = makeIdleMeter(idleStart, idleDur);

  const outputs = isSortedBy(p.outputs, outputT) ? p.outputs.slice() : p.outputs.slice().sort((a, b) => a.t - b.t);

  const stats: TraceStats = {
    wall: end - start,
    busy,
    idle,
    peakConcurrency: peakConcurrency(tasks, end),
    sequential: sequentialCost(waits, busy, idleMeter),
    taskCount: tasks.length,
    eventCount: p.eventCount,
  };

  const model: TraceModel = {
    header: p.header,
    tasks,
    taskById,
    steps,
    waits,
    loop,
    handoffs: [],
    outputs,
    warnings: p.warnings.slice(),
    awaitSites: [],
    exit: p.exit,
    stats,
    start,
    end,
    problems: p.problems.slice(),
  };
  // Await-site statistics are computed on first use: the webview draws a big trace before
  // anything reads them (they are a third of the build time for a million events).
  let awaitSites: AwaitSiteStats[] | null = null;
  // Hand-offs too (one object per step: half a million for a million events, drawn only when zoomed in).
  let handoffs: Handoff[] | null = null;
  Object.defineProperty(model, 'handoffs', {
    get: () => (handoffs ??= makeHandoffs(steps, handoffFrom, taskById)),
    enumerable: true,
    configurable: true,
  });
  Object.defineProperty(model, 'awaitSites', {
    get: () => (awaitSites ??= buildAwaitSites(waits, steps, idleMeter)),
    enumerable: true,
    configurable: true,
  });
  return model;
}

/**
 * The event-loop lane: which task holds the loop at each moment, and idle gaps.
 * Steps may nest (a Node async call runs synchronously inside its caller's step): the
 * innermost one holds the loop, the enclosing one continues when it ends. Also computes
 * each task's own busy time (nested time is not counted twice) and the hand-offs.
 */
function buildLoopLane(
  steps: Step[], idleStart: number[], idleDur: number[], taskById: Map<Id, TaskLane>,
): { loop: LoopSegment[]; handoffFrom: Int32Array; busy: Nanos } {
  const taskSegments: LoopSegment[] = [];
  // For the hand-off to each step: the step that gave the loop up, or -1 (out of idle / startup).
  const handoffFrom = new Int32Array(steps.length);
  const stack: Step[] = [];
  let cursor = -Infinity;
  let busy = 0;

  const emit = (from: number, to: number, task: Id) => {
    if (to <= from) return;
    const last = taskSegments[taskSegments.length - 1];
    if (last && last.task === task && last.end === from) last.end = to;
    else taskSegments.push({ start: from, end: to, task });
    busy += to - from;
    taskById.get(task)!.busy += to - from;
  };
  // Emits what the stacked steps held up to time t, popping those that ended.
  const flushUntil = (t: number) => {
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.end <= t) {
        emit(Math.max(cursor, top.start), top.end, top.task);
        if (top.end > cursor) cursor = top.end;
        stack.pop();
      } else {
        emit(Math.max(cursor, top.start), t, top.task);
        if (t > cursor) cursor = t;
        return;
      }
    }
  };

  let previousTop: Step | null = null;
  let idleIndex = 0;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    flushUntil(step.start);
    if (stack.length) {
      // Nested: control passed synchronously from the enclosing step.
      handoffFrom[i] = stack[stack.length - 1].index;
    } else {
      // Top-level: the loop gave control from the previous step, unless it went idle in between.
      let wentIdle = false;
      const since = previousTop ? previousTop.end : -Infinity;
      while (idleIndex < idleStart.length && idleStart[idleIndex] < step.start) {
        if (idleStart[idleIndex] >= since && idleDur[idleIndex] > 0) wentIdle = true;
        idleIndex++;
      }
      handoffFrom[i] = previousTop && !wentIdle ? previousTop.index : -1;
      previousTop = step;
    }
    if (step.start > cursor) cursor = step.start;
    stack.push(step);
  }
  flushUntil(Infinity);

  // Merge the task segments with the idle ones, both time-ordered.
  const loop: LoopSegment[] = [];
  let a = 0;
  let b = 0;
  while (a < taskSegments.length || b < idleStart.length) {
    if (b >= idleStart.length || (a < taskSegments.length && taskSegments[a].start <= idleStart[b])) {
      loop.push(taskSegments[a++]);
    } else {
      if (idleDur[b] > 0) loop.push({ start: idleStart[b], end: idleStart[b] + idleDur[b], task: null });
      b++;
    }
  }
  return { loop, handoffFrom, busy };
}

/** The hand-offs, one per step in step order (handoffs[k].to === k), with their wakers linked. */
function makeHandoffs(steps: Step[], handoffFrom: Int32Array, taskById: Map<Id, TaskLane>): Handoff[] {
  const handoffs: Handoff[] = new Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    handoffs[i] = { from: handoffFrom[i] >= 0 ? handoffFrom[i] : null, to: i, t: step.start, cause: step.cause };
  }
  linkWakers(handoffs, steps, taskById);
  return handoffs;
}

/**
 * For a step woken by another task (it completed, released or put what this one waited for),
 * the waker's step that did it: its last step that started before this one. That is the
 * arrow a learner wants (the producer's put() that woke the consumer's get()), which is often
 * not the step the loop happened to run just before.
 */
function linkWakers(handoffs: Handoff[], steps: Step[], taskById: Map<Id, TaskLane>): void {
  for (let i = 0; i < handoffs.length; i++) {
    const handoff = handoffs[i];
    const cause = handoff.cause;
    if (cause.kind !== 'task' && !(cause.kind === 'cancel' && typeof cause.task === 'number')) continue;
    const waker = taskById.get(cause.task as Id);
    if (!waker || !waker.steps.length) continue;
    const start = steps[handoff.to].start;
    const list = waker.steps;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (steps[list[mid]].start < start) lo = mid + 1; else hi = mid;
    }
    if (lo > 0) handoff.wokenBy = list[lo - 1];
  }
}

/** Most tasks alive at once (created and not yet ended). */
function peakConcurrency(tasks: TaskLane[], end: number): number {
  const n = tasks.length;
  if (n === 0) return 0;
  // Typed-array sorts are numeric and fast, even for hundreds of thousands of Node async calls.
  const starts = new Float64Array(n);
  const ends = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    starts[i] = tasks[i].created;
    ends[i] = tasks[i].end ? tasks[i].end!.t : end + 1;
  }
  starts.sort();
  ends.sort();
  // Sweep: at the same instant an end counts before a start (a task ending as another starts is not concurrent).
  let alive = 0;
  let peak = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    while (j < n && ends[j] <= starts[i]) { alive--; j++; }
    alive++;
    if (alive > peak) peak = alive;
  }
  return peak;
}

/**
 * What the awaits would have cost run one after another: busy time plus, for every wait on
 * something outside the program's own tasks (a timer, I/O, an executor, an unknown future),
 * the time the outside world made it wait: the loop's idle time during the wait, or the
 * sleep's own delay when it asked for one (a sleep(1) costs 1 s one after another, even if
 * other tasks kept the loop busy meanwhile).
 * Not the wait's whole duration: a sleep(0) among 2,000 tasks waits for all of them to run,
 * but run alone it costs nothing; summing durations would count that queueing thousands of times.
 * Waits on other traced tasks (awaiting a task or a group, or resumed because another task
 * completed / released / put what it waited for) are left out: that time is already counted
 * in the other task's own waits and steps (gather of sleeps 2, 3, 1: 2 + 3 + 1 = 6 s, not
 * 6 + the 3 s main spent in gather).
 */
/** Idle time of the loop within [from, to], by binary search over prefix sums of the idle periods. */
type IdleMeter = (from: number, to: number) => number;

function makeIdleMeter(idleStart: number[], idleDur: number[]): IdleMeter {
  // Prefix sums over the time-ordered, non-overlapping idle periods.
  const starts: number[] = [];
  const ends: number[] = [];
  for (let i = 0; i < idleStart.length; i++) {
    if (idleDur[i] <= 0) continue;
    starts.push(idleStart[i]);
    ends.push(idleStart[i] + idleDur[i]);
  }
  const cumulative = new Float64Array(starts.length + 1);
  for (let i = 0; i < starts.length; i++) cumulative[i + 1] = cumulative[i] + (ends[i] - starts[i]);
  /** Idle time before t. */
  const idleUntil = (t: number): number => {
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < t) lo = mid + 1; else hi = mid;
    }
    // lo periods start before t; the last of them may run past t.
    if (lo === 0) return 0;
    return cumulative[lo] - Math.max(0, ends[lo - 1] - t);
  };
  return (from, to) => (to > from ? idleUntil(to) - idleUntil(from) : 0);
}

function sequentialCost(waits: Wait[], busy: number, idleDuring: IdleMeter): number {
  let total = busy;
  for (let i = 0; i < waits.length; i++) {
    const wait = waits[i];
    const kind = wait.awaiting.kind;
    if (kind === 'task' || kind === 'tasks') continue;
    const cause = wait.resumedBy;
    if (cause && (cause.kind === 'task' || (cause.kind === 'cancel' && typeof cause.task === 'number'))) continue;
    const duration = wait.end - wait.start;
    let cost = idleDuring(wait.start, wait.end);
    const delay = requestedDelay(wait);
    if (delay !== null) cost = Math.max(cost, Math.min(duration, delay));
    total += Math.max(0, Math.min(duration, cost));
  }
  return total;
}

/** The delay a wait asked for, ns: asyncio.sleep(d) (seconds), a Node timer (ms), the timer that woke it (seconds). */
function requestedDelay(wait: Wait): number | null {
  const awaiting = wait.awaiting as { kind: string; delay?: unknown };
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  if (awaiting.kind === 'sleep' && finite(awaiting.delay)) return awaiting.delay * 1e9;
  if (awaiting.kind === 'timer' && finite(awaiting.delay)) return awaiting.delay * 1e6;
  const cause = wait.resumedBy;
  if (cause && cause.kind === 'timer' && finite(cause.delay)) return cause.delay * 1e9;
  return null;
}

/** True for the pause of a caller while an async function it called runs synchronously (Node). */
export function isCallPause(wait: Wait): boolean {
  return wait.awaiting.kind === 'task' && (wait.awaiting as { call?: boolean }).call === true;
}

function waitSite(wait: Wait): Site | null {
  if (wait.site) return wait.site;
  const innermost = wait.stack[wait.stack.length - 1];
  return innermost && typeof innermost.file === 'string' && typeof innermost.line === 'number'
    ? { file: innermost.file, line: innermost.line, col: innermost.col ?? 1 } : null;
}

function causeLabel(cause: ResumeCause | undefined): string {
  if (!cause) return 'still waiting at the end of the trace';
  switch (cause.kind) {
    case 'task': return `task ${String(cause.task)}`;
    case 'timer': return 'timer';
    case 'io': return cause.label ? `I/O (${cause.label})` : 'I/O';
    case 'callback': return cause.label ? `callback (${cause.label})` : 'callback';
    case 'cancel': return 'cancellation';
    case 'yield': return 'yield';
    case 'start': return 'start';
    default: return 'unknown';
  }
}

interface SiteAccumulator {
  stats: AwaitSiteStats;
  /** kind → label → count */
  labels: Map<string, Map<string, { kind: string; label: string; count: number }>>;
  resumers: Map<string, { label: string; count: number; task?: Id }>;
  resumersByTask: Map<Id, { label: string; count: number; task?: Id }>;
  taskSet: Set<Id>;
  /** Wait intervals, to find who ran meanwhile. */
  starts: number[];
  ends: number[];
}

/** Per-await-site statistics, most total time first. */
function buildAwaitSites(waits: Wait[], steps: Step[], idleDuring: IdleMeter): AwaitSiteStats[] {
  // Two-level maps (file, then line): no key string built per wait.
  const bySite = new Map<string, SiteAccumulator>();
  const byFile = new Map<string, Map<number, SiteAccumulator>>();
  for (let i = 0; i < waits.length; i++) {
    const wait = waits[i];
    // A caller paused while a Node async function it called runs synchronously did not await.
    if (isCallPause(wait)) continue;
    const site = waitSite(wait);
    if (!site) continue;
    let byLine = byFile.get(site.file);
    if (!byLine) byFile.set(site.file, (byLine = new Map()));
    let acc = byLine.get(site.line);
    if (!acc) {
      const key = siteKey(site.file, site.line);
      acc = {
        stats: {
          key, site, count: 0, total: 0, mean: 0, max: 0, awaiting: [], ranMeanwhile: [], waits: [], tasks: [],
          ranMeanwhileBusy: [], resumedBy: [], openCount: 0, idleDuring: 0,
        },
        labels: new Map(), resumers: new Map(), resumersByTask: new Map(), taskSet: new Set(), starts: [], ends: [],
      };
      byLine.set(site.line, acc);
      bySite.set(key, acc);
    }
    const s = acc.stats;
    const dur = wait.end - wait.start;
    s.count++;
    s.total += dur;
    if (dur > s.max) s.max = dur;
    s.waits.push(i);
    s.idleDuring = (s.idleDuring ?? 0) + idleDuring(wait.start, wait.end);
    if (wait.open) s.openCount = (s.openCount ?? 0) + 1;
    if (!acc.taskSet.has(wait.task)) {
      acc.taskSet.add(wait.task);
      s.tasks.push(wait.task);
    }
    let labelsOfKind = acc.labels.get(wait.awaiting.kind);
    if (!labelsOfKind) acc.labels.set(wait.awaiting.kind, (labelsOfKind = new Map()));
    const labelText = String(wait.awaiting.label ?? '');
    const label = labelsOfKind.get(labelText);
    if (label) label.count++;
    else labelsOfKind.set(labelText, { kind: wait.awaiting.kind, label: labelText, count: 1 });
    const cause = wait.resumedBy;
    if (cause && cause.kind === 'task') {
      const resumer = acc.resumersByTask.get(cause.task);
      if (resumer) resumer.count++;
      else acc.resumersByTask.set(cause.task, { label: causeLabel(cause), count: 1, task: cause.task });
    } else {
      const resumerLabel = causeLabel(cause);
      const resumer = acc.resumers.get(resumerLabel);
      if (resumer) resumer.count++;
      else acc.resumers.set(resumerLabel, { label: resumerLabel, count: 1 });
    }
    acc.starts.push(wait.start);
    acc.ends.push(wait.end);
  }

  // Step starts as a typed array for binary search.
  const starts = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) starts[i] = steps[i].start;
  let maxStepLength = 0;
  for (let i = 0; i < steps.length; i++) maxStepLength = Math.max(maxStepLength, steps[i].end - steps[i].start);

  const out: AwaitSiteStats[] = [];
  for (const acc of bySite.values()) {
    const s = acc.stats;
    s.mean = s.count ? s.total / s.count : 0;
    const labels: { kind: string; label: string; count: number }[] = [];
    for (const ofKind of acc.labels.values()) for (const entry of ofKind.values()) labels.push(entry);
    s.awaiting = labels.sort((x, y) => y.count - x.count).slice(0, AWAITING_LABEL_LIMIT);
    s.resumedBy = [...acc.resumers.values(), ...acc.resumersByTask.values()].sort((x, y) => y.count - x.count);
    ranMeanwhile(acc, steps, starts, maxStepLength);
    out.push(s);
  }
  out.sort((x, y) => y.total - x.total || (x.key < y.key ? -1 : 1));
  return out;
}

/**
 * Which tasks held the loop while some wait at this site was pending, and for how long.
 * Scans the steps overlapping the union of the site's wait intervals (merged first, so
 * thousands of tasks waiting at the same line cost one pass, not one pass each).
 */
function ranMeanwhile(acc: SiteAccumulator, steps: Step[], starts: Float64Array, maxStepLength: number): void {
  const n = acc.starts.length;
  let order: number[] | null = null;
  for (let i = 1; i < n; i++) if (acc.starts[i] < acc.starts[i - 1]) { order = []; break; }
  if (order) {
    order = Array.from({ length: n }, (_, i) => i).sort((x, y) => acc.starts[x] - acc.starts[y]);
  }
  const busyByTask = new Map<Id, number>();
  let i = 0;
  while (i < n) {
    const first = order ? order[i] : i;
    const from = acc.starts[first];
    let to = acc.ends[first];
    i++;
    while (i < n) {
      const k = order ? order[i] : i;
      if (acc.starts[k] > to) break;
      if (acc.ends[k] > to) to = acc.ends[k];
      i++;
    }
    if (to <= from) continue;
    // First step that could overlap [from, to): starts at or after from - longest step.
    let lo = 0;
    let hi = starts.length;
    const target = from - maxStepLength;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < target) lo = mid + 1; else hi = mid;
    }
    for (let j = lo; j < steps.length && starts[j] < to; j++) {
      const step = steps[j];
      const overlap = Math.min(step.end, to) - Math.max(step.start, from);
      if (overlap <= 0 && !(step.start >= from && step.start < to)) continue;
      const prior = busyByTask.get(step.task);
      if (prior === undefined && busyByTask.size >= RAN_MEANWHILE_LIMIT) continue;
      busyByTask.set(step.task, (prior ?? 0) + Math.max(0, overlap));
    }
  }
  const ranked = [...busyByTask.entries()].sort((x, y) => y[1] - x[1]);
  acc.stats.ranMeanwhile = ranked.map((e) => e[0]);
  acc.stats.ranMeanwhileBusy = ranked.map((e) => e[1]);
}
