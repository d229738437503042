// Trace warnings (a step that blocked the loop, a coroutine never awaited, tasks pending at exit,
// unhandled rejections) as marks on source lines, for the Problems panel. Pure: no `vscode`.
// One mark per line, kind and task, however often it happened, so a blocking call in a loop is
// one entry saying how often and how long at worst; many tasks at one line share one entry.
import { formatDuration } from '../model/format-time';
import type { TraceModel } from '../model/types';
import { taskLabel } from '../model/hover';

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

/** Tasks at one line and kind up to this many get an entry each; more share one entry that names a few. */
const ENTRIES_PER_TASK_UP_TO = 3;
const NAMED_TASKS = 3;

type Warning = TraceModel['warnings'][number];

export function warningMarks(model: TraceModel): WarningMark[] {
  const byKey = new Map<string, Warning[]>();
  for (const w of model.warnings) {
    // Tracer-internal notes have no line of the user's to point at.
    if (!w.site || typeof w.site.file !== 'string' || !(w.site.line > 0) || w.kind === 'tracer') continue;
    const key = `${w.site.file}:${w.site.line}:${w.kind}`;
    const list = byKey.get(key);
    if (list) list.push(w); else byKey.set(key, [w]);
  }
  const threshold = model.header?.blockingThreshold;
  const marks: WarningMark[] = [];
  for (const group of byKey.values()) {
    // The text of a warning names its task ("Task-2 (blocker) held the event loop…"): one entry for
    // warnings of different tasks would say the first task did all of it. So one entry per task,
    // unless many tasks share the line: then one entry that says how many and names a few.
    const byTask = new Map<string, Warning[]>();
    for (const w of group) {
      const task = w.task === null || w.task === undefined ? '' : String(w.task);
      const list = byTask.get(task);
      if (list) list.push(w); else byTask.set(task, [w]);
    }
    const sameText = new Set(group.map((w) => normalizeText(w.message))).size === 1;
    if (sameText || byTask.size <= 1) marks.push(markOf(group, normalizeText(group[0].message) || label(group[0].kind), threshold));
    else if (byTask.size <= ENTRIES_PER_TASK_UP_TO) {
      for (const list of byTask.values()) marks.push(markOf(list, normalizeText(list[0].message) || label(list[0].kind), threshold));
    } else {
      const names = [...byTask.values()].map((list) => (list[0].task === null || list[0].task === undefined ? 'code outside any task' : taskLabel(model, list[0].task)));
      const named = names.slice(0, NAMED_TASKS).join(', ');
      const rest = names.length - NAMED_TASKS;
      const message = `${byTask.size} tasks here ${label(group[0].kind)}: ${named}${rest > 0 ? ` and ${rest} more` : ''}`;
      marks.push(markOf(group, message, threshold));
    }
  }
  return marks.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

function normalizeText(message: unknown): string {
  return String(message ?? '').replace(/\s+/g, ' ').trim();
}

function label(kind: string): string {
  return KIND_LABEL[kind] ?? String(kind);
}

/** One mark for warnings at one line and kind, the text saying how often and how long at worst. */
function markOf(list: Warning[], text: string, threshold: number | undefined): WarningMark {
  const first = list[0];
  const site = first.site!;
  const longest = Math.max(0, ...list.map((w) => w.dur ?? 0));
  let message = text;
  if (list.length > 1) message += ` (${list.length} times${longest > 0 ? `, longest ${formatDuration(longest)}` : ''})`;
  if (first.kind === 'blocking' && typeof threshold === 'number') message += ` [threshold ${formatDuration(threshold)}]`;
  return { file: site.file, line: site.line, col: site.col || 1, kind: String(first.kind), message, count: list.length };
}
