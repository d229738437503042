// The traces the extension knows about (finished runs, stopped runs, opened trace files),
// each with its model and a site index for hovers. Pure: no `vscode`.
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
  loadedAt: number;
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
    const model = buildModel(records, problems);
    const trace: LoadedTrace = {
      tracePath, program: program ?? model.header?.program, model, index: new SiteIndex(model), stale: new Set(), loadedAt: Date.now(),
    };
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

  /** A document changed: every trace with awaits in it goes stale for that file. */
  markStale(file: string): boolean {
    const wanted = normalizeFile(file);
    let any = false;
    for (const trace of this.traces.values()) {
      if (trace.stale.has(wanted)) continue;
      if (trace.index.linesOf(file).length > 0) {
        trace.stale.add(wanted);
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
