// Reads NDJSON trace text into records. Tolerant by design: a program killed mid-write
// leaves a truncated last line, and a corrupt file must still show what can be read.
import type { Awaiting, ResumeCause, ResumeRecord, SuspendRecord, TraceRecord, WhereRecord } from './format';

export interface ParseProblem {
  /** 1-based line number in the trace file. */
  line: number;
  message: string;
}

export interface ParsedTrace {
  records: TraceRecord[];
  problems: ParseProblem[];
}

/** A step record's cause when it names none: it had yielded (the commonest step by far). */
const YIELD: ResumeCause = { kind: 'yield' };

const KNOWN_TYPES = new Set(['header', 'task', 'resume', 'suspend', 'end', 'rename', 'idle', 'output', 'warning', 'exit']);

/**
 * Incremental reader: feed it chunks as the file grows (live tracing), it yields whole records.
 * A partial last line is kept until the next chunk completes it, or until `finish()`.
 */
export class TraceReader {
  private pending = '';
  private lineNo = 0;
  readonly problems: ParseProblem[] = [];
  /** `where` records seen so far, by id: suspends that name one are expanded from it. */
  private readonly wheres = new Map<number, WhereRecord>();
  /** Task ids seen in task records, with their line: a second record for one is a problem. */
  private readonly taskLines = new Map<unknown, number>();

  /** Parses every complete line in `chunk` (plus what was pending). */
  push(chunk: string): TraceRecord[] {
    const text = this.pending + chunk;
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline < 0) {
      this.pending = text;
      return [];
    }
    this.pending = text.slice(lastNewline + 1);
    return this.parseLines(text.slice(0, lastNewline));
  }

  /** The stream ended: parse what is left (a truncated line becomes a problem, not a crash). */
  finish(): TraceRecord[] {
    const rest = this.pending;
    this.pending = '';
    if (!rest.trim()) return [];
    return this.parseLines(rest, true);
  }

  private parseLines(block: string, last = false): TraceRecord[] {
    const out: TraceRecord[] = [];
    for (const line of block.split('\n')) {
      this.lineNo++;
      const trimmed = line.trim();
      if (!trimmed) continue;
      let value: unknown;
      try {
        value = JSON.parse(trimmed);
      } catch {
        this.problems.push({
          line: this.lineNo,
          message: last ? 'truncated last line (the program was probably killed while writing it)' : 'not valid JSON',
        });
        continue;
      }
      if (!value || typeof value !== 'object' || typeof (value as { type?: unknown }).type !== 'string') {
        this.problems.push({ line: this.lineNo, message: 'not a trace record (no "type")' });
        continue;
      }
      const type = (value as { type: string }).type;
      if (type === 'suspend' && (value as { where?: unknown }).where !== undefined) {
        out.push(this.expandSuspend(value as Record<string, unknown>));
        continue;
      }
      if (type === 'step') {
        this.expandStep(value as Record<string, unknown>, out);
        continue;
      }
      if (type === 'where') {
        this.rememberWhere(value as Record<string, unknown>);
        continue;
      }
      // Unknown record types are skipped silently: newer tracers may add types (the format allows it).
      if (!KNOWN_TYPES.has(type)) continue;
      if (type === 'header') normalizeHeader(value as Record<string, unknown>);
      if (type === 'task') this.noteTask((value as { task?: unknown }).task);
      out.push(value as TraceRecord);
    }
    return out;
  }

  /** Two task records with one id (two traces joined, a tracer bug): the first one names the lane. */
  private noteTask(id: unknown): void {
    const first = this.taskLines.get(id);
    if (first === undefined) this.taskLines.set(id, this.lineNo);
    else this.problems.push({ line: this.lineNo, message: `task ${String(id)} is already defined on line ${first}: this task record is ignored, and the events of both are shown as one task` });
  }

  private rememberWhere(w: Record<string, unknown>): void {
    if (typeof w.id !== 'number' || !Array.isArray(w.stack) || !('site' in w)) {
      this.problems.push({ line: this.lineNo, message: 'a where record needs an "id", a "site" and a "stack"' });
      return;
    }
    this.wheres.set(w.id, w as unknown as WhereRecord);
  }

  /** A step written as {task, t, d, cause?, where, awaiting?}: its resume, then its suspend. */
  private expandStep(r: Record<string, unknown>, out: TraceRecord[]): void {
    if (typeof r.t !== 'number' || typeof r.d !== 'number') {
      this.problems.push({ line: this.lineNo, message: 'a step record needs a number "t" and "d"' });
      return;
    }
    const cause = (r.cause as ResumeCause | undefined) ?? YIELD;
    out.push({ type: 'resume', task: r.task, t: r.t, cause } as ResumeRecord);
    out.push(this.expandSuspend({ task: r.task, t: r.t + Math.max(0, r.d), where: r.where, awaiting: r.awaiting }));
  }

  /** A suspend written as {task, t, where, awaiting?}: the full record every consumer reads. */
  private expandSuspend(r: Record<string, unknown>): SuspendRecord {
    const where = this.wheres.get(r.where as number);
    if (!where) {
      this.problems.push({ line: this.lineNo, message: `suspend names where record ${String(r.where)}, which no earlier line defines` });
    }
    // The site, stack and awaiting objects are shared by every suspend at that place (read-only).
    const awaiting = (r.awaiting as Awaiting | undefined) ?? where?.awaiting
      ?? { kind: 'unknown', label: where ? 'not recorded' : `unknown (where record ${String(r.where)} is missing)` };
    return {
      type: 'suspend',
      task: r.task as number,
      t: r.t as number,
      site: where ? where.site : null,
      stack: where ? where.stack : [],
      awaiting,
    };
  }
}

/** Header text fields every reader uses as strings (paths, labels): '' when a file has them otherwise. */
function normalizeHeader(h: Record<string, unknown>): void {
  for (const key of ['program', 'runtime', 'runtimeVersion']) if (typeof h[key] !== 'string') h[key] = '';
}

/** Parses a whole trace text at once. */
export function parseTrace(text: string): ParsedTrace {
  const reader = new TraceReader();
  const records = reader.push(text);
  records.push(...reader.finish());
  return { records, problems: reader.problems };
}

/** Throws one clear error when the text is not an Await Lens trace at all. */
export function checkTraceHeader(parsed: ParsedTrace, source = 'file'): void {
  const first = parsed.records[0];
  if (!first || first.type !== 'header' || (first as { format?: string }).format !== 'awaitlens') {
    throw new Error(`${source} is not an Await Lens trace (its first line should be a header record with "format":"awaitlens")`);
  }
  if (first.version !== 1) {
    throw new Error(`${source} is trace format version ${JSON.stringify(first.version) ?? 'missing'}; this Await Lens reads version 1`);
  }
}
