// The short text summary of a trace the CLI prints (`awaitlens trace`, `awaitlens summary`):
// wall time, busy vs idle, peak concurrency, sequential cost vs wall, a per-task table, the
// slowest await sites with what they waited on, warnings, and where the trace is.
// Program text (task names, labels, errors) is printed with control characters removed,
// so a name cannot move the cursor or recolour the terminal.
import { relative, isAbsolute } from 'node:path';
import type { TraceModel, TaskLane } from './model/types';
import type { Site, WarningRecord } from './trace/format';
import { formatDuration, formatOffset, formatPercent } from './model/format-time';
import { taskLabel } from './model/hover';
import { isCallPause } from './model/build';
import { BIDI_CONTROL_CLASS } from './model/bidi';

export interface SummaryOptions {
  /** Where the trace file is (printed last). */
  tracePath?: string;
  /** Paths are shown relative to this folder when inside it. */
  cwd?: string;
  /** ANSI bold/dim for headings (only when writing to a terminal). */
  color?: boolean;
  /** Most tasks listed in the table (default 20). */
  maxTasks?: number;
  /** Most await sites listed (default 8). */
  maxSites?: number;
  /** Most warnings listed (default 10). */
  maxWarnings?: number;
}

// Terminal controls, zero-width spaces and bidi controls go (they could rewrite or reorder what is
// around them); joiners stay (an emoji family, Persian words need them).
const CONTROLS = new RegExp(`[\\u0000-\\u001f\\u007f-\\u009f\\u200b${BIDI_CONTROL_CLASS}]`, 'g');

/** Removes control characters (ANSI escapes, carriage returns, bells) and caps the length. */
export function cleanText(text: unknown, max = 80): string {
  let out = String(text ?? '').replace(/\r?\n/g, ' ').replace(CONTROLS, '');
  if (out.length > max) {
    const graphemes = [...segmenter.segment(out)].map((g) => g.segment);
    if (graphemes.length > max) out = `${graphemes.slice(0, max - 1).join('')}…`;
  }
  return out;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
// Characters a terminal draws two columns wide: East Asian wide and fullwidth forms, emoji.
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]|\p{Extended_Pictographic}/u;

/** Columns a terminal gives `text`: per grapheme (a letter with its accents is one), wide ones two. */
export function displayWidth(text: string): number {
  let width = 0;
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/.test(text)) return text.length;
  for (const { segment } of segmenter.segment(text)) width += WIDE.test(segment) ? 2 : 1;
  return width;
}

function displayPath(file: string, cwd?: string): string {
  if (!cwd) return file;
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function siteText(site: Site | null | undefined, cwd?: string): string {
  return site ? `${cleanText(displayPath(site.file, cwd), 120)}:${site.line}` : '?';
}

/** Lays out rows as columns separated by two spaces; the last column is not padded. */
function table(rows: string[][], rightAligned: Set<number> = new Set()): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell)); });
  return rows.map((row) => row.map((cell, i) => {
    if (i === row.length - 1) return cell;
    const pad = ' '.repeat(widths[i] - displayWidth(cell));
    return rightAligned.has(i) ? pad + cell : cell + pad;
  }).join('  ').trimEnd());
}

function outcomeText(lane: TaskLane): string {
  if (!lane.end) return 'pending at end';
  if (lane.end.outcome === 'raised') return `raised ${cleanText(lane.end.error ?? '', 60)}`.trim();
  return lane.end.outcome;
}

function warningText(model: TraceModel, warning: WarningRecord, cwd?: string): string {
  // The tracer's message is a whole sentence ("Task-2 (worker) held the event loop for 300 ms");
  // add where it happened. Without a message, say it from the fields.
  const where = warning.hotspots && warning.hotspots.length ? warning.hotspots[0].site : warning.site;
  const head = `${cleanText(warning.kind, 30)}${where ? ` at ${siteText(where, cwd)}` : ''}`;
  let message = cleanText(warning.message ?? '', 120);
  if (!message) {
    const parts: string[] = [];
    if (typeof warning.task === 'number') parts.push(cleanText(taskLabel(model, warning.task), 50));
    if (typeof warning.dur === 'number') parts.push(`held the loop ${formatDuration(warning.dur)}`);
    message = parts.join(' ');
  }
  return message ? `${head}: ${message}` : head;
}

/** The summary as lines of text (no trailing newline). */
export function formatSummary(model: TraceModel, options: SummaryOptions = {}): string {
  const { cwd } = options;
  const bold = (s: string) => (options.color ? `\x1b[1m${s}\x1b[22m` : s);
  const dim = (s: string) => (options.color ? `\x1b[2m${s}\x1b[22m` : s);
  const lines: string[] = [];
  const s = model.stats;
  const h = model.header;

  const program = !h ? 'unknown program (the trace has no header)' : h.program ? cleanText(displayPath(h.program, cwd), 120) : 'unknown program';
  const runtimeText = h ? `${cleanText(h.runtime, 10)} ${cleanText(h.runtimeVersion, 20)}`.trim() : '';
  const runtime = runtimeText ? ` (${runtimeText})` : '';
  let ending = 'the trace ended without an exit record (killed or still running)';
  if (model.exit) ending = model.exit.signal ? `killed by ${cleanText(model.exit.signal, 12)}` : `exit code ${model.exit.code}`;
  lines.push(bold(`Await Lens: ${program}${runtime}, ${ending}`));
  // Nothing ran (a syntax error) or no task ever did (a program without async code): one line,
  // not a page of empty tables.
  const syntaxError = model.tasks.length ? undefined : model.warnings.find((w) => w.kind === 'syntax-error');
  const warnings = syntaxError ? model.warnings.filter((w) => w !== syntaxError) : model.warnings;
  if (syntaxError) lines.push(`  ${cleanText(syntaxError.message ?? 'syntax error', 160)}${syntaxError.site ? ` (${siteText(syntaxError.site, cwd)})` : ''}`);
  else if (!model.tasks.length) lines.push(`  wall ${formatDuration(s.wall)} · no task ran (no async code, or the trace stopped before any)`);
  if (model.tasks.length) formatActivity(model, options, lines, bold, dim);
  formatWarnings(model, warnings, options, lines, bold);
  if (model.problems.length) {
    lines.push('');
    const first = model.problems[0];
    lines.push(`${model.problems.length} trace line${model.problems.length === 1 ? '' : 's'} could not be read (line ${first.line}: ${cleanText(first.message, 100)})`);
  }

  lines.push('');
  lines.push(`${options.tracePath ? `Trace: ${cleanText(displayPath(options.tracePath, cwd), 200)} · ` : ''}${s.eventCount} event${s.eventCount === 1 ? "" : "s"}`);
  return lines.join('\n');
}

type Style = (s: string) => string;

/** Wall, busy and idle time, and the task and await-site tables. */
function formatActivity(model: TraceModel, options: SummaryOptions, lines: string[], bold: Style, dim: Style): void {
  const { cwd } = options;
  const s = model.stats;
  lines.push(`  wall ${formatDuration(s.wall)} · busy ${formatDuration(s.busy)} (${formatPercent(s.busy, s.wall)})`
    + ` · idle ${formatDuration(s.idle)} (${formatPercent(s.idle, s.wall)})`
    + ` · peak ${s.peakConcurrency} task${s.peakConcurrency === 1 ? '' : 's'} at once`);
  if (s.wall > 0 && s.sequential > 0) {
    const ratio = s.sequential / s.wall;
    const verdict = ratio >= 1.05
      ? `concurrency saved ${formatDuration(s.sequential - s.wall)} (${ratio.toFixed(1)}x)`
      : 'no time saved by running them concurrently';
    lines.push(`  one after another the awaits would take ${formatDuration(s.sequential)} vs ${formatDuration(s.wall)} wall: ${verdict}`);
  }

  // Per-task table.
  const maxTasks = options.maxTasks ?? 20;
  lines.push('');
  lines.push(bold(`Tasks (${model.tasks.length})`));
  if (model.tasks.length) {
    const rows: string[][] = [['name', 'coro', 'created', 'busy', 'waits', 'outcome'].map(dim)];
    for (const lane of model.tasks.slice(0, maxTasks)) {
      rows.push([
        cleanText(lane.name, 32), cleanText(lane.coro, 32), formatOffset(lane.created - model.start),
        formatDuration(lane.busy), String(lane.waits.filter((w) => !isCallPause(model.waits[w])).length), outcomeText(lane),
      ]);
    }
    lines.push(...table(rows, new Set([2, 3, 4])).map((l) => `  ${l}`));
    if (model.tasks.length > maxTasks) {
      // Summarise the rest by coroutine, so thousands of workers read as one line.
      const byCoro = new Map<string, number>();
      for (const lane of model.tasks.slice(maxTasks)) byCoro.set(lane.coro, (byCoro.get(lane.coro) ?? 0) + 1);
      const groups = [...byCoro.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5)
        .map(([coro, n]) => `${cleanText(coro, 32)} ×${n}`).join(', ');
      lines.push(`  … and ${model.tasks.length - maxTasks} more: ${groups}${byCoro.size > 5 ? ', …' : ''}`);
    }
  } else {
    lines.push('  none (the program created no task, or the trace stopped before it did)');
  }

  // Slowest await sites.
  const maxSites = options.maxSites ?? 8;
  if (model.awaitSites.length) {
    lines.push('');
    lines.push(bold(`Slowest await sites (${model.awaitSites.length})`));
    const rows: string[][] = [['site', 'count', 'total', 'max', 'waited on'].map(dim)];
    for (const site of model.awaitSites.slice(0, maxSites)) {
      const labels = site.awaiting.slice(0, 3).map((a) => cleanText(a.label, 40) + (site.awaiting.length > 1 && a.count > 1 ? ` ×${a.count}` : ''));
      if (site.awaiting.length > 3) labels.push('…');
      rows.push([siteText(site.site, cwd), `${site.count}×`, formatDuration(site.total), formatDuration(site.max), labels.join(', ')]);
    }
    lines.push(...table(rows, new Set([1, 2, 3])).map((l) => `  ${l}`));
  }
}

function formatWarnings(model: TraceModel, warnings: WarningRecord[], options: SummaryOptions, lines: string[], bold: Style): void {
  const maxWarnings = options.maxWarnings ?? 10;
  if (!warnings.length) return;
  lines.push('');
  lines.push(bold(`Warnings (${warnings.length})`));
  for (const warning of warnings.slice(0, maxWarnings)) lines.push(`  ${warningText(model, warning, options.cwd)}`);
  if (warnings.length > maxWarnings) lines.push(`  … and ${warnings.length - maxWarnings} more`);
}
