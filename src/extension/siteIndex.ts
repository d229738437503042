// Finds the await statistics for a line of an open document. Tracers write absolute paths
// as the runtime saw them (maybe through a symlink, maybe another drive-letter case), and the
// editor has its own idea of the path, so both sides are normalised the same way.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AwaitSiteStats, TraceModel } from '../model/types';

export function normalizeFile(file: string, platform: NodeJS.Platform = process.platform): string {
  let full = resolve(file);
  try {
    full = realpathSync.native(full);
  } catch {
    // The file may be gone since the trace; compare the path as written.
  }
  return platform === 'win32' || platform === 'darwin' ? full.toLowerCase() : full;
}

export class SiteIndex {
  /** normalised file -> line -> stats. */
  private readonly byFile = new Map<string, Map<number, AwaitSiteStats>>();
  private readonly byKey = new Map<string, AwaitSiteStats>();

  constructor(readonly model: TraceModel) {
    const normalized = new Map<string, string>();
    for (const stats of model.awaitSites) {
      this.byKey.set(stats.key, stats);
      let file = normalized.get(stats.site.file);
      if (file === undefined) normalized.set(stats.site.file, (file = normalizeFile(stats.site.file)));
      let lines = this.byFile.get(file);
      if (!lines) this.byFile.set(file, (lines = new Map()));
      const existing = lines.get(stats.site.line);
      // Two keys on one line (unlikely): show the busier one.
      if (!existing || existing.count < stats.count) lines.set(stats.site.line, stats);
    }
  }

  /** Stats for a 1-based line of a file, or undefined when nothing suspended there. */
  at(file: string, line: number): AwaitSiteStats | undefined {
    return this.byFile.get(normalizeFile(file))?.get(line);
  }

  /** Every traced await line of a file, for annotations. */
  linesOf(file: string): AwaitSiteStats[] {
    return [...(this.byFile.get(normalizeFile(file))?.values() ?? [])];
  }

  byKeyOf(key: string): AwaitSiteStats | undefined {
    return this.byKey.get(key);
  }

  /** Normalised paths of every file with a traced await. */
  files(): string[] {
    return [...this.byFile.keys()];
  }
}
