// The Await Lens trace format, version 1: one JSON object per line (NDJSON).
// Written by every tracer (Python, Node) while the program runs, read by the model,
// the CLI, the extension host and the webview. No `vscode` import here, ever.
// docs/trace-format.md is the prose version of this file; keep both in step.

/** Integer nanoseconds on a monotonic clock, counted from the trace's start. */
export type Nanos = number;
/** Integer id, unique within one trace (tasks, futures, warnings share no namespace rules). */
export type Id = number;

/** A place in the user's source: absolute path, 1-based line, 1-based column. */
export interface Site {
  file: string;
  line: number;
  col: number;
}

/** One frame of a coroutine / async call chain. */
export interface Frame {
  fn: string;
  file: string;
  line: number;
  col?: number;
}

export type Runtime = 'python' | 'node';

export interface HeaderRecord {
  type: 'header';
  format: 'awaitlens';
  version: 1;
  runtime: Runtime;
  runtimeVersion: string;
  program: string;
  argv: string[];
  cwd?: string;
  pid?: number;
  /** Wall-clock time of t=0, ms since the Unix epoch (for display only). */
  startedAt?: number;
  /** Blocking-step threshold in force, ns. */
  blockingThreshold?: Nanos;
  /** Which tracer wrote this, e.g. "awaitlens-python 0.1.0". */
  tracer?: string;
  /** The interpreter that ran the program (Python: sys.executable). */
  executable?: string;
}

export interface TaskRecord {
  type: 'task';
  task: Id;
  /** Display name: "Task-2" for asyncio, the function name for Node async calls. */
  name: string;
  /** Coroutine / async function name. */
  coro: string;
  /** The task that created this one, null for the root. */
  parent: Id | null;
  t: Nanos;
  /** Where it was created (create_task / gather / call site). */
  site?: Site | null;
  /** Where the coroutine / async function is defined. */
  def?: Site | null;
  /**
   * "task" for a scheduled asyncio Task, "call" for a Node async function call,
   * "coroutine" for a coroutine awaited directly (when a tracer chooses to model it).
   */
  kind?: 'task' | 'call' | 'coroutine';
  /** True when created by an eager task factory and first ran synchronously. */
  eager?: boolean;
}

/** Why the loop handed control to a task. */
export type ResumeCause =
  | { kind: 'start' }                              // first step of a new task
  | { kind: 'timer'; delay?: number }               // a timer it waited on fired (delay in seconds)
  | { kind: 'io'; label?: string; fd?: number }     // I/O became ready
  | { kind: 'task'; task: Id; label?: string }      // task N completed/resolved what it waited on
  | { kind: 'callback'; label?: string }            // a loop callback / thread / executor completed it
  | { kind: 'cancel'; task?: Id }                   // it was cancelled (by task N)
  | { kind: 'yield' }                               // it yielded with sleep(0) / setImmediate
  | { kind: 'unknown'; label?: string };

export interface ResumeRecord {
  type: 'resume';
  task: Id;
  t: Nanos;
  cause: ResumeCause;
}

/** What a suspended task waits on. `label` is always a short human text. */
export type Awaiting =
  | { kind: 'sleep'; label: string; delay: number }                 // seconds
  | { kind: 'task'; label: string; task: Id; call?: boolean }       // call: paused while a Node async function it called runs synchronously (not an await)
  | { kind: 'tasks'; label: string; tasks: Id[]; how: 'gather' | 'wait' | 'wait_for' | 'as_completed' | 'taskgroup' | 'all' | 'allSettled' | 'race' | 'any' | string }
  | { kind: 'queue' | 'lock' | 'event' | 'condition' | 'semaphore'; label: string; op?: string }
  | { kind: 'io'; label: string; fd?: number; op?: string }        // stream, socket, file system
  | { kind: 'executor'; label: string }
  | { kind: 'timer'; label: string; delay?: number }                // Node timers (ms in `delay`)
  | { kind: 'immediate'; label: string }                            // setImmediate / sleep(0)
  | { kind: 'future' | 'promise'; label: string }
  | { kind: 'unknown'; label: string };

export interface SuspendRecord {
  type: 'suspend';
  task: Id;
  t: Nanos;
  /** The `await` in the user's own code where the task stopped. */
  site: Site | null;
  /** Coroutine chain, outermost first. */
  stack: Frame[];
  awaiting: Awaiting;
}

/**
 * As written (both tracers): most suspends of a trace stand at a few await sites, so the site,
 * stack and often what it awaits are written once in a `where` record and named by its id.
 * Readers (src/trace/reader.ts) expand these into full SuspendRecords: no consumer sees either.
 */
export interface WhereRecord {
  type: 'where';
  /** Unique among the trace's where records; written before any suspend that names it. */
  id: Id;
  site: Site | null;
  stack: Frame[];
  /** What a suspend naming this where awaits, unless the suspend says it itself. */
  awaiting?: Awaiting;
}

/** A suspend as written with a `where` reference: `awaiting` here wins over the where's. */
export interface WrittenSuspendRecord {
  type: 'suspend';
  task: Id;
  t: Nanos;
  where: Id;
  awaiting?: Awaiting;
}

/**
 * A whole step in one record, as both tracers write most of them: the task resumed at `t`
 * for `cause` (absent: `yield`) and suspended `d` ns later where the `where` record says, awaiting
 * what `awaiting` (or the where) says. Readers expand it into a ResumeRecord and a SuspendRecord.
 */
export interface WrittenStepRecord {
  type: 'step';
  task: Id;
  t: Nanos;
  d: Nanos;
  cause?: ResumeCause;
  where: Id;
  awaiting?: Awaiting;
}

export type Outcome = 'returned' | 'raised' | 'cancelled';

export interface EndRecord {
  type: 'end';
  task: Id;
  t: Nanos;
  outcome: Outcome;
  error?: string;
}

/**
 * A task's name changed after its `task` record was written (Python: named after an eager first
 * step, or `set_name()` later). Written when the tracer notices, at the latest when the task ends.
 */
export interface RenameRecord {
  type: 'rename';
  task: Id;
  t: Nanos;
  name: string;
}

export interface IdleRecord {
  type: 'idle';
  t: Nanos;
  dur: Nanos;
}

export interface OutputRecord {
  type: 'output';
  t: Nanos;
  task: Id | null;
  stream: 'stdout' | 'stderr';
  text: string;
}

export type WarningKind = 'blocking' | 'never-awaited' | 'pending-at-exit' | 'unhandled-rejection' | 'syntax-error' | 'tracer' | string;

export interface WarningRecord {
  type: 'warning';
  kind: WarningKind;
  t: Nanos;
  task?: Id | null;
  dur?: Nanos;
  site?: Site | null;
  /** For blocking steps: where the time went, most samples first. */
  hotspots?: { site: Site; samples: number }[];
  /** For blocking steps (Node): `site` is where the longest step began, `endSite` where it gave the loop back. */
  endSite?: Site | null;
  /** For blocking steps (Node): that step's own time, without the async functions it called synchronously. */
  selfDur?: Nanos;
  message: string;
}

export interface ExitRecord {
  type: 'exit';
  t: Nanos;
  code: number;
  signal?: string | null;
}

export type TraceRecord =
  | HeaderRecord
  | TaskRecord
  | ResumeRecord
  | SuspendRecord
  | EndRecord
  | RenameRecord
  | IdleRecord
  | OutputRecord
  | WarningRecord
  | ExitRecord;

export type RecordType = TraceRecord['type'];

export const TRACE_FORMAT = 'awaitlens';
export const TRACE_VERSION = 1;
