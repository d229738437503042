// The model built from a trace: lanes, steps, hand-offs and per-await statistics.
// Plain data shared by the CLI, the extension host and the webview: no `vscode`, no DOM.
import type {
  Awaiting, ExitRecord, HeaderRecord, Id, Nanos, Outcome, OutputRecord, ResumeCause, Site, Frame, WarningRecord,
} from '../trace/format';

/** A stretch during which one task held the event loop. */
export interface Step {
  /** Index in TraceModel.steps (global, in time order). */
  index: number;
  task: Id;
  start: Nanos;
  /** End of the step; for a step still running at the end of the trace, the trace's end. */
  end: Nanos;
  /** Why the loop ran this task now. */
  cause: ResumeCause;
  /** True when the trace ended while this step ran (crash, kill, still running). */
  open?: boolean;
}

/** A stretch during which a task was suspended at an await. */
export interface Wait {
  /** Index in TraceModel.waits. */
  index: number;
  task: Id;
  start: Nanos;
  /** When it resumed; for a wait still pending at the end of the trace, the trace's end. */
  end: Nanos;
  site: Site | null;
  stack: Frame[];
  awaiting: Awaiting;
  /** What resumed it (the cause of the following step), absent if it never resumed. */
  resumedBy?: ResumeCause;
  /** True when the trace ended with the task still waiting here. */
  open?: boolean;
}

export interface TaskEnd {
  t: Nanos;
  outcome: Outcome;
  error?: string;
}

export interface TaskLane {
  id: Id;
  name: string;
  coro: string;
  parent: Id | null;
  created: Nanos;
  site: Site | null;
  def: Site | null;
  kind: 'task' | 'call' | 'coroutine';
  end: TaskEnd | null;
  /** Indices into TraceModel.steps, in time order. */
  steps: number[];
  /** Indices into TraceModel.waits, in time order. */
  waits: number[];
  /** Total time holding the loop, ns. */
  busy: Nanos;
}

/** The loop gave control from one step to the next one it ran. */
export interface Handoff {
  /** Step that gave the loop up (index into steps), null when the loop came out of idle or startup. */
  from: number | null;
  /** Step the loop ran next. */
  to: number;
  t: Nanos;
  cause: ResumeCause;
  /**
   * When another task woke this one (cause task N: it completed / released / put what this one
   * waited for): N's step that did it (index into steps). Often not `from`: the loop may run
   * other steps between the wake-up and this one.
   */
  wokenBy?: number;
}

/** One entry of the event-loop lane. */
export interface LoopSegment {
  start: Nanos;
  end: Nanos;
  /** The task holding the loop, or null: idle (waiting for timers or I/O). */
  task: Id | null;
}

/** Everything that happened at one `await` line. Keyed by `file:line`. */
export interface AwaitSiteStats {
  key: string;
  site: Site;
  count: number;
  total: Nanos;
  mean: Nanos;
  max: Nanos;
  /** Distinct labels of what was awaited here, most frequent first. */
  awaiting: { kind: string; label: string; count: number }[];
  /** Tasks that held the loop while some wait at this site was pending, longest-running first (at most 200). */
  ranMeanwhile: Id[];
  /** How long each of `ranMeanwhile` held the loop during those waits, ns (same order). */
  ranMeanwhileBusy?: Nanos[];
  /** What resumed the waits here ("timer", "task 3", "I/O", ...), most frequent first. */
  resumedBy?: { label: string; count: number; task?: Id }[];
  /** Waits still pending at the end of the trace. */
  openCount?: number;
  /** How much of the waits here the loop sat idle (waiting for timers / I/O), summed over the waits, ns. */
  idleDuring?: Nanos;
  /** Indices into TraceModel.waits. */
  waits: number[];
  /** Tasks that suspended here. */
  tasks: Id[];
}

export interface TraceStats {
  /** From the trace's first event to its last (the tracer's own start-up before the first event is left out), ns. */
  wall: Nanos;
  /** Sum of step durations (some task held the loop). */
  busy: Nanos;
  /** Sum of idle records (loop waited for timers / I/O). */
  idle: Nanos;
  /** Most tasks alive (created, not ended) at one time. */
  peakConcurrency: number;
  /**
   * What the awaits would have cost run one after another: busy time plus, for each wait
   * not spent on another traced task, the time the outside world made it wait (the loop's
   * idle time during it, or the sleep's own delay). Queueing behind other tasks is not a cost:
   * a sleep(0) among 2,000 busy tasks adds nothing.
   * The seed lesson: gather of sleeps 2, 3, 1 takes ~3 s, sequentially ~6 s.
   */
  sequential: Nanos;
  taskCount: number;
  eventCount: number;
}

export interface TraceModel {
  header: HeaderRecord | null;
  tasks: TaskLane[];
  /** Lookup by task id. */
  taskById: Map<Id, TaskLane>;
  steps: Step[];
  waits: Wait[];
  loop: LoopSegment[];
  /** One per step, in step order: handoffs[k].to === k (built on first use). */
  handoffs: Handoff[];
  outputs: OutputRecord[];
  warnings: WarningRecord[];
  awaitSites: AwaitSiteStats[];
  exit: ExitRecord | null;
  stats: TraceStats;
  /** Start and end of the time range covered, ns. */
  start: Nanos;
  end: Nanos;
  /** Lines that could not be parsed (corrupt or truncated trace), with their line number. */
  problems: { line: number; message: string }[];
}
