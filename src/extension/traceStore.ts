// The traces the extension knows about (finished runs, stopped runs, opened trace files),
// each with its model and a site index for hovers. Pure: no `vscode`.
import { readFileSync, statSync } from 'node:fs';
import { buildModel } from '../model/build';
import type { TraceModel } from '../model/types';
import type { TraceRecord } from '../trace/format';
import { SiteIndex, normalizeFile } from './siteIndex';
import type { AwaitSiteStats } from '../model/types';

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
    const trace: LoadedTrace = {
      tracePath, program: program ?? model.header?.program, model, index, stale: new Set(), snapshots: new Map(), loadedAt: Date.now(),
      live: options.live,
    };
    const startedAt = model.header?.startedAt;
    for (const file of index.files()) {
      if (previous?.snapshots.has(file)) {
        trace.snapshots.set(file, previous.snapshots.get(file)!);
        if (previous.stale.has(file)) trace.stale.add(file);
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

  /** The site at file:line in the newest trace that has one there. */
  siteAt(file: string, line: number): { trace: LoadedTrace; stats: AwaitSiteStats } | undefined {
    for (const trace of this.all()) {
      const stats = trace.index.at(file, line);
      if (stats) return { trace, stats };
    }
    return undefined;
  }

  /**
   * A document changed. Without its text, every trace with awaits in it goes stale for that file;
   * with it, the file is stale unless the text is back to what was traced (an undo).
   * Returns true when some trace's staleness changed.
   */
  documentChanged(file: string, text?: string): boolean {
    const wanted = normalizeFile(file);
    let any = false;
    for (const trace of this.traces.values()) {
      if (trace.index.linesOf(file).length === 0) continue;
      const snapshot = trace.snapshots.get(wanted);
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
}
