// Text the timeline shows: durations with units, site labels, causes. Pure functions, no DOM.
import type { Awaiting, ResumeCause, Site, WarningRecord } from '../trace/format';

const UNITS: [number, string][] = [[1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];

/** Durations read the same everywhere (CLI, hovers, webview): the model's formatter. */
export { formatDuration, formatOffset, formatPercent } from '../model/format-time';
import { formatDuration } from '../model/format-time';

/** Tick label for an axis whose ticks are `step` ns apart: enough digits to tell ticks apart. */
export function formatTick(ns: number, step: number): string {
  let size = 1, unit = 'ns';
  for (const [s, u] of UNITS) if (step >= s) { size = s; unit = u; break; }
  const v = ns / size;
  const stepInUnit = step / size;
  const digits = stepInUnit >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(stepInUnit)));
  return `${v.toFixed(digits)} ${unit}`;
}

/** A "nice" tick spacing (1, 2, 5 × 10^k ns) giving about `targetPx` pixels between ticks. */
export function niceStep(nsPerPx: number, targetPx = 90): number {
  const raw = Math.max(nsPerPx * targetPx, 1);
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

export function basename(file: string): string {
  const i = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  return i >= 0 ? file.slice(i + 1) : file;
}

/** Where a warning points: its site, else where a blocking step spent most of its time. */
export function warningSite(warning: WarningRecord): Site | null {
  return warning.site ?? warning.hotspots?.[0]?.site ?? null;
}

/** "gather_demo.py:12". */
export function siteLabel(site: Site | null | undefined): string {
  if (!site) return '(unknown site)';
  return `${basename(site.file)}:${site.line}`;
}

export type TaskNamer = (id: number) => string;

/** Why the loop ran a task, as a short text: "timer", "I/O", "Task-3 finished". */
export function causeLabel(cause: ResumeCause | undefined, nameOf: TaskNamer): string {
  if (!cause) return 'unknown';
  switch (cause.kind) {
    case 'start': return 'start';
    case 'timer': return cause.delay !== undefined ? `timer (${formatDuration(cause.delay * 1e9)})` : 'timer';
    case 'io': return cause.label ? `I/O: ${cause.label}` : 'I/O';
    case 'task': return cause.label ? `${nameOf(cause.task)}: ${cause.label}` : `${nameOf(cause.task)} resolved it`;
    case 'callback': return cause.label ? `callback: ${cause.label}` : 'callback';
    case 'cancel': return cause.task !== undefined ? `cancelled by ${nameOf(cause.task)}` : 'cancelled';
    case 'yield': return 'yield';
    default: return (cause as { label?: string }).label || 'unknown';
  }
}

/** A short text for an arrow: "timer", "io", "Task-2". */
export function causeShort(cause: ResumeCause, nameOf: TaskNamer): string {
  switch (cause.kind) {
    case 'task': return nameOf(cause.task);
    case 'cancel': return 'cancel';
    default: return cause.kind;
  }
}

export function awaitingLabel(awaiting: Awaiting | undefined): string {
  if (!awaiting) return '';
  return awaiting.label || awaiting.kind;
}
