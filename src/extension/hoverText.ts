// What the editor shows at a traced `await`: the hover's markdown and the inline annotation.
// Pure functions of the model (no `vscode`), so tests compute them from real traces.
// Every piece of text that came from the traced program (task names, labels, errors) goes
// through escapeMarkdown: a task named "[x](command:...)" must show as text, never as a link.
import type { AwaitSiteStats, TraceModel } from '../model/types';
import type { Id, Nanos } from '../trace/format';

/** "2.00 s", "15.3 ms", "840 µs", "120 ns": three significant figures, a unit a person reads. */
export function formatDuration(ns: Nanos): string {
  const abs = Math.abs(ns);
  const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
  if (abs >= 60e9) {
    const minutes = Math.floor(abs / 60e9);
    const seconds = (abs - minutes * 60e9) / 1e9;
    return `${ns < 0 ? '-' : ''}${minutes} min ${seconds.toFixed(0)} s`;
  }
  if (abs >= 1e9) return `${fmt(ns / 1e9)} s`;
  if (abs >= 1e6) return `${fmt(ns / 1e6)} ms`;
  if (abs >= 1e3) return `${fmt(ns / 1e3)} µs`;
  return `${Math.round(ns)} ns`;
}

/**
 * Escapes text for a VS Code MarkdownString: every ASCII punctuation character gets a backslash
 * (CommonMark allows it for all of them), so no link, emphasis, HTML tag, entity or autolink can form;
 * line breaks become spaces so the text cannot start a heading or a list.
 */
export function escapeMarkdown(text: string): string {
  return String(text)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/[!-/:-@[-`{-~]/g, (ch) => `\\${ch}`);
}

/** Inline annotation at the end of a traced await line, e.g. "⏸ 3× · mean 1.02 s". */
export function annotationText(stats: AwaitSiteStats): string {
  if (stats.count === 1) return `⏸ 1× · ${formatDuration(stats.total)}`;
  return `⏸ ${stats.count}× · mean ${formatDuration(stats.mean)}`;
}

function taskLabel(model: TraceModel, id: Id): string {
  const lane = model.taskById.get(id);
  if (!lane) return `task ${id}`;
  if (!lane.coro || lane.coro === lane.name) return lane.name;
  return `${lane.name} (${lane.coro})`;
}

function listWithMore(items: string[], max: number): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

export interface HoverOptions {
  /** The file changed after the trace: the figures may belong to other lines now. */
  stale?: boolean;
  /** Command id of the "Show in timeline" link (omitted: no link). */
  showInTimelineCommand?: string;
  /** Trace file, passed to the link's command so it selects in the right timeline. */
  tracePath?: string;
}

/** Arguments of the "Show in timeline" command link. */
export interface ShowInTimelineArgs {
  /** The site's `file:line` key; the command looks its waits up in the model (a loop can have thousands). */
  key: string;
  tracePath?: string;
}

/** Builds the link's URI: `command:ID?<encoded JSON args>`, the form VS Code expects. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

/** The hover for one await site, as markdown. Only the command link is markdown syntax we wrote; the rest is escaped. */
export function hoverMarkdown(model: TraceModel, stats: AwaitSiteStats, options: HoverOptions = {}): string {
  const lines: string[] = [];
  if (options.stale) {
    lines.push('*Trace is stale: this file changed after it was traced, so these figures may belong to another line. Trace the file again to refresh them.*', '');
  }
  const times = stats.count === 1 ? 'once' : `${stats.count} times`;
  lines.push(`**Await Lens** · suspended here **${times}**`, '');
  if (stats.count === 1) {
    lines.push(`Suspended for **${escapeMarkdown(formatDuration(stats.total))}**`);
  } else {
    lines.push(
      `Total **${escapeMarkdown(formatDuration(stats.total))}** · mean **${escapeMarkdown(formatDuration(stats.mean))}** · longest **${escapeMarkdown(formatDuration(stats.max))}**`,
    );
  }
  const openWaits = stats.waits.filter((i) => model.waits[i]?.open).length;
  if (openWaits) lines[lines.length - 1] += ` · ${openWaits} still waiting when the trace ended`;
  lines.push('');
  if (stats.awaiting.length) {
    const parts = stats.awaiting.map((a) => `${escapeMarkdown(a.label || a.kind)}${stats.awaiting.length > 1 || a.count > 1 ? ` (${a.count}×)` : ''}`);
    lines.push(`Waited on: ${listWithMore(parts, 6)}`, '');
  }
  if (stats.tasks.length) {
    lines.push(`Suspended here: ${listWithMore(stats.tasks.map((id) => escapeMarkdown(taskLabel(model, id))), 6)}`, '');
  }
  const meanwhile = stats.ranMeanwhile.filter((id) => !stats.tasks.includes(id) || stats.tasks.length > 1);
  lines.push(
    meanwhile.length
      ? `Ran meanwhile: ${listWithMore(meanwhile.map((id) => escapeMarkdown(taskLabel(model, id))), 8)}`
      : 'Ran meanwhile: no other task (the loop sat idle)',
  );
  if (options.showInTimelineCommand) {
    const args: ShowInTimelineArgs = { key: stats.key, tracePath: options.tracePath };
    lines.push('', `[Show in timeline](${commandUri(options.showInTimelineCommand, [args])} "Select these waits in the Await Lens timeline")`);
  }
  return lines.join('\n');
}
