// Text the timeline shows: durations with units, site labels, causes. Pure functions, no DOM.
import type { Awaiting, ResumeCause, Site, WarningRecord } from '../trace/format';

const UNITS: [number, string][] = [[3600e9, 'h'], [60e9, 'min'], [1e9, 's'], [1e6, 'ms'], [1e3, 'µs'], [1, 'ns']];
const MINUTE = 60e9, HOUR = 3600e9;

/** Durations read the same everywhere (CLI, hovers, webview): the model's formatter. */
export { formatDuration, formatOffset, formatPercent } from '../model/format-time';
import { formatDuration } from '../model/format-time';
import { BIDI_CONTROL_CLASS } from '../model/bidi';

/** Tick label for an axis whose ticks are `step` ns apart: enough digits to tell ticks apart. */
export function formatTick(ns: number, step: number): string {
  // Minutes and hours: whole numbers of the unit the step is counted in ("90 min", "36 h").
  let size = 1, unit = 'ns';
  for (const [s, u] of UNITS) if (step >= s) { size = s; unit = u; break; }
  if (size === HOUR) return `${Math.round(ns / HOUR)} h`;
  if (size === MINUTE) {
    const minutes = Math.round(Math.abs(ns) / MINUTE), sign = ns < 0 && minutes ? '-' : '';
    if (minutes < 60) return `${sign}${minutes} min`;
    return minutes % 60 ? `${sign}${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min` : `${sign}${minutes / 60} h`;
  }
  const v = ns / size;
  const stepInUnit = step / size;
  const digits = stepInUnit >= 1 ? 0 : Math.min(3, Math.ceil(-Math.log10(stepInUnit)));
  return `${v.toFixed(digits)} ${unit}`;
}

/**
 * A "nice" tick spacing giving about `targetPx` pixels between ticks: 1, 2, 5 × 10^k ns up to
 * a minute, then whole minutes (1, 2, 5, 10, 15, 30) and hours (1, 2, 3, 6, 12, 24, then
 * 1, 2, 5 × 10^k days' worth of hours), so long traces read "30 min", "12 h", not "1800 s".
 */
export function niceStep(nsPerPx: number, targetPx = 90): number {
  const raw = Math.max(nsPerPx * targetPx, 1);
  if (raw > 10e9) {
    for (const sec of [15, 30]) if (sec * 1e9 >= raw) return sec * 1e9;
    for (const m of [1, 2, 5, 10, 15, 30]) if (m * MINUTE >= raw) return m * MINUTE;
    for (const h of [1, 2, 3, 6, 12, 24]) if (h * HOUR >= raw) return h * HOUR;
    const days = raw / (24 * HOUR);
    const pow = Math.pow(10, Math.floor(Math.log10(days)));
    for (const m of [1, 2, 5, 10]) if (m * pow >= days) return m * pow * 24 * HOUR;
    return 10 * pow * 24 * HOUR;
  }
  const pow = Math.pow(10, Math.floor(Math.log10(raw)));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

// ---------------------------------------------------------------- bidi

/** Bidi controls (see src/model/bidi.ts). */
const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_CLASS}]`, 'g');
/** Anything that makes a string need bidi care: the controls above, or a right-to-left letter. */
const BIDI_SENSITIVE = new RegExp(`[\\u0590-\\u08FF${BIDI_CONTROL_CLASS}\\uFB1D-\\uFDFF\\uFE70-\\uFEFF]|\\uD802[\\uDC00-\\uDFFF]|\\uD803[\\uDC00-\\uDFFF]|\\uD83A[\\uDC00-\\uDFFF]|\\uD83B[\\uDC00-\\uDFFF]`);
const FSI = '\u2068', PDI = '\u2069';

/**
 * Trace text (task names, file names, labels, messages) made safe to put next to the app's own
 * text, on the canvas or in the DOM: bidi controls are removed (they are invisible, and could
 * only reorder their surroundings), and text with right-to-left letters is wrapped in a first
 * strong isolate (FSI … PDI), so it lays out on its own and cannot pull neighbouring digits
 * or punctuation ("مرحبا.py:13") into its run. Plain text comes back unchanged (same string,
 * no allocation): this is called for every label drawn.
 */
export function bidiSafe(text: string): string {
  if (!BIDI_SENSITIVE.test(text)) return text;
  const stripped = text.replace(BIDI_CONTROLS, '');
  return BIDI_SENSITIVE.test(stripped) ? FSI + stripped + PDI : stripped;
}

/**
 * `text` cut to fit `maxWidth` as `measure` measures it, with an ellipsis at the end or in the
 * middle (keeping the start and the end: "download https://ex…/images/12.png"); '' when not
 * even one character fits. Never splits a surrogate pair.
 */
export function fitToWidth(text: string, maxWidth: number, measure: (text: string) => number, where: 'end' | 'middle' = 'end'): string {
  const width = measure(text);
  if (width <= maxWidth) return text;
  const cut = (keep: number) => (where === 'middle' ? cutMiddle(text, keep) : `${text.slice(0, pairSafe(text, keep))}…`);
  // Estimate the cut from the average glyph width, then correct.
  let n = Math.max(1, Math.floor(text.length * (maxWidth / width)) - 1);
  let out = cut(n);
  while (measure(out) > maxWidth && n > 1) {
    n = Math.max(1, n - Math.max(1, Math.floor(n / 8)));
    out = cut(n);
  }
  return measure(out) > maxWidth ? '' : out;
}

/** `i`, or one less when `i` would split a surrogate pair. */
function pairSafe(text: string, i: number): number {
  const c = text.charCodeAt(i - 1);
  return i > 0 && c >= 0xd800 && c <= 0xdbff ? i - 1 : i;
}

/** About `keep` characters of `text`: its start, "…", its end. */
function cutMiddle(text: string, keep: number): string {
  const head = pairSafe(text, Math.ceil(keep * 0.45));
  let tail = text.length - Math.max(0, keep - head);
  if (tail < text.length && pairSafe(text, tail) !== tail) tail++;
  // A bidi-isolated text (bidiSafe) keeps its closing PDI: the cut stays inside the isolate.
  return `${text.slice(0, head)}…${text.slice(Math.max(head, tail))}`;
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
  return `${bidiSafe(basename(site.file))}:${site.line}`;
}

export type TaskNamer = (id: number) => string;

/** Why the loop ran a task, as a short text: "timer", "I/O", "Task-3 finished". */
export function causeLabel(cause: ResumeCause | undefined, rawNameOf: TaskNamer): string {
  if (!cause) return 'unknown';
  const nameOf = (id: number) => bidiSafe(rawNameOf(id));
  switch (cause.kind) {
    case 'start': return 'start';
    case 'timer': return cause.delay !== undefined ? `timer (${formatDuration(cause.delay * 1e9)})` : 'timer';
    case 'io': return cause.label ? `I/O: ${bidiSafe(cause.label)}` : 'I/O';
    case 'task': return cause.label ? `${nameOf(cause.task)}: ${bidiSafe(cause.label)}` : `${nameOf(cause.task)} resolved it`;
    case 'callback': return cause.label ? `callback: ${bidiSafe(cause.label)}` : 'callback';
    case 'cancel': return cause.task !== undefined ? `cancelled by ${nameOf(cause.task)}` : 'cancelled';
    case 'yield': return 'yield';
    default: return bidiSafe((cause as { label?: string }).label || 'unknown');
  }
}

/** A short text for an arrow: "timer", "io", "Task-2". */
export function causeShort(cause: ResumeCause, nameOf: TaskNamer): string {
  switch (cause.kind) {
    case 'task': return bidiSafe(nameOf(cause.task));
    case 'cancel': return 'cancel';
    default: return cause.kind;
  }
}

export function awaitingLabel(awaiting: Awaiting | undefined): string {
  if (!awaiting) return '';
  return bidiSafe(awaiting.label || awaiting.kind);
}
