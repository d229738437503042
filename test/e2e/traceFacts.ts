// Facts read straight from the raw trace file the extension wrote (no model code), used to
// judge what the UI shows: which tasks exist, where each one suspended and on what, how many
// times each await line suspended. Pure Node: shared by the code-server suite (test/e2e) and
// the desktop extension-host suite (test/vscode).
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseTrace } from '../../src/trace/reader';
import type { SuspendRecord, TaskRecord, TraceRecord } from '../../src/trace/format';

/** The seed gather examples the suites trace, relative to the workspace (seed 001, program 4: sleeps of 2, 3 and 1 s). */
export const SEED_GATHER = { python: 'examples/python/001d_gather.py', typescript: 'examples/node/001d_gather.ts' };

/** Where the extension writes the trace of `program` with default settings (awaitLens.traceDirectory). */
export function defaultTracePath(program: string): string {
  return join(dirname(program), '.awaitlens', `${basename(program)}.ndjson`);
}

export function readTrace(path: string): TraceRecord[] {
  return parseTrace(readFileSync(path, 'utf8')).records;
}

/** Waits until the trace file exists and `ready(records)` holds (e.g. it has an exit record). */
export async function waitForTrace(
  path: string,
  ready: (records: TraceRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<TraceRecord[]> {
  const deadline = Date.now() + timeoutMs;
  let records: TraceRecord[] = [];
  while (Date.now() < deadline) {
    if (existsSync(path)) {
      records = readTrace(path);
      if (ready(records)) return records;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`trace ${path} not ready after ${timeoutMs} ms (${records.length} records: ${summarizeTypes(records)})`);
}

export const hasExit = (records: TraceRecord[]) => records.some((r) => r.type === 'exit');

function summarizeTypes(records: TraceRecord[]): string {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${t}×${n}`).join(' ') || 'none';
}

export interface AwaitLineFacts {
  line: number;
  /** Suspensions recorded at this line. */
  count: number;
  /** `awaiting.label` of each suspension, distinct. */
  labels: string[];
  /** Names of the tasks that suspended here. */
  taskNames: string[];
}

export interface TaskFacts {
  id: number;
  name: string;
  coro: string;
  /** Lines (in `program`) where this task suspended, in order, distinct. */
  suspendLines: number[];
  outcome?: string;
}

export interface TraceFacts {
  records: TraceRecord[];
  tasks: TaskFacts[];
  /** Await lines of `program`, by line number. */
  awaitLines: Map<number, AwaitLineFacts>;
  /** Count of loop hand-offs: a resume of a task other than the one that last suspended. */
  handoffs: number;
  idleRecords: number;
}

const samePath = (a: string, b: string) => a.replace(/\\/g, '/') === b.replace(/\\/g, '/');

/** Facts about `program`'s awaits and tasks, from the raw records. */
export function traceFacts(records: TraceRecord[], program: string): TraceFacts {
  const tasks = new Map<number, TaskFacts>();
  const awaitLines = new Map<number, AwaitLineFacts>();
  for (const r of records) {
    if (r.type === 'task') {
      const t = r as TaskRecord;
      tasks.set(t.task, { id: t.task, name: t.name, coro: t.coro, suspendLines: [] });
    }
  }
  let handoffs = 0;
  let lastSuspended: number | null = null;
  let idleRecords = 0;
  for (const r of records) {
    if (r.type === 'idle') idleRecords++;
    if (r.type === 'end') {
      const t = tasks.get(r.task);
      if (t) t.outcome = r.outcome;
      lastSuspended = r.task;
    }
    if (r.type === 'resume') {
      if (lastSuspended !== null && lastSuspended !== r.task) handoffs++;
    }
    if (r.type !== 'suspend') continue;
    const s = r as SuspendRecord;
    lastSuspended = s.task;
    // A Node caller paused while the async function it called runs synchronously: not an await (format.ts).
    if (s.awaiting?.kind === 'task' && s.awaiting.call) continue;
    if (!s.site || !samePath(s.site.file, program)) continue;
    const task = tasks.get(s.task);
    if (task && !task.suspendLines.includes(s.site.line)) task.suspendLines.push(s.site.line);
    let facts = awaitLines.get(s.site.line);
    if (!facts) awaitLines.set(s.site.line, (facts = { line: s.site.line, count: 0, labels: [], taskNames: [] }));
    facts.count++;
    if (s.awaiting?.label && !facts.labels.includes(s.awaiting.label)) facts.labels.push(s.awaiting.label);
    const name = task?.name ?? String(s.task);
    if (!facts.taskNames.includes(name)) facts.taskNames.push(name);
  }
  return { records, tasks: [...tasks.values()], awaitLines, handoffs, idleRecords };
}

/** 1-based numbers of the lines of `source` that contain an `await` keyword. */
export function awaitLinesOfSource(source: string): number[] {
  return source.split(/\r?\n/).flatMap((text, i) => (/(^|[^\w$])await\s/.test(text.replace(/#.*$|\/\/.*$/, '')) ? [i + 1] : []));
}

/** A duration as Await Lens prints it: a number with a time unit. */
export const DURATION = /\d+(\.\d+)?\s?(ns|µs|us|ms|s|min)\b/;

/**
 * What is wrong with a hover's text for an await line, judged against the raw trace:
 * it must say how many times the program suspended there, give durations, and name what
 * it waited on. Returns the problems found (empty: the hover is right).
 */
export function hoverProblems(hoverText: string, facts: AwaitLineFacts): string[] {
  const problems: string[] = [];
  const text = hoverText.replace(/\s+/g, ' ');
  const countWords = facts.count === 1 ? /\b(once|1 time|1×)\b/i : new RegExp(`\\b${facts.count}\\s*(times|×)`, 'i');
  if (!countWords.test(text)) problems.push(`does not say it suspended ${facts.count} time(s) here`);
  if (!DURATION.test(text)) problems.push('shows no duration with a unit');
  for (const label of facts.labels) {
    if (!text.includes(label)) problems.push(`does not name what it waited on: "${label}"`);
  }
  return problems;
}
