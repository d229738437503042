// What the editor shows at a traced `await`: the hover's markdown and the inline annotation.
// Pure functions of the model (no `vscode`), so tests compute them from real traces.
// The description itself (counts, times, what it waited on, who ran meanwhile) comes from
// src/model/hover.ts, which escapes every piece of program text; this module adds only
// text we wrote: the stale notice and the "Show in timeline" command link.
import type { AwaitSiteStats, TraceModel } from '../model/types';
import { annotationText as modelAnnotationText, describeAwaitSiteStats } from '../model/hover';

/**
 * The mark in front of inline annotations: a double bar reads as "paused" and, unlike the
 * ⏸ emoji, is in every common editor font (no missing-glyph box on Linux without emoji fonts).
 */
export const ANNOTATION_MARK = '‖';

/** Inline annotation at the end of a traced await line, e.g. "‖ 3× · mean 1.02 s · max 2.00 s". */
export function annotationText(stats: AwaitSiteStats): string {
  return `${ANNOTATION_MARK} ${modelAnnotationText(stats)}`;
}

export interface HoverOptions {
  /** The file changed after the trace: the figures may belong to other lines now. */
  stale?: boolean;
  /** The program is still running: the figures are so far, open waits are still waiting. */
  live?: boolean;
  /** Command id of the "Show in timeline" link (omitted: no link). */
  showInTimelineCommand?: string;
  /** Trace file, passed to the link's command so it selects in the right timeline. */
  tracePath?: string;
}

/** Arguments of the "Show in timeline" command link. */
export interface ShowInTimelineArgs {
  /** The site's `file:line` key; the command looks the site up in the model (a loop can have thousands of waits). */
  key: string;
  tracePath?: string;
}

/** Builds a command link target: `command:ID?<encoded JSON args>`, the form VS Code expects. */
export function commandUri(command: string, args: unknown[]): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}

export const LIVE_NOTICE = '*Live: the program is still running; these are the figures so far.*';

export const STALE_NOTICE =
  '*Stale trace: this file changed after it was traced, so these figures may belong to another line. Trace the file again to refresh them.*';

/** The hover for one await site, as markdown. */
export function hoverMarkdown(model: TraceModel, stats: AwaitSiteStats, options: HoverOptions = {}): string {
  const parts: string[] = [];
  if (options.stale) parts.push(STALE_NOTICE, '');
  if (options.live) parts.push(LIVE_NOTICE, '');
  parts.push('$(pulse) **Await Lens**', '');
  parts.push(describeAwaitSiteStats(model, stats).markdown);
  if (options.showInTimelineCommand) {
    const args: ShowInTimelineArgs = { key: stats.key, tracePath: options.tracePath };
    parts.push('', `[Show in timeline](${commandUri(options.showInTimelineCommand, [args])} "Select every wait at this await in the Await Lens timeline")`);
  }
  return parts.join('\n');
}

/** The plain-text version (no markdown), for the output channel and tests. */
export function hoverPlainText(model: TraceModel, stats: AwaitSiteStats): string {
  return describeAwaitSiteStats(model, stats).text;
}
