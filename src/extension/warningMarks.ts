// Trace warnings (a step that blocked the loop, a coroutine never awaited, tasks pending at exit,
// unhandled rejections) as marks on source lines, for the Problems panel. Pure: no `vscode`.
// One mark per line and kind, however often it happened, so a blocking call in a loop is one
// entry saying how often and how long at worst.
import { formatDuration } from '../model/format-time';
import type { TraceModel } from '../model/types';

export interface WarningMark {
  file: string;
  /** 1-based. */
  line: number;
  col: number;
  kind: string;
  /** Plain text (the Problems panel shows it as text). */
  message: string;
  count: number;
}

const KIND_LABEL: Record<string, string> = {
  blocking: 'blocked the event loop',
  'never-awaited': 'never awaited',
  'pending-at-exit': 'still pending at exit',
  'unhandled-rejection': 'unhandled rejection',
};

export function warningMarks(model: TraceModel): WarningMark[] {
  const byKey = new Map<string, { mark: WarningMark; longest: number }>();
  for (const w of model.warnings) {
    // Tracer-internal notes have no line of the user's to point at.
    if (!w.site || typeof w.site.file !== 'string' || !(w.site.line > 0) || w.kind === 'tracer') continue;
    const key = `${w.site.file}:${w.site.line}:${w.kind}`;
    const found = byKey.get(key);
    if (found) {
      found.mark.count++;
      found.longest = Math.max(found.longest, w.dur ?? 0);
      continue;
    }
    byKey.set(key, {
      mark: { file: w.site.file, line: w.site.line, col: w.site.col || 1, kind: String(w.kind), message: String(w.message || KIND_LABEL[w.kind] || w.kind), count: 1 },
      longest: w.dur ?? 0,
    });
  }
  const threshold = model.header?.blockingThreshold;
  return [...byKey.values()].map(({ mark, longest }) => {
    let message = mark.message.replace(/\s+/g, ' ').trim();
    if (mark.count > 1) message += ` (${mark.count} times${longest > 0 ? `, longest ${formatDuration(longest)}` : ''})`;
    if (mark.kind === 'blocking' && typeof threshold === 'number') message += ` [threshold ${formatDuration(threshold)}]`;
    return { ...mark, message };
  }).sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}
