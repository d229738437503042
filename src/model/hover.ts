// What happened at one `await` line, as text the extension's hover provider (and the
// webview's details pane) can show. Pure functions over the model: no `vscode`, no DOM.
// Task names and labels come from the traced program: `markdown` escapes them, so a name
// like "[x](command:...)" or "<img>" shows as text.
import type { Id, Site } from '../trace/format';
import type { AwaitSiteStats, TraceModel } from './types';
import { formatDuration } from './format-time';

export interface AwaitSiteDescription {
  key: string;
  site: Site;
  /** "Suspended 3 times here by 2 tasks" */
  headline: string;
  /** "total 1.20 s · mean 400 ms · longest 600 ms" */
  timing: string;
  /** What was awaited, most frequent first: "sleep(2) ×3". */
  waitedOn: string[];
  /** What woke it up: "timer ×3", "Task-4 (producer) ×2". */
  resumedBy: string[];
  /** Tasks that held the loop meanwhile, busiest first: "Task-3 (func3) 12.0 ms". */
  ranMeanwhile: string[];
  /** "the loop sat idle 290 ms, other tasks ran 1.2 ms" ('' when unknown). */
  loopMeanwhile: string;
  /** Tasks that suspended here: "Task-2 (func1)". */
  tasks: string[];
  /** Indices into model.waits of every wait at this site (to select them in the timeline). */
  waits: number[];
  /** All of the above as plain text lines. */
  text: string;
  /** All of the above as Markdown with program text escaped. */
  markdown: string;
  stats: AwaitSiteStats;
}

/** Most entries listed per section; the rest become "and N more". */
const LIST_LIMIT = 8;

/** Normalises a path for comparison: forward slashes; lower case where file systems ignore case. */
export function normalizePath(path: string, caseInsensitive = false): string {
  let out = path.replace(/\\/g, '/');
  if (/^[A-Za-z]:\//.test(out)) out = out[0].toLowerCase() + out.slice(1);
  return caseInsensitive ? out.toLowerCase() : out;
}

/** The await-site statistics for `file:line`, or null when nothing suspended there. */
export function findAwaitSite(model: TraceModel, file: string, line: number): AwaitSiteStats | null {
  const wanted = normalizePath(file);
  for (const site of model.awaitSites) {
    if (site.site.line === line && normalizePath(site.site.file) === wanted) return site;
  }
  // Windows / macOS paths may differ only in case.
  const folded = normalizePath(file, true);
  for (const site of model.awaitSites) {
    if (site.site.line === line && normalizePath(site.site.file, true) === folded) return site;
  }
  return null;
}

/** Every await site in one file, by line (for inline annotations). */
export function awaitSitesInFile(model: TraceModel, file: string): AwaitSiteStats[] {
  const wanted = normalizePath(file, true);
  return model.awaitSites
    .filter((s) => normalizePath(s.site.file, true) === wanted)
    .sort((a, b) => a.site.line - b.site.line);
}

/** Short inline annotation for an await line: "3× · mean 400 ms · max 600 ms". */
export function annotationText(stats: AwaitSiteStats): string {
  const count = `${stats.count}×`;
  if (stats.count === 1) return `${count} · ${formatDuration(stats.total)}`;
  return `${count} · mean ${formatDuration(stats.mean)} · max ${formatDuration(stats.max)}`;
}

/** "Task-2 (func1)", or just the name when the coroutine has the same name. */
export function taskLabel(model: TraceModel, id: Id): string {
  const lane = model.taskById.get(id);
  if (!lane) return `task ${String(id)}`;
  // ("fetchItem #2" names its function already: see numberSameNames)
  const named = lane.name === lane.coro || lane.name.startsWith(`${lane.coro} #`);
  return lane.coro && !named && lane.coro !== '?' ? `${lane.name} (${lane.coro})` : lane.name;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function limited(items: string[]): string[] {
  if (items.length <= LIST_LIMIT) return items;
  return [...items.slice(0, LIST_LIMIT), `and ${items.length - LIST_LIMIT} more`];
}

/** Escapes Markdown (and the HTML it may contain) so program text shows literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~&]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

/** Describes what happened at one await line, or null when nothing suspended there. */
export function describeAwaitSite(model: TraceModel, file: string, line: number): AwaitSiteDescription | null {
  const stats = findAwaitSite(model, file, line);
  return stats ? describeAwaitSiteStats(model, stats) : null;
}

export function describeAwaitSiteStats(model: TraceModel, stats: AwaitSiteStats): AwaitSiteDescription {
  const open = stats.openCount ?? 0;
  let headline = `Suspended ${stats.count === 1 ? 'once' : `${stats.count} times`} here`;
  if (stats.tasks.length > 1) headline += ` by ${plural(stats.tasks.length, 'task')}`;
  if (open) headline += ` (${open} still waiting when the trace ended)`;
  const timing = stats.count === 1
    ? `suspended ${formatDuration(stats.total)}`
    : `total ${formatDuration(stats.total)} · mean ${formatDuration(stats.mean)} · longest ${formatDuration(stats.max)}`;
  const waitedOn = limited(stats.awaiting.map((a) => (stats.awaiting.length > 1 || a.count > 1 ? `${a.label} ×${a.count}` : a.label)));
  const resumers = stats.resumedBy ?? [];
  const resumedBy = limited(resumers.map((r) => {
    const who = r.task !== undefined ? taskLabel(model, r.task) : r.label;
    return resumers.length === 1 && r.count === 1 ? who : `${who} ×${r.count}`;
  }));
  const busy = stats.ranMeanwhileBusy ?? [];
  const ranMeanwhile = limited(stats.ranMeanwhile.map((id, i) => (
    busy[i] !== undefined ? `${taskLabel(model, id)} ${formatDuration(busy[i])}` : taskLabel(model, id))));
  const tasks = limited(stats.tasks.map((id) => taskLabel(model, id)));
  // What the loop did meanwhile: the lesson of a wait is whether anything else could run.
  const othersBusy = busy.reduce((sum, ns) => sum + ns, 0);
  const loopMeanwhile = stats.idleDuring !== undefined
    ? `the loop sat idle ${formatDuration(stats.idleDuring)}${othersBusy > 0 ? `, other tasks ran ${formatDuration(othersBusy)}` : ''}`
    : '';

  const sections: [string, string[]][] = [
    ['Waited on', waitedOn],
    ['Woken by', resumedBy],
    ['Ran meanwhile', ranMeanwhile.length ? ranMeanwhile : ['no other task (the loop was idle)']],
    ['Suspended tasks', tasks],
  ];
  if (loopMeanwhile) sections.splice(2, 0, ['Meanwhile', [loopMeanwhile]]);
  const textLines = [headline, timing];
  const mdLines = [`**${escapeMarkdown(headline)}**`, '', escapeMarkdown(timing), ''];
  for (const [title, items] of sections) {
    if (!items.length) continue;
    textLines.push(`${title}: ${items.join(', ')}`);
    mdLines.push(`*${title}:* ${items.map(escapeMarkdown).join(', ')}`, '');
  }
  return {
    key: stats.key,
    site: stats.site,
    headline,
    timing,
    waitedOn,
    resumedBy,
    ranMeanwhile,
    loopMeanwhile,
    tasks,
    waits: stats.waits.slice(),
    text: textLines.join('\n'),
    markdown: mdLines.join('\n').trim(),
    stats,
  };
}
