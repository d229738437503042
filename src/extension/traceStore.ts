// The traces the extension knows about (finished runs, stopped runs, opened trace files),
// each with its model and a site index for hovers. Pure: no `vscode`.
import { readFileSync, statSync } from 'node:fs';
import { buildModel } from '../model/build';
import type { TraceModel } from '../model/types';
import type { TraceRecord } from '../trace/format';
import { SiteIndex, normalizeFile } from './siteIndex';
import type { AwaitSiteStats } from '../model/types';
import { warningMarks, type WarningMark } from './warningMarks';

export interface LoadedTrace {
  tracePath: string;
  /** The traced program, when known. */
  program?: string;
  model: TraceModel;
  index: SiteIndex;
  /** Normalised files edited since the trace was taken: their hovers say so, their annotations go. */
  stale: Set<string>;
  /** Text of each traced file as it was on disk when the trace was loaded (to tell an undo from an edit). */
  snapshots: Map<string, string>;
  loadedAt: number;
  /** The program is still running: figures so far. */
  live?: boolean;
  /** Its warnings as marks on source lines (the Problems panel's entries). */
  marks: WarningMark[];
  /**
   * Per normalised file edited since the trace (unsaved or saved): where each traced await line
   * and warning line is now (1-based), or null where an edit took it away or split it. No entry:
   * lines as traced.
   */
  lineMaps: Map<string, Map<number, number | null>>;
}

/** A warning mark where its line is now, and whether the file was edited since it was traced. */
export interface PlacedMark { mark: WarningMark; line: number; edited: boolean }

/** One edit of a document, as VS Code reports it: a range of the text before it (0-based) and what replaced it. */
export interface TextChange {
  startLine: number;
  startCol: number;
  endLine: number;
  endCol: number;
  text: string;
}

/**
 * Where a line (0-based) is after one edit, or null when the edit replaced it or cut it in two
 * around the await (`col`, 0-based, is where the await starts on it; `len` how long it is).
 */
export function shiftLine(line: number, change: TextChange, col = 0, len = 5): number | null {
  const added = (change.text.match(/\r\n|\r|\n/g) ?? []).length;
  const removed = change.endLine - change.startLine;
  if (line < change.startLine) return line;
  if (line > change.endLine) return line + added - removed;
  if (removed > 0) return null;
  // On the line itself, nothing removed across lines: typing within it keeps it where it is;
  // new lines inserted before the await push it down, after it leave it.
  if (added === 0) return line;
  if (change.endCol <= col) return line + added;
  if (change.startCol >= col + len) return line;
  return null;
}

export class TraceStore {
  private readonly traces = new Map<string, LoadedTrace>();
  private readonly listeners: (() => void)[] = [];

  /** Called when a trace is added or replaced, or a file goes stale. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  set(tracePath: string, records: TraceRecord[], problems: { line: number; message: string }[] = [], program?: string): LoadedTrace {
    return this.setModel(tracePath, buildModel(records, problems), program);
  }

  /**
   * Adds or replaces a trace by its model (a live run passes snapshots as it goes). The snapshots
   * of file texts and staleness carry over from the trace it replaces while the same run goes on.
   */
  setModel(tracePath: string, model: TraceModel, program?: string, options: { sameRun?: boolean; live?: boolean } = {}): LoadedTrace {
    const previous = options.sameRun ? this.traces.get(tracePath) : undefined;
    const index = new SiteIndex(model);
    const marks = warningMarks(model);
    const trace: LoadedTrace = {
      tracePath, program: program ?? model.header?.program, model, index, stale: new Set(), snapshots: new Map(), loadedAt: Date.now(),
      live: options.live, marks, lineMaps: new Map(),
    };
    const startedAt = model.header?.startedAt;
    for (const file of new Set([...index.files(), ...marks.map((m) => normalizeFile(m.file))])) {
      if (previous?.snapshots.has(file)) {
        trace.snapshots.set(file, previous.snapshots.get(file)!);
        if (previous.stale.has(file)) trace.stale.add(file);
        const moved = previous.lineMaps.get(file);
        if (moved) trace.lineMaps.set(file, moved);
        continue;
      }
      try {
        // Saved after the program started (a trace reopened later): its lines may have moved.
        if (typeof startedAt === 'number' && statSync(file).mtimeMs > startedAt) trace.stale.add(file);
        trace.snapshots.set(file, readFileSync(file, 'utf8'));
      } catch {
        // Gone or unreadable: nothing to compare with; edits to it (if it reappears) count as stale.
      }
    }
    this.traces.set(tracePath, trace);
    this.changed();
    return trace;
  }

  get(tracePath: string): LoadedTrace | undefined {
    return this.traces.get(tracePath);
  }

  delete(tracePath: string): void {
    if (this.traces.delete(tracePath)) this.changed();
  }

  /** Newest first: when two traces cover one file, the latest one speaks. */
  all(): LoadedTrace[] {
    return [...this.traces.values()].sort((a, b) => b.loadedAt - a.loadedAt);
  }

  /** The newest trace whose program is this file, or that has awaits in it. */
  forFile(file: string): LoadedTrace | undefined {
    const wanted = normalizeFile(file);
    const all = this.all();
    return all.find((t) => t.program && normalizeFile(t.program) === wanted) ?? all.find((t) => t.index.linesOf(file).length > 0);
  }

  /**
   * The site at file:line (the line as the document has it now, 1-based) in the newest trace
   * that has one there: edits since the trace move its lines with them.
   */
  siteAt(file: string, line: number): { trace: LoadedTrace; stats: AwaitSiteStats } | undefined {
    const wanted = normalizeFile(file);
    for (const trace of this.all()) {
      const moved = trace.lineMaps.get(wanted);
      let traced: number | undefined = line;
      if (moved) {
        traced = undefined;
        for (const [original, now] of moved) if (now === line) traced = original;
        // A traced line that an edit took away answers nothing; lines the edit added neither.
        if (traced === undefined) continue;
      }
      const stats = trace.index.at(file, traced);
      if (stats) return { trace, stats };
    }
    return undefined;
  }

  /** Where a traced await line of a file is now (1-based), or null when an edit took it away. */
  currentLine(trace: LoadedTrace, file: string, tracedLine: number): number | null {
    const moved = trace.lineMaps.get(normalizeFile(file));
    if (!moved) return tracedLine;
    const now = moved.get(tracedLine);
    return now === undefined ? tracedLine : now;
  }

  /**
   * A document changed. Without its text, every trace with awaits in it goes stale for that file;
   * with it, the file is stale unless the text is back to what was traced (an undo).
   * Returns true when some trace's staleness changed.
   */
  documentChanged(file: string, text?: string, changes: TextChange[] = []): boolean {
    const wanted = normalizeFile(file);
    let any = false;
    for (const trace of this.traces.values()) {
      const cols = trackedLines(trace, file);
      if (cols.size === 0) continue;
      const snapshot = trace.snapshots.get(wanted);
      if (text !== undefined && snapshot !== undefined && text === snapshot) {
        // Back to what was traced (an undo): the lines are where they were.
        trace.lineMaps.delete(wanted);
      } else if (changes.length) {
        let moved = trace.lineMaps.get(wanted);
        if (!moved) trace.lineMaps.set(wanted, (moved = new Map([...cols.keys()].map((line) => [line, line]))));
        // VS Code lists the changes of one event so that each applies to the text the previous left.
        for (const change of changes) {
          for (const [original, now] of moved) {
            if (now === null) continue;
            const next = shiftLine(now - 1, change, cols.get(original));
            moved.set(original, next === null ? null : next + 1);
          }
        }
        // Not a change listeners hear of (it comes with every key press): hovers ask as they show.
      }
      const stale = text === undefined || snapshot === undefined || text !== snapshot;
      if (stale !== trace.stale.has(wanted)) {
        if (stale) trace.stale.add(wanted); else trace.stale.delete(wanted);
        any = true;
      }
    }
    if (any) this.changed();
    return any;
  }

  isStale(trace: LoadedTrace, file: string): boolean {
    return trace.stale.has(normalizeFile(file));
  }

  /** Whether some trace has a warning mark in this file. */
  hasMarksIn(file: string): boolean {
    const wanted = normalizeFile(file);
    return this.all().some((t) => t.marks.some((m) => normalizeFile(m.file) === wanted));
  }

  /**
   * The warning marks to show, by normalised file: each file's from the newest trace that covers
   * it, at the lines where they are now (a mark whose line an edit took away is left out).
   */
  placedMarks(): Map<string, PlacedMark[]> {
    const byFile = new Map<string, PlacedMark[]>();
    const claimed = new Set<string>();
    for (const trace of this.all()) {
      const files = new Set<string>(trace.index.files());
      for (const mark of trace.marks) {
        const file = normalizeFile(mark.file);
        files.add(file);
        if (claimed.has(file)) continue;
        const line = this.currentLine(trace, file, mark.line);
        if (line === null) continue;
        const list = byFile.get(file) ?? [];
        list.push({ mark, line, edited: trace.stale.has(file) });
        byFile.set(file, list);
      }
      for (const f of files) claimed.add(f);
    }
    return byFile;
  }
}

/** The lines of a file followed through its edits, with the column (0-based) where each one's await or warning starts. */
function trackedLines(trace: LoadedTrace, file: string): Map<number, number> {
  const cols = new Map<number, number>();
  for (const s of trace.index.linesOf(file)) cols.set(s.site.line, Math.max(0, (s.site.col ?? 1) - 1));
  const wanted = normalizeFile(file);
  for (const m of trace.marks) if (!cols.has(m.line) && normalizeFile(m.file) === wanted) cols.set(m.line, Math.max(0, m.col - 1));
  return cols;
}
