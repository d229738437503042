// The timeline, drawn on one canvas: a time axis, the event-loop lane, one lane per task
// (running steps, suspended waits with their await site, the task's end), program output and
// warning markers, and hand-off arrows. Never one DOM node per event: each frame culls every
// lane to the visible time range by binary search, merges sub-pixel segments into one pixel
// run, and fills rectangles batched by color.
import type { Site } from '../trace/format';
import type { TaskLane, TraceModel } from '../model/types';
import type { Selection } from '../protocol';
import type { Preview } from './preview';
import { readTheme, type Theme } from './theme';
import { awaitingLabel, bidiSafe, causeLabel, fitToWidth, causeShort, formatDuration, formatOffset, formatTick, niceStep, siteLabel, warningSite } from './text';

const AXIS_H = 24;
const LOOP_H = 30;
const LANE_H = 30;
const BAR_H = 16;
const MIN_GUTTER = 150;
const MAX_GUTTER = 260;
/** Hand-off arrows are drawn only when at most this many are in view, and not denser than one per ARROW_MIN_PX. */
const MAX_ARROWS = 400;
const ARROW_MIN_PX = 6;
/** The strip under the lanes that says "N hand-offs in view: zoom in" (lanes scroll above it, never under it). */
const NOTE_H = 20;
/** Room kept right of the trace's end when fitting, for the outcome written there ("returned"). */
const OUTCOME_ROOM_PX = 90;
/** Shortest visible range: 200 ns across the whole width. */
const MIN_RANGE = 200;

/** What the pointer is on. */
export type Hit =
  | { kind: 'step'; step: number }
  | { kind: 'wait'; wait: number }
  | { kind: 'output'; index: number }
  | { kind: 'warning'; index: number }
  | { kind: 'task'; task: number }
  | { kind: 'idle'; start: number; end: number };

export interface TimelineEvents {
  /** The user selected something (click). */
  select(selection: Selection | null): void;
  /** The user asked to see a place in the source (click). */
  reveal(site: Site): void;
  /** Visible range or scroll changed (to save view state). */
  viewChanged(): void;
}

/** Per-model lookups the model does not carry: markers by task, task colors, lanes by id. */
interface ViewIndex {
  outputsByTask: Map<number | null, number[]>;
  warningsByTask: Map<number | null, number[]>;
  colorOf: Map<number, number>;
}

function lowerBound(lo: number, hi: number, isAfter: (k: number) => boolean): number {
  // First k in [lo, hi) with isAfter(k) true, for a predicate false...false true...true.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (isAfter(mid)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** Start and end times of sorted, non-overlapping stretches, in flat arrays (no pointer chasing per frame). */
interface Spans {
  start: Float64Array;
  end: Float64Array;
}

/** First k in [lo, hi) with values[k] >= t (values ascending). */
function lowerBoundAtLeast(values: Float64Array, lo: number, hi: number, t: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] >= t) hi = mid; else lo = mid + 1;
  }
  return lo;
}

/** First k in [lo, hi) with values[k] > t, for an answer expected near `lo`: doubles the step, then bisects. */
function gallopAbove(values: Float64Array, lo: number, hi: number, t: number): number {
  let step = 1;
  let bound = lo;
  while (bound < hi && values[bound] <= t) {
    lo = bound + 1;
    bound = lo + step;
    step *= 2;
  }
  hi = Math.min(bound, hi);
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] > t) hi = mid; else lo = mid + 1;
  }
  return lo;
}

export class Timeline {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly scrollbar: HTMLDivElement;
  private readonly scrollSpacer: HTMLDivElement;
  private readonly tooltip: HTMLDivElement;
  /** The time axis as text, for screen readers and tests (the canvas has no text to read). */
  private readonly axisText: HTMLDivElement;
  private axisKey = '';
  private theme: Theme;
  private model: TraceModel | null = null;
  private index: ViewIndex = { outputsByTask: new Map(), warningsByTask: new Map(), colorOf: new Map() };
  private lanes: TaskLane[] = [];
  private filterText = '';
  private width = 0;
  private height = 0;
  private dpr = 1;
  private gutter = MIN_GUTTER;
  /** Visible time range, ns. */
  viewStart = 0;
  viewEnd = 1;
  /** True until the user zooms or pans: a live trace keeps fitting as it grows. */
  private following = true;
  scrollY = 0;
  private selection: Selection | null = null;
  private selectedWaits = new Set<number>();
  private hover: Hit | null = null;
  private hoverX: number | null = null;
  private drawPending = false;
  private rendered = false;
  /** The trace's first event: times are shown from it (tracer start-up is not program time). */
  private origin = 0;
  private drag: { x: number; y: number; viewStart: number; viewEnd: number; scrollY: number; moved: boolean } | null = null;
  /** Frames drawn (the benchmark and tests read it). */
  frames = 0;
  /** How many hand-off arrows the last frame drew (0 when too dense: zoom in). */
  arrowsDrawn = 0;

  constructor(private readonly root: HTMLElement, private readonly events: TimelineEvents) {
    this.canvas = document.createElement('canvas');
    this.canvas.id = 'al-canvas';
    this.canvas.tabIndex = 0;
    // Interactive and focusable, with its own keys: an application region (screen readers pass
    // keys through to it), named, and described by its keys; the text summary below has its content.
    this.canvas.setAttribute('role', 'application');
    this.canvas.setAttribute('aria-roledescription', 'timeline');
    this.canvas.setAttribute('aria-label', 'Timeline of tasks');
    this.canvas.setAttribute('aria-describedby', 'al-canvas-help');
    const help = document.createElement('p');
    help.id = 'al-canvas-help';
    help.className = 'al-visually-hidden';
    help.textContent = 'Keys: plus and minus zoom, left and right arrows pan, up and down arrows scroll the tasks, 0 fits the whole trace, '
      + 'Enter reveals the selection in the editor, Escape clears it. The selection is described in the details panel; '
      + 'the task list under "Tasks, await sites, output and warnings as text" has the same content as text.';
    this.scrollbar = document.createElement('div');
    this.scrollbar.className = 'al-vscroll';
    this.scrollbar.setAttribute('aria-hidden', 'true');
    this.scrollSpacer = document.createElement('div');
    this.scrollbar.append(this.scrollSpacer);
    this.tooltip = document.createElement('div');
    this.tooltip.id = 'al-tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.hidden = true;
    this.axisText = document.createElement('div');
    this.axisText.id = 'al-axis';
    this.axisText.className = 'al-visually-hidden';
    root.append(this.canvas, this.scrollbar, this.tooltip, this.axisText, help);
    const ctx = this.canvas.getContext('2d', { alpha: false });
    if (!ctx) throw new Error('canvas 2D is not available');
    this.ctx = ctx;
    this.theme = readTheme();
    this.bindEvents();
    new ResizeObserver(() => this.resize()).observe(root);
    this.resize();
  }

  // ------------------------------------------------------------------ public API

  /** Flat time arrays per lane and for the loop lane, built on first draw for each model. */
  private spanCache = new WeakMap<TaskLane, { steps?: Spans; waits?: Spans }>();
  private loopSpanCache: (Spans & { task: Float64Array }) | null = null;

  private spansOf(lane: TaskLane, kind: 'steps' | 'waits'): Spans {
    let entry = this.spanCache.get(lane);
    if (!entry) this.spanCache.set(lane, entry = {});
    let spans = entry[kind];
    if (!spans) {
      const model = this.model!;
      const indices = lane[kind];
      const items = kind === 'steps' ? model.steps : model.waits;
      const start = new Float64Array(indices.length), end = new Float64Array(indices.length);
      for (let i = 0; i < indices.length; i++) {
        const item = items[indices[i]];
        start[i] = item.start;
        end[i] = item.end;
      }
      spans = entry[kind] = { start, end };
    }
    return spans;
  }

  private stepStartCache: Float64Array | null = null;

  /** Start of every step, in step order (hand-off k leads to step k). */
  private stepStarts(): Float64Array {
    if (!this.stepStartCache) {
      const steps = this.model!.steps;
      const starts = new Float64Array(steps.length);
      for (let i = 0; i < steps.length; i++) starts[i] = steps[i].start;
      this.stepStartCache = starts;
    }
    return this.stepStartCache;
  }

  private loopSpans(): Spans & { task: Float64Array } {
    if (!this.loopSpanCache) {
      const loop = this.model!.loop;
      const start = new Float64Array(loop.length), end = new Float64Array(loop.length), task = new Float64Array(loop.length);
      for (let i = 0; i < loop.length; i++) {
        start[i] = loop[i].start;
        end[i] = loop[i].end;
        task[i] = loop[i].task ?? NaN;
      }
      this.loopSpanCache = { start, end, task };
    }
    return this.loopSpanCache;
  }

  /** Set while a preview is shown (a big trace's first frame, before its model): see preview.ts. */
  private preview: Preview | null = null;

  /** Shows a big trace from its preview; setModel() with the real model replaces it. */
  showPreview(preview: Preview): void {
    this.setModel(preview.model);
    this.preview = preview;
    for (const lane of preview.model.tasks) {
      const spans = preview.spans.get(lane.id);
      if (spans) this.spanCache.set(lane, { steps: spans.steps, waits: spans.waits });
    }
    this.loopSpanCache = preview.loop;
    this.stepStartCache = preview.stepStarts;
  }

  setModel(model: TraceModel): void {
    this.model = model;
    this.preview = null;
    this.loopSpanCache = null;
    this.stepStartCache = null;
    this.origin = model.start;
    const outputsByTask = new Map<number | null, number[]>();
    model.outputs.forEach((o, i) => pushTo(outputsByTask, o.task ?? null, i));
    const warningsByTask = new Map<number | null, number[]>();
    model.warnings.forEach((w, i) => pushTo(warningsByTask, w.task ?? null, i));
    // Warnings may arrive out of time order (a blocking step is reported when it ends).
    for (const list of warningsByTask.values()) list.sort((a, b) => model.warnings[a].t - model.warnings[b].t);
    const colorOf = new Map<number, number>();
    model.tasks.forEach((task, i) => colorOf.set(task.id, i));
    this.index = { outputsByTask, warningsByTask, colorOf };
    this.applyFilter();
    if (this.following) this.fitRange();
    this.requestDraw();
  }

  setFilter(text: string): void {
    this.filterText = text.trim().toLowerCase();
    this.applyFilter();
    this.requestDraw();
  }

  get visibleLanes(): readonly TaskLane[] {
    return this.lanes;
  }

  setSelection(selection: Selection | null, focus = false): void {
    this.selection = selection;
    this.selectedWaits = new Set(selection?.kind === 'waits' ? selection.waits : selection?.kind === 'wait' ? [selection.wait] : []);
    if (focus && selection) this.focusSelection(selection);
    this.requestDraw();
  }

  /** Show the whole trace. */
  fit(): void {
    this.following = true;
    this.fitRange();
    this.requestDraw();
    this.events.viewChanged();
  }

  setView(start: number, end: number, scrollY = this.scrollY): void {
    if (!(end > start)) return;
    this.following = false;
    this.viewStart = start;
    this.viewEnd = end;
    this.clampView();
    this.setScroll(scrollY);
    this.requestDraw();
  }

  /** Zoom by `factor` (>1 zooms in) around canvas x (default: the middle of the lanes). */
  zoom(factor: number, atX = this.gutter + (this.width - this.gutter) / 2): void {
    const t = this.timeAt(atX);
    const range = (this.viewEnd - this.viewStart) / factor;
    const frac = (atX - this.gutter) / Math.max(1, this.width - this.gutter);
    this.following = false;
    this.viewStart = t - frac * range;
    this.viewEnd = this.viewStart + range;
    this.clampView();
    this.requestDraw();
    this.events.viewChanged();
  }

  /** Pan by `px` canvas pixels (positive: later in time). */
  pan(px: number): void {
    const shift = px * this.nsPerPx();
    this.following = false;
    this.viewStart += shift;
    this.viewEnd += shift;
    this.clampView();
    this.requestDraw();
    this.events.viewChanged();
  }

  scrollBy(px: number): void {
    this.setScroll(this.scrollY + px);
    this.requestDraw();
    this.events.viewChanged();
  }

  refreshTheme(): void {
    this.theme = readTheme();
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  /** Where the selection would reveal in the source, if anywhere. */
  siteOf(hit: Hit | Selection): Site | null {
    const model = this.model;
    if (!model) return null;
    switch (hit.kind) {
      case 'wait': {
        const wait = model.waits[hit.wait];
        return wait?.site ?? lastFrameSite(wait?.stack) ?? null;
      }
      case 'waits': {
        const wait = model.waits[hit.waits[0]];
        return wait?.site ?? null;
      }
      case 'step': {
        const step = model.steps[hit.step];
        if (!step) return null;
        const lane = model.taskById.get(step.task);
        if (!lane) return null;
        // A step ends where the task suspended next: that await is the place to show.
        const k = lowerBound(0, lane.waits.length, (j) => model.waits[lane.waits[j]].start >= step.end);
        const next = model.waits[lane.waits[k]];
        if (next && next.start - step.end <= 0) return next.site ?? lastFrameSite(next.stack) ?? lane.def ?? lane.site;
        return lane.def ?? lane.site;
      }
      case 'warning': {
        const warning = model.warnings[hit.index];
        if (!warning) return null;
        const task = warning.task != null ? model.taskById.get(warning.task) : undefined;
        return warningSite(warning) ?? task?.def ?? null;
      }
      case 'output': {
        const output = model.outputs[hit.index];
        const task = output?.task != null ? model.taskById.get(output.task) : undefined;
        return task?.def ?? task?.site ?? null;
      }
      case 'task': {
        const task = model.taskById.get(hit.task);
        return task?.def ?? task?.site ?? null;
      }
      default:
        return null;
    }
  }

  // ------------------------------------------------------------------ geometry

  private nsPerPx(): number {
    return (this.viewEnd - this.viewStart) / Math.max(1, this.width - this.gutter);
  }

  private x(t: number): number {
    return this.gutter + (t - this.viewStart) / this.nsPerPx();
  }

  private timeAt(x: number): number {
    return this.viewStart + (x - this.gutter) * this.nsPerPx();
  }

  private laneTop(row: number): number {
    return AXIS_H + LOOP_H + row * LANE_H - this.scrollY;
  }

  private contentHeight(): number {
    return this.lanes.length * LANE_H;
  }

  private lanesViewportHeight(): number {
    return Math.max(0, this.height - AXIS_H - LOOP_H - (this.note ? NOTE_H : 0));
  }

  private traceRange(): [number, number] {
    const model = this.model;
    if (!model) return [0, 1e9];
    const start = model.start;
    const end = Math.max(model.end, start + 1000);
    return [start, end];
  }

  private fitRange(): void {
    const [start, end] = this.traceRange();
    const pad = (end - start) * 0.02;
    // More room on the right: outcomes ("raised ValueError: …") are written after a task's end;
    // at least OUTCOME_ROOM_PX of it, however narrow the panel ("returned" in full, not "re…").
    const lanesPx = Math.max(1, this.width - this.gutter);
    const roomPx = Math.min(OUTCOME_ROOM_PX, lanesPx / 3);
    const right = Math.max(pad * 6, (roomPx * (end - start + pad)) / Math.max(1, lanesPx - roomPx));
    this.viewStart = start - pad;
    this.viewEnd = end + right;
  }

  private clampView(): void {
    const [start, end] = this.traceRange();
    const span = end - start;
    let range = this.viewEnd - this.viewStart;
    range = Math.min(Math.max(range, MIN_RANGE), span * 1.5 + MIN_RANGE);
    let viewStart = this.viewStart;
    viewStart = Math.max(viewStart, start - span * 0.25);
    viewStart = Math.min(viewStart, end + span * 0.1 - range * 0.5);
    this.viewStart = viewStart;
    this.viewEnd = viewStart + range;
  }

  private setScroll(y: number): void {
    // Room for the hand-off note under the lanes, whether or not this frame shows it.
    const max = Math.max(0, this.contentHeight() - Math.max(0, this.height - AXIS_H - LOOP_H) + NOTE_H + LANE_H / 2);
    this.scrollY = Math.max(0, Math.min(max, Math.round(y)));
    if (Math.abs(this.scrollbar.scrollTop - this.scrollY) > 1) this.scrollbar.scrollTop = this.scrollY;
  }

  private applyFilter(): void {
    const model = this.model;
    if (!model) { this.lanes = []; return; }
    const needle = this.filterText;
    this.lanes = needle
      ? model.tasks.filter((t) => t.name.toLowerCase().includes(needle) || t.coro.toLowerCase().includes(needle))
      : model.tasks;
    // As far as setScroll() goes: the native scrollbar must not clamp the scroll back.
    this.scrollSpacer.style.height = `${this.contentHeight() + LANE_H / 2 + NOTE_H}px`;
    this.setScroll(this.scrollY);
    this.updateGutter();
  }

  private updateGutter(): void {
    // Wide enough for the longest name among the first lanes, within bounds.
    const ctx = this.ctx;
    ctx.font = this.theme.fontBold;
    let widest = 0;
    for (let i = 0; i < Math.min(this.lanes.length, 200); i++) {
      widest = Math.max(widest, ctx.measureText(this.lanes[i].name).width);
    }
    this.gutter = Math.round(Math.min(MAX_GUTTER, Math.max(MIN_GUTTER, widest + 44), this.width * 0.4 || MIN_GUTTER));
  }

  private resize(): void {
    const rect = this.root.getBoundingClientRect();
    this.dpr = window.devicePixelRatio || 1;
    this.width = Math.max(100, Math.floor(rect.width));
    this.height = Math.max(80, Math.floor(rect.height));
    this.canvas.width = Math.floor(this.width * this.dpr);
    this.canvas.height = Math.floor(this.height * this.dpr);
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.scrollbar.style.top = `${AXIS_H + LOOP_H}px`;
    this.updateGutter();
    this.setScroll(this.scrollY);
    this.draw();
  }

  // ------------------------------------------------------------------ drawing

  private colorOfTask(task: number | null): string {
    if (task === null) return this.theme.idle;
    const i = this.index.colorOf.get(task) ?? 0;
    return this.theme.palette[i % this.theme.palette.length];
  }

  draw(): void {
    const ctx = this.ctx;
    const th = this.theme;
    this.frames++;
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, this.width, this.height);
    ctx.textBaseline = 'middle';
    const model = this.model;
    if (!model) {
      ctx.fillStyle = th.dim;
      ctx.font = th.font;
      ctx.fillText('Waiting for the trace…', 16, this.height / 2);
      return;
    }

    const lanesTop = AXIS_H + LOOP_H;
    this.note = this.handoffNote();
    const lanesBottom = this.height - (this.note ? NOTE_H : 0);
    const firstRow = Math.max(0, Math.floor(this.scrollY / LANE_H));
    const lastRow = Math.min(this.lanes.length - 1, Math.floor((this.scrollY + this.lanesViewportHeight()) / LANE_H));

    // Lane backgrounds and the grid.
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, lanesTop, this.width, lanesBottom - lanesTop);
    ctx.clip();
    for (let row = firstRow; row <= lastRow; row++) {
      const lane = this.lanes[row];
      const y = this.laneTop(row);
      if (this.selection?.kind === 'task' && this.selection.task === lane.id) {
        ctx.fillStyle = th.hover;
        ctx.fillRect(0, y, this.width, LANE_H);
      } else if (row % 2 === 1) {
        ctx.fillStyle = th.laneAlt;
        ctx.fillRect(0, y, this.width, LANE_H);
      }
    }
    ctx.restore();
    this.drawGrid();

    ctx.save();
    ctx.beginPath();
    ctx.rect(this.gutter, lanesTop, this.width - this.gutter, lanesBottom - lanesTop);
    ctx.clip();
    for (let row = firstRow; row <= lastRow; row++) this.drawLane(this.lanes[row], this.laneTop(row));
    ctx.restore();

    this.drawLoopLane();
    this.drawArrows();
    this.drawGutter(firstRow, lastRow);
    this.drawNote();
    this.drawAxis();
    if (!this.rendered) {
      // The benchmark's "time to first render": the first frame that shows a trace.
      this.rendered = true;
      performance.mark('awaitlens-first-render');
    }
    if (this.hoverX !== null && this.hoverX > this.gutter) {
      ctx.strokeStyle = th.dim;
      ctx.lineWidth = 1;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(Math.round(this.hoverX) + 0.5, AXIS_H);
      ctx.lineTo(Math.round(this.hoverX) + 0.5, this.height);
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  private drawGrid(): void {
    const ctx = this.ctx;
    const step = niceStep(this.nsPerPx());
    ctx.strokeStyle = this.theme.grid;
    ctx.lineWidth = 1;
    ctx.beginPath();
    // Ticks count from the trace's first event, as every time the webview shows does.
    const origin = this.origin;
    for (let rel = Math.ceil((this.viewStart - origin) / step) * step; rel + origin <= this.viewEnd; rel += step) {
      const x = Math.round(this.x(rel + origin)) + 0.5;
      if (x < this.gutter) continue;
      ctx.moveTo(x, AXIS_H);
      ctx.lineTo(x, this.height);
    }
    ctx.stroke();
  }

  private drawAxis(): void {
    const ctx = this.ctx;
    const th = this.theme;
    ctx.fillStyle = th.gutter;
    ctx.fillRect(0, 0, this.width, AXIS_H);
    ctx.strokeStyle = th.border;
    ctx.beginPath();
    ctx.moveTo(0, AXIS_H - 0.5);
    ctx.lineTo(this.width, AXIS_H - 0.5);
    ctx.stroke();
    const step = niceStep(this.nsPerPx());
    ctx.font = th.fontSmall;
    ctx.fillStyle = th.dim;
    ctx.textAlign = 'left';
    ctx.beginPath();
    const origin = this.origin;
    for (let rel = Math.ceil((this.viewStart - origin) / step) * step; rel + origin <= this.viewEnd; rel += step) {
      const x = Math.round(this.x(rel + origin)) + 0.5;
      if (x < this.gutter) continue;
      ctx.moveTo(x, AXIS_H - 6);
      ctx.lineTo(x, AXIS_H);
      // A label cut by the right edge would read as another time ("50" of "500 ms"): left out.
      const label = formatTick(rel, step);
      if (x + 3 + ctx.measureText(label).width <= this.width - 2) ctx.fillText(label, x + 3, AXIS_H / 2 - 1);
    }
    ctx.stroke();
    ctx.fillStyle = th.dim;
    // In the gutter's width, never over the first tick label (narrow panels).
    this.fitText(`${formatDuration(this.viewEnd - this.viewStart)} shown`, 8, AXIS_H / 2 - 1, this.gutter - 14);
    this.updateAxisText(step);
    if (this.hoverX !== null && this.hoverX > this.gutter) {
      const label = formatTick(this.timeAt(this.hoverX) - this.origin, niceStep(this.nsPerPx(), 10));
      const w = ctx.measureText(label).width + 8;
      const x = Math.min(this.hoverX + 4, this.width - w);
      ctx.fillStyle = th.foreground;
      ctx.fillRect(x, 3, w, AXIS_H - 6);
      ctx.fillStyle = th.background;
      ctx.fillText(label, x + 4, AXIS_H / 2);
    }
  }

  private updateAxisText(step: number): void {
    const origin = this.origin;
    const first = Math.ceil((this.viewStart - origin) / step) * step;
    const labels: string[] = [];
    for (let rel = first; rel + origin <= this.viewEnd && labels.length < 50; rel += step) labels.push(formatTick(rel, step));
    const el = this.axisText;
    // The exact range changes with every pan, even one too small to move a tick label.
    const start = String(Math.round(this.viewStart)), end = String(Math.round(this.viewEnd));
    if (el.dataset.start !== start) el.dataset.start = start;
    if (el.dataset.end !== end) el.dataset.end = end;
    const key = `${step}|${labels.join(',')}`;
    if (key === this.axisKey) return;
    this.axisKey = key;
    el.dataset.step = String(step);
    el.dataset.labels = labels.join('|');
    el.textContent = `Time axis from ${formatTick(this.viewStart - origin, step)} to ${formatTick(this.viewEnd - origin, step)}, ticks every ${formatDuration(step)}.`;
  }

  /** Where something is drawn, in CSS pixels relative to the canvas (null when off-screen). For tests and tools. */
  locate(target: Selection): { x: number; y: number; width: number } | null {
    const model = this.model;
    if (!model) return null;
    let task: number | null, start: number, end: number;
    let dy = 0;
    switch (target.kind) {
      case 'step': { const s = model.steps[target.step]; if (!s) return null; task = s.task; start = s.start; end = s.end; break; }
      case 'wait': { const w = model.waits[target.wait]; if (!w) return null; task = w.task; start = w.start; end = w.end; break; }
      case 'output': { const o = model.outputs[target.index]; if (!o) return null; task = o.task; start = end = o.t; dy = BAR_H / 2 + 4; break; }
      case 'warning': { const w = model.warnings[target.index]; if (!w) return null; task = w.task ?? null; start = end = w.t; dy = -LANE_H / 2 + 8; break; }
      case 'task': { task = target.task; start = end = NaN; break; }
      default: return null;
    }
    let y: number;
    if (task === null) y = AXIS_H + LOOP_H / 2;
    else {
      const row = this.laneRowOf(task);
      if (row < 0) return null;
      y = this.laneTop(row) + LANE_H / 2;
      if (y < AXIS_H + LOOP_H || y > this.height) return null;
    }
    if (isNaN(start)) return { x: this.gutter / 2, y, width: this.gutter };
    const x0 = Math.max(this.x(start), this.gutter), x1 = Math.min(this.x(end), this.width);
    if (x1 < x0) return null;
    return { x: (x0 + x1) / 2, y: y + dy, width: x1 - x0 };
  }

  /**
   * Calls `emit` for each visible run of segments k in [0, n) (sorted, non-overlapping).
   * Segments narrower than a pixel are merged: everything ending inside one pixel column is
   * found by binary search and becomes one run, and touching merged runs join into one, so a
   * lane with a million segments costs a call per pixel column at most, and a dense stretch
   * is one rectangle. Segments a pixel wide or more are emitted alone (count 1).
   */
  private forEachRun(
    spans: Spans,
    emit: (x: number, w: number, first: number, count: number) => void,
    coalesce = true,
    /** Segments narrower than this that touch the run being grown join it (a bar behind the steps). */
    joinPx = 1,
    /** Called for every segment at least a pixel wide, joined or not (for labels and outlines). */
    each?: (x: number, w: number, k: number) => void,
  ): void {
    const viewStart = this.viewStart, viewEnd = this.viewEnd;
    const nsPerPx = this.nsPerPx();
    const gutter = this.gutter;
    // The merged run being grown: [runX, runEnd) over segments [runFirst, runFirst + runCount).
    let runX = 0, runEnd = -Infinity, runFirst = 0, runCount = 0;
    const flush = () => {
      if (runCount) emit(runX, runEnd - runX, runFirst, runCount);
      runCount = 0;
    };
    const starts = spans.start, ends = spans.end, n = starts.length;
    let k = lowerBoundAtLeast(ends, 0, n, viewStart);
    while (k < n) {
      const start = starts[k];
      if (start > viewEnd) break;
      const xs = gutter + (start - viewStart) / nsPerPx;
      const xe = gutter + (ends[k] - viewStart) / nsPerPx;
      if (xe - xs >= 1) {
        if (each) each(xs, xe - xs, k);
        if (coalesce && runCount && xe - xs < joinPx && xs <= runEnd + 0.5) {
          runEnd = Math.max(runEnd, xe);
          runCount++;
          k++;
          continue;
        }
        flush();
        emit(xs, xe - xs, k, 1);
        k++;
        continue;
      }
      const column = Math.floor(xs);
      const boundary = viewStart + (column + 1 - gutter) * nsPerPx;
      const j = gallopAbove(ends, k + 1, n, boundary);
      if (runCount && coalesce && column <= runEnd) {
        runEnd = Math.max(runEnd, column + 1);
        runCount += j - k;
      } else {
        flush();
        runX = column;
        runEnd = column + 1;
        runFirst = k;
        runCount = j - k;
      }
      k = j;
    }
    flush();
  }

  private drawLane(lane: TaskLane, top: number): void {
    const model = this.model!;
    const ctx = this.ctx;
    const th = this.theme;
    const mid = top + LANE_H / 2;
    const barTop = mid - BAR_H / 2;
    const endT = lane.end ? lane.end.t : model.end;

    // The task's life: a thin line from creation to its end.
    const lifeStart = Math.max(this.x(lane.created), this.gutter - 2);
    const lifeEnd = Math.min(this.x(endT), this.width + 2);
    if (lifeEnd > lifeStart) {
      ctx.fillStyle = th.waitBorder;
      ctx.fillRect(lifeStart, mid - 0.5, lifeEnd - lifeStart, 1);
    }

    // Suspended stretches: light bars with their await site and what they wait on.
    const waits = model.waits;
    const waitIdx = lane.waits;
    const labels: { x: number; w: number; text: string }[] = [];
    const highlighted: { x: number; w: number }[] = [];
    // One fill color per kind of bar; fillRect per run (faster than one big path in software raster).
    ctx.fillStyle = th.wait;
    const hoveredWait = this.hover?.kind === 'wait' ? this.hover.wait : -1;
    const outline = th.waitOutline;
    const outlined: number[] = [];
    const nsPerPx = this.nsPerPx();
    // Waits that touch are one bar (the steps between them are drawn on top); each wide one gets its label.
    this.forEachRun(this.spansOf(lane, 'waits'), (x, w, first, count) => {
      const left = Math.max(x, this.gutter - 1);
      const right = Math.min(x + w, this.width + 1);
      // Whole pixels: crisp edges, and the rasterizer's fast path (no anti-aliasing).
      const px = Math.round(left);
      ctx.fillRect(px, barTop + 3, Math.max(1, Math.round(right) - px), BAR_H - 6);
      if (outline) outlined.push(left, right - left);
      if (!this.selectedWaits.size && hoveredWait < 0) return;
      // Outline a selected wait too narrow to be seen on its own (wide ones are outlined by `each`).
      for (let k = first; k < first + count; k++) {
        const wait = waits[waitIdx[k]];
        if (!wait || (wait.end - wait.start) / nsPerPx >= 1) continue;
        if (this.selectedWaits.has(waitIdx[k]) || waitIdx[k] === hoveredWait) { highlighted.push({ x: this.x(wait.start), w: 1 }); break; }
      }
    }, true, Infinity, (x, w, k) => {
      const waitIndex = waitIdx[k];
      if (this.selectedWaits.has(waitIndex) || waitIndex === hoveredWait) highlighted.push({ x, w });
      const left = Math.max(x, this.gutter - 1);
      const right = Math.min(x + w, this.width + 1);
      if (right - left > 40) {
        const wait = waits[waitIndex];
        if (wait) {
          const what = awaitingLabel(wait.awaiting);
          labels.push({ x: left, w: right - left, text: what ? `${siteLabel(wait.site)} · ${what}` : siteLabel(wait.site) });
        } else if (this.preview) labels.push({ x: left, w: right - left, text: this.preview.waitLabel(lane.id, k) });
      }
    });

    if (outlined.length) {
      ctx.strokeStyle = outline;
      ctx.lineWidth = 1;
      for (let i = 0; i < outlined.length; i += 2) ctx.strokeRect(outlined[i] + 0.5, barTop + 3.5, Math.max(0, outlined[i + 1] - 1), BAR_H - 7);
      ctx.fillStyle = th.wait;
    }

    // Running stretches: solid bars in the task's color.
    const stepIdx = lane.steps;
    let selectedStep: { x: number; w: number } | null = null;
    const sel = this.selection;
    const hov = this.hover;
    const marked = [sel?.kind === 'step' ? sel.step : -1, hov?.kind === 'step' ? hov.step : -1];
    ctx.fillStyle = this.colorOfTask(lane.id);
    this.forEachRun(this.spansOf(lane, 'steps'), (x, w, first, count) => {
      const px = Math.round(x);
      ctx.fillRect(px, barTop, Math.max(1, Math.round(x + w) - px), BAR_H);
      // A lane's step indices ascend, so "is the selected step in this run" is a range check.
      const lo = stepIdx[first], hi = stepIdx[first + count - 1];
      for (const m of marked) if (m >= lo && m <= hi && (count === 1 || stepIdx.indexOf(m, first) < first + count)) selectedStep = { x, w };
    });

    ctx.font = th.fontSmall;
    ctx.fillStyle = th.foreground;
    ctx.textAlign = 'left';
    for (const label of labels) this.fitText(label.text, label.x + 4, mid, label.w - 8);

    // Blocking steps and other warnings.
    const warnings = this.index.warningsByTask.get(lane.id);
    if (warnings) this.drawWarnings(warnings, top);
    const outputs = this.index.outputsByTask.get(lane.id);
    if (outputs) this.drawOutputs(outputs, barTop + BAR_H);

    // The task's end and outcome.
    if (lane.end) {
      const x = this.x(lane.end.t);
      if (x >= this.gutter - 10 && x <= this.width + 10) this.drawOutcome(lane, x, mid);
    }

    ctx.lineWidth = 2;
    ctx.strokeStyle = th.selection;
    for (const h of highlighted) ctx.strokeRect(h.x - 1, barTop + 1, Math.max(h.w, 1) + 2, BAR_H - 2);
    if (selectedStep) {
      const s = selectedStep as { x: number; w: number };
      ctx.strokeRect(s.x - 1.5, barTop - 1.5, Math.max(s.w, 1.5) + 3, BAR_H + 3);
    }
  }

  private drawOutcome(lane: TaskLane, x: number, mid: number): void {
    const ctx = this.ctx;
    const th = this.theme;
    const end = lane.end!;
    const color = end.outcome === 'returned' ? th.returned : end.outcome === 'raised' ? th.error : th.cancelled;
    ctx.fillStyle = color;
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(x, mid, 5, 0, Math.PI * 2);
    if (end.outcome === 'returned') {
      ctx.fill();
    } else {
      ctx.fillStyle = th.background;
      ctx.fill();
      ctx.stroke();
      ctx.beginPath();
      if (end.outcome === 'raised') {
        ctx.moveTo(x - 2.5, mid - 2.5); ctx.lineTo(x + 2.5, mid + 2.5);
        ctx.moveTo(x + 2.5, mid - 2.5); ctx.lineTo(x - 2.5, mid + 2.5);
      } else {
        ctx.moveTo(x - 3, mid + 3); ctx.lineTo(x + 3, mid - 3);
      }
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    const text = end.outcome === 'raised' ? `raised ${bidiSafe(end.error ?? '')}`.trim() : end.outcome;
    ctx.font = th.fontSmall;
    ctx.fillStyle = end.outcome === 'returned' ? th.dim : color;
    ctx.textAlign = 'left';
    this.fitText(text, x + 9, mid, this.width - x - 12);
  }

  /** Output markers: small triangles under the bar, pointing up at the moment of the print. */
  private drawOutputs(list: number[], barBottom: number): void {
    const model = this.model!;
    const ctx = this.ctx;
    const outputs = model.outputs;
    const nsPerPx = this.nsPerPx();
    let k = lowerBound(0, list.length, (j) => outputs[list[j]].t >= this.viewStart);
    const stdout: number[] = [], stderr: number[] = [];
    while (k < list.length) {
      const o = outputs[list[k]];
      if (o.t > this.viewEnd) break;
      const x = this.x(o.t);
      (o.stream === 'stderr' ? stderr : stdout).push(x);
      // One marker per 4 pixels is enough: skip the rest of this column.
      const boundary = o.t + 4 * nsPerPx;
      k = Math.max(k + 1, lowerBound(k + 1, list.length, (j) => outputs[list[j]].t >= boundary));
    }
    const marker = (xs: number[], color: string) => {
      if (!xs.length) return;
      ctx.fillStyle = color;
      ctx.beginPath();
      for (const x of xs) {
        ctx.moveTo(x - 4, barBottom + 6);
        ctx.lineTo(x + 4, barBottom + 6);
        ctx.lineTo(x, barBottom);
        ctx.closePath();
      }
      ctx.fill();
    };
    marker(stdout, this.theme.output);
    marker(stderr, this.theme.stderr);
    const sel = this.selection;
    if (sel?.kind === 'output' && list.includes(sel.index)) {
      const x = this.x(outputs[sel.index].t);
      ctx.strokeStyle = this.theme.selection;
      ctx.lineWidth = 2;
      ctx.strokeRect(x - 6, barBottom - 2, 12, 10);
    }
  }

  private drawWarnings(list: number[], top: number): void {
    const model = this.model!;
    const ctx = this.ctx;
    const th = this.theme;
    const sel = this.selection;
    for (const i of list) {
      const w = model.warnings[i];
      const end = w.t + (w.dur ?? 0);
      if (end < this.viewStart || w.t > this.viewEnd) continue;
      const x = this.x(w.t);
      const color = w.kind === 'blocking' || w.kind === 'unhandled-rejection' ? th.error : th.warning;
      if (w.dur) {
        // Blocking: the stretch that held the loop, outlined.
        ctx.strokeStyle = color;
        ctx.lineWidth = 2;
        ctx.strokeRect(x - 1, top + LANE_H / 2 - BAR_H / 2 - 1, Math.max(2, this.x(end) - x) + 2, BAR_H + 2);
      }
      // A warning sign at the moment it happened.
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(x, top + 2);
      ctx.lineTo(x + 6, top + 12);
      ctx.lineTo(x - 6, top + 12);
      ctx.closePath();
      ctx.fill();
      ctx.fillStyle = th.background;
      ctx.fillRect(x - 0.75, top + 5, 1.5, 4);
      ctx.fillRect(x - 0.75, top + 10, 1.5, 1.2);
      if (sel?.kind === 'warning' && sel.index === i) {
        ctx.strokeStyle = th.selection;
        ctx.lineWidth = 2;
        ctx.strokeRect(x - 8, top, 16, 14);
      }
    }
  }

  private drawLoopLane(): void {
    const model = this.model!;
    const ctx = this.ctx;
    const th = this.theme;
    const top = AXIS_H;
    ctx.fillStyle = th.gutter;
    ctx.fillRect(0, top, this.width, LOOP_H);
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.gutter, top, this.width - this.gutter, LOOP_H);
    ctx.clip();
    const barTop = top + 6, barH = LOOP_H - 12;
    // Idle where the loop waited for timers or I/O, and before/after: a hatched band.
    const buckets = new Map<string, number[]>();
    const loop = this.loopSpans();
    const taskAt = (k: number): number | null => (loop.task[k] === loop.task[k] ? loop.task[k] : null);
    this.forEachRun(loop, (x, w, first, count) => {
      let color: string;
      if (count === 1) color = this.colorOfTask(taskAt(first));
      else {
        // Several segments share this pixel: the loop was busy if any task ran in it.
        let anyTask: number | null = null, mixed = false;
        for (let k = first; k < first + count && k < first + 8; k++) {
          const task = taskAt(k);
          if (task === null) continue;
          if (anyTask === null) anyTask = task; else if (anyTask !== task) mixed = true;
        }
        color = anyTask === null ? th.idle : mixed ? th.dim : this.colorOfTask(anyTask);
      }
      let bucket = buckets.get(color);
      if (!bucket) buckets.set(color, bucket = []);
      // Neighbouring columns of one color become one rectangle.
      const last = bucket.length - 2;
      if (last >= 0 && Math.abs(bucket[last] + bucket[last + 1] - x) < 0.5) bucket[last + 1] = x + Math.max(w, 1) - bucket[last];
      else bucket.push(x, Math.max(w, 1));
    }, false);
    const idleLabels: number[] = [];
    for (const [color, rects] of buckets) {
      ctx.fillStyle = color;
      ctx.beginPath();
      const idle = color === th.idle;
      for (let i = 0; i < rects.length; i += 2) {
        if (idle) {
          ctx.rect(Math.round(rects[i]), barTop + barH / 2 - 2, Math.max(1, Math.round(rects[i + 1])), 4);
          if (rects[i + 1] > 70) idleLabels.push(rects[i], rects[i + 1]);
        } else ctx.rect(Math.round(rects[i]), barTop, Math.max(1, Math.round(rects[i + 1])), barH);
      }
      ctx.fill();
    }
    // Wide idle stretches say what they are: the loop waited for timers or I/O.
    ctx.font = th.fontSmall;
    ctx.textAlign = 'center';
    for (let i = 0; i < idleLabels.length; i += 2) {
      const left = Math.max(idleLabels[i], this.gutter), right = Math.min(idleLabels[i] + idleLabels[i + 1], this.width);
      if (right - left < 70) continue;
      const cx = (left + right) / 2;
      ctx.fillStyle = th.gutter;
      ctx.fillRect(cx - 18, barTop, 36, barH);
      ctx.fillStyle = th.dim;
      ctx.fillText('idle', cx, barTop + barH / 2);
    }
    ctx.textAlign = 'left';
    // Warnings not tied to a task (e.g. never-awaited coroutines found at exit).
    const loopWarnings = this.index.warningsByTask.get(null);
    if (loopWarnings) this.drawWarnings(loopWarnings, top);
    const loopOutputs = this.index.outputsByTask.get(null);
    if (loopOutputs) this.drawOutputs(loopOutputs, barTop + barH);
    ctx.restore();
    ctx.strokeStyle = th.border;
    ctx.beginPath();
    ctx.moveTo(0, top + LOOP_H - 0.5);
    ctx.lineTo(this.width, top + LOOP_H - 0.5);
    ctx.stroke();
    ctx.font = th.fontBold;
    ctx.fillStyle = th.foreground;
    ctx.textAlign = 'left';
    this.fitText('Event loop', 10, top + LOOP_H / 2, this.gutter - 16);
  }

  private laneRowOf(task: number): number {
    // Lanes are in creation order, so the row is found by position in model.tasks when unfiltered.
    if (this.lanes === this.model?.tasks) {
      const i = this.index.colorOf.get(task);
      return i === undefined ? -1 : i;
    }
    return this.lanes.findIndex((l) => l.id === task);
  }

  private drawArrows(): void {
    const model = this.model!;
    const ctx = this.ctx;
    const th = this.theme;
    this.arrowsDrawn = 0;
    // Hand-off k leads to step k at its start: which are in view is found in the step starts,
    // without the hand-off objects (built on first use, which a zoomed-out frame never needs).
    const starts = this.stepStarts();
    const lo = lowerBoundAtLeast(starts, 0, starts.length, this.viewStart);
    const hi = gallopAbove(starts, lo, starts.length, this.viewEnd);
    const count = hi - lo;
    if (count === 0) return;
    const note = this.note;
    const thinned = !!note, hopeless = !!note?.hopeless;
    if (hopeless) return;
    const handoffs = model.handoffs;
    if (!handoffs.length) return; // a preview: arrows come with the model
    const lanesTop = AXIS_H + LOOP_H;
    const rowCache = new Map<number, number>();
    const rowOf = (task: number) => {
      let r = rowCache.get(task);
      if (r === undefined) rowCache.set(task, r = this.laneRowOf(task));
      return r;
    };
    const yOf = (task: number): number | null => {
      const row = rowOf(task);
      if (row < 0) return null;
      return this.laneTop(row) + LANE_H / 2;
    };
    const label = count <= 60 && !thinned;
    const thinPx = ARROW_MIN_PX * 3;
    let lastX = -Infinity;
    const placed: [number, number, number][] = [];
    ctx.save();
    ctx.beginPath();
    ctx.rect(this.gutter, AXIS_H, this.width - this.gutter, this.height - AXIS_H - (note ? NOTE_H : 0));
    ctx.clip();
    ctx.lineWidth = 1.25;
    ctx.font = th.fontSmall;
    ctx.textAlign = 'left';
    const nameOf = (id: number) => model.taskById.get(id)?.name ?? `task ${id}`;
    if (thinned) ctx.globalAlpha = 0.55;
    for (let k = lo; k < hi; k++) {
      const h = handoffs[k];
      if (thinned) {
        // Skip to the first hand-off at least thinPx to the right of the last one drawn.
        const x = this.x(h.t);
        if (x < lastX + thinPx) {
          const next = this.timeAt(lastX + thinPx);
          k = Math.max(k, lowerBoundAtLeast(starts, k, hi, next) - 1);
          continue;
        }
        lastX = x;
      }
      const to = model.steps[h.to];
      if (!to) continue;
      const from = h.from !== null ? model.steps[h.from] : null;
      const y1 = yOf(to.task);
      if (y1 === null) continue;
      const x1 = this.x(to.start);
      let x0: number, y0: number | null;
      if (from) {
        x0 = this.x(from.end);
        y0 = yOf(from.task);
        if (y0 === null) continue;
      } else {
        // The loop came out of idle (a timer fired, I/O arrived): from the event-loop lane.
        x0 = x1;
        y0 = AXIS_H + LOOP_H / 2;
      }
      // Both ends off-screen vertically on the same side: nothing to see.
      if ((y0 < lanesTop && y1 < lanesTop && from) || (y0 > this.height && y1 > this.height)) continue;
      const color = th.cause[h.cause.kind] ?? th.cause.unknown;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      const dx = Math.max(12, Math.abs(x1 - x0) / 2);
      ctx.bezierCurveTo(x0 + dx * 0.6, y0, x1 - dx * 0.6, y1, x1, y1 - (y1 > y0 ? BAR_H / 2 : -BAR_H / 2));
      ctx.stroke();
      const tipY = y1 - (y1 > y0 ? BAR_H / 2 : -BAR_H / 2);
      const dir = y1 > y0 ? -1 : 1;
      ctx.beginPath();
      ctx.moveTo(x1, tipY);
      ctx.lineTo(x1 - 3.5, tipY + dir * 6);
      ctx.lineTo(x1 + 3.5, tipY + dir * 6);
      ctx.closePath();
      ctx.fill();
      this.arrowsDrawn++;
      if (label && Math.abs(y1 - y0) >= LANE_H && h.cause.kind !== 'start') {
        const text = causeShort(h.cause, nameOf);
        // On the boundary between two lanes, where it does not cover a bar's label.
        const ly = Math.round(((y0 + y1) / 2 - lanesTop + this.scrollY) / LANE_H) * LANE_H + lanesTop - this.scrollY;
        const lx = (x0 + x1) / 2 + 4;
        const w = ctx.measureText(text).width;
        // Hand-offs close in time would write over each other: the first label wins.
        if (placed.some((r) => lx < r[0] + r[2] + 4 && r[0] < lx + w + 4 && Math.abs(r[1] - ly) < 14)) continue;
        placed.push([lx, ly, w]);
        ctx.fillStyle = th.background;
        ctx.globalAlpha = 0.85;
        ctx.fillRect(lx - 2, ly - 7, w + 4, 14);
        ctx.globalAlpha = 1;
        ctx.fillStyle = color;
        ctx.fillText(text, lx, ly);
      }
    }
    ctx.globalAlpha = 1;
    ctx.restore();
  }

  /** Hand-offs in view, when too many to draw each: the note to show under the lanes (null: all drawn). */
  private note: { text: string; hopeless: boolean } | null = null;

  private handoffNote(): { text: string; hopeless: boolean } | null {
    // Hand-off k leads to step k at its start: which are in view is found in the step starts,
    // without the hand-off objects (built on first use, which a zoomed-out frame never needs).
    const starts = this.stepStarts();
    const lo = lowerBoundAtLeast(starts, 0, starts.length, this.viewStart);
    const count = gallopAbove(starts, lo, starts.length, this.viewEnd) - lo;
    const px = this.width - this.gutter;
    // Too dense to read every one: thin out to one arrow per few pixels, faint and unlabelled,
    // and say so. Far too dense (a smear whatever we keep): only the note.
    if (!(count > MAX_ARROWS || px / count < ARROW_MIN_PX)) return null;
    const hopeless = count > px * 4;
    if (this.note && this.note.hopeless === hopeless && this.noteCount === count) return this.note;
    this.noteCount = count;
    const n = count.toLocaleString('en-US');
    return { text: hopeless ? `${n} hand-offs in view: zoom in to see the arrows` : `${n} hand-offs in view, some shown: zoom in to see all`, hopeless };
  }

  private noteCount = 0;

  /** The note under the lanes, in a strip of its own: it never covers a lane or its labels. */
  private drawNote(): void {
    const note = this.note;
    if (!note) return;
    const ctx = this.ctx;
    const th = this.theme;
    const top = this.height - NOTE_H;
    ctx.fillStyle = th.gutter;
    ctx.fillRect(0, top, this.width, NOTE_H);
    ctx.strokeStyle = th.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(0, top + 0.5);
    ctx.lineTo(this.width, top + 0.5);
    ctx.stroke();
    ctx.font = th.fontSmall;
    ctx.fillStyle = th.dim;
    ctx.textAlign = 'left';
    // Under the lanes when they have room for it, else from the left edge.
    const x = this.width - this.gutter >= 260 ? this.gutter + 8 : 8;
    this.fitText(note.text, x, top + NOTE_H / 2, this.width - x - 8);
  }

  private drawGutter(firstRow: number, lastRow: number): void {
    const ctx = this.ctx;
    const th = this.theme;
    const lanesTop = AXIS_H + LOOP_H;
    ctx.save();
    ctx.beginPath();
    ctx.rect(0, lanesTop, this.gutter, this.height - lanesTop - (this.note ? NOTE_H : 0));
    ctx.clip();
    ctx.fillStyle = th.gutter;
    ctx.fillRect(0, lanesTop, this.gutter, this.height - lanesTop);
    ctx.textAlign = 'left';
    for (let row = firstRow; row <= lastRow; row++) {
      const lane = this.lanes[row];
      const top = this.laneTop(row);
      if (this.selection?.kind === 'task' && this.selection.task === lane.id) {
        ctx.fillStyle = th.hover;
        ctx.fillRect(0, top, this.gutter, LANE_H);
      }
      ctx.fillStyle = this.colorOfTask(lane.id);
      ctx.fillRect(4, top + 7, 4, LANE_H - 14);
      ctx.font = th.fontBold;
      ctx.fillStyle = th.foreground;
      const twoLines = !!lane.coro && lane.coro !== lane.name && lane.coro !== '?';
      // Cut in the middle: names often differ only at the end ("fetch https://…/page/12").
      this.fitTextMiddle(lane.name, 14, top + LANE_H / 2 - (twoLines ? 6 : 0), this.gutter - 34);
      if (twoLines) {
        ctx.font = th.fontSmall;
        ctx.fillStyle = th.dim;
        this.fitTextMiddle(lane.coro, 14, top + LANE_H / 2 + 7, this.gutter - 34);
      }
      if (lane.end) {
        const glyph = lane.end.outcome === 'returned' ? '✓' : lane.end.outcome === 'raised' ? '✗' : '⊘';
        ctx.font = th.fontBold;
        ctx.fillStyle = lane.end.outcome === 'returned' ? th.returned : lane.end.outcome === 'raised' ? th.error : th.cancelled;
        ctx.fillText(glyph, this.gutter - 18, top + LANE_H / 2);
      }
    }
    ctx.restore();
    ctx.strokeStyle = th.border;
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(this.gutter - 0.5, AXIS_H);
    ctx.lineTo(this.gutter - 0.5, this.height);
    ctx.stroke();
    // No lane to draw: the page says why in #al-empty over the canvas (wrapped text, links), not here.
  }

  /** Gutter texts as drawn, cut to their room: measured once per text, font and width, not every frame. */
  private middleCache = new Map<string, { font: string; maxWidth: number; text: string }>();

  /**
   * Draws trace text (bidi-safe) cut to `maxWidth` with an ellipsis in the middle, keeping its
   * start and its end ("download https://ex…/images/12.png").
   */
  private fitTextMiddle(raw: string, x: number, y: number, maxWidth: number): void {
    if (maxWidth < 12) return;
    const ctx = this.ctx;
    const font = ctx.font;
    let entry = this.middleCache.get(raw);
    if (!entry || entry.font !== font || entry.maxWidth !== maxWidth) {
      if (this.middleCache.size > 4000) this.middleCache.clear();
      const out = fitToWidth(bidiSafe(raw), maxWidth, (t) => ctx.measureText(t).width, 'middle');
      this.middleCache.set(raw, entry = { font, maxWidth, text: out });
    }
    if (entry.text) ctx.fillText(entry.text, x, y);
  }

  /** Draws `text` cut to `maxWidth` with an ellipsis; returns the width drawn. */
  private fitText(text: string, x: number, y: number, maxWidth: number): number {
    if (maxWidth < 12) return 0;
    const ctx = this.ctx;
    let width = ctx.measureText(text).width;
    if (width <= maxWidth) {
      ctx.fillText(text, x, y);
      return width;
    }
    // Estimate the cut from the average glyph width, then correct.
    let n = Math.max(1, Math.floor(text.length * (maxWidth / width)) - 1);
    let cut = text.slice(0, n) + '…';
    width = ctx.measureText(cut).width;
    while (width > maxWidth && n > 1) {
      n = Math.max(1, n - Math.max(1, Math.floor(n / 8)));
      cut = text.slice(0, n) + '…';
      width = ctx.measureText(cut).width;
    }
    if (width > maxWidth) return 0;
    ctx.fillText(cut, x, y);
    return width;
  }

  // ------------------------------------------------------------------ hit testing

  hitTest(x: number, y: number): Hit | null {
    const model = this.model;
    // A preview has no steps or waits to point at yet (the model follows in a moment).
    if (!model || y < AXIS_H || this.preview) return null;
    if (this.note && y >= this.height - NOTE_H) return null;
    const t = this.timeAt(x);
    const slop = 4 * this.nsPerPx();
    if (y < AXIS_H + LOOP_H) {
      if (x < this.gutter) return null;
      const markerHit = this.hitMarkers(null, x, y - AXIS_H);
      if (markerHit) return markerHit;
      const loop = model.loop;
      const k = lowerBound(0, loop.length, (j) => loop[j].end >= t - slop / 4);
      const seg = loop[k];
      if (!seg || seg.start > t + slop / 4) return null;
      if (seg.task === null) return { kind: 'idle', start: seg.start, end: seg.end };
      return this.stepAt(seg.task, t, slop) ?? { kind: 'task', task: seg.task };
    }
    const row = Math.floor((y - AXIS_H - LOOP_H + this.scrollY) / LANE_H);
    const lane = this.lanes[row];
    if (!lane) return null;
    if (x < this.gutter) return { kind: 'task', task: lane.id };
    const inLaneY = y - this.laneTop(row);
    const markerHit = this.hitMarkers(lane.id, x, inLaneY);
    if (markerHit) return markerHit;
    const step = this.stepAt(lane.id, t, slop);
    if (step) return step;
    const waits = model.waits;
    const w = lowerBound(0, lane.waits.length, (j) => waits[lane.waits[j]].end >= t);
    const wait = waits[lane.waits[w]];
    if (wait && wait.start <= t) return { kind: 'wait', wait: lane.waits[w] };
    return { kind: 'task', task: lane.id };
  }

  private stepAt(task: number, t: number, slop: number): Hit | null {
    const model = this.model!;
    const lane = model.taskById.get(task);
    if (!lane) return null;
    const steps = model.steps;
    // Steps can be far narrower than a pixel: accept the nearest within a few pixels.
    const k = lowerBound(0, lane.steps.length, (j) => steps[lane.steps[j]].end >= t - slop);
    const step = steps[lane.steps[k]];
    if (step && step.start <= t + slop) {
      // Prefer an exact hit over a slop hit on the next step.
      return { kind: 'step', step: lane.steps[k] };
    }
    return null;
  }

  private hitMarkers(task: number | null, x: number, yInLane: number): Hit | null {
    const model = this.model!;
    if (yInLane <= 14) {
      for (const i of this.index.warningsByTask.get(task) ?? []) {
        const w = model.warnings[i];
        if (Math.abs(this.x(w.t) - x) <= 7) return { kind: 'warning', index: i };
      }
    }
    const barBottom = task === null ? LOOP_H - 6 : LANE_H / 2 + BAR_H / 2;
    if (yInLane >= barBottom - 2 && yInLane <= barBottom + 8) {
      const list = this.index.outputsByTask.get(task);
      if (list) {
        const outputs = model.outputs;
        const t = this.timeAt(x);
        const slop = 5 * this.nsPerPx();
        const k = lowerBound(0, list.length, (j) => outputs[list[j]].t >= t - slop);
        if (k < list.length && outputs[list[k]].t <= t + slop) return { kind: 'output', index: list[k] };
      }
    }
    return null;
  }

  /** Tooltip lines for a hit. */
  describe(hit: Hit): string[] {
    const model = this.model!;
    const nameOf = (id: number) => bidiSafe(model.taskById.get(id)?.name ?? `task ${id}`);
    switch (hit.kind) {
      case 'step': {
        const s = model.steps[hit.step];
        const lines = [`${nameOf(s.task)} running`, `${formatDuration(s.end - s.start)} from ${formatOffset(s.start - this.origin)}`, `resumed by: ${causeLabel(s.cause, nameOf)}`];
        if (s.open) lines.push('still running when the trace ended');
        return lines;
      }
      case 'wait': {
        const w = model.waits[hit.wait];
        const lines = [
          `${nameOf(w.task)} suspended at ${siteLabel(w.site)}`,
          `waiting on: ${awaitingLabel(w.awaiting)}`,
          `${formatDuration(w.end - w.start)} from ${formatOffset(w.start - this.origin)}`,
        ];
        if (w.resumedBy) lines.push(`resumed by: ${causeLabel(w.resumedBy, nameOf)}`);
        if (w.open) lines.push('still waiting when the trace ended');
        return lines;
      }
      case 'output': {
        const o = model.outputs[hit.index];
        const text = o.text.length > 300 ? o.text.slice(0, 300) + '…' : o.text;
        return [`${o.stream} at ${formatOffset(o.t - this.origin)}${o.task !== null ? ` from ${nameOf(o.task)}` : ''}`, text.replace(/\n$/, '')];
      }
      case 'warning': {
        const w = model.warnings[hit.index];
        const lines = [`⚠ ${bidiSafe(w.kind)}${w.dur ? ` for ${formatDuration(w.dur)}` : ''} at ${formatOffset(w.t - this.origin)}`, bidiSafe(w.message)];
        if (w.site) lines.push(siteLabel(w.site));
        return lines;
      }
      case 'task': {
        const task = model.taskById.get(hit.task);
        if (!task) return [];
        const lines = [`${bidiSafe(task.name)} (${bidiSafe(task.coro)})`, `created at ${formatOffset(task.created - this.origin)}${task.def ? ` · defined at ${siteLabel(task.def)}` : ''}`];
        lines.push(task.end ? `${task.end.outcome}${task.end.error ? `: ${bidiSafe(task.end.error)}` : ''} at ${formatOffset(task.end.t - this.origin)}` : 'not finished');
        lines.push(`busy ${formatDuration(task.busy)} in ${task.steps.length} steps, ${task.waits.length} awaits`);
        return lines;
      }
      case 'idle':
        return ['Event loop idle (waiting for timers or I/O)', `${formatDuration(hit.end - hit.start)} from ${formatOffset(hit.start - this.origin)}`];
    }
  }

  hitToSelection(hit: Hit): Selection | null {
    switch (hit.kind) {
      case 'step': return { kind: 'step', step: hit.step };
      case 'wait': return { kind: 'wait', wait: hit.wait };
      case 'output': return { kind: 'output', index: hit.index };
      case 'warning': return { kind: 'warning', index: hit.index };
      case 'task': return { kind: 'task', task: hit.task };
      default: return null;
    }
  }

  /** Scroll (and zoom out if needed) so the selection is in view. */
  private focusSelection(selection: Selection): void {
    const model = this.model;
    if (!model) return;
    let task: number | null = null;
    let start = NaN, end = NaN;
    const cover = (a: number, b: number) => { start = isNaN(start) ? a : Math.min(start, a); end = isNaN(end) ? b : Math.max(end, b); };
    switch (selection.kind) {
      case 'task': { task = selection.task; break; }
      case 'step': { const s = model.steps[selection.step]; if (s) { task = s.task; cover(s.start, s.end); } break; }
      case 'wait': { const w = model.waits[selection.wait]; if (w) { task = w.task; cover(w.start, w.end); } break; }
      case 'waits': {
        for (const i of selection.waits) { const w = model.waits[i]; if (w) { task ??= w.task; cover(w.start, w.end); } }
        break;
      }
      case 'output': { const o = model.outputs[selection.index]; if (o) { task = o.task; cover(o.t, o.t); } break; }
      case 'warning': { const w = model.warnings[selection.index]; if (w) { task = w.task ?? null; cover(w.t, w.t + (w.dur ?? 0)); } break; }
    }
    if (task !== null) {
      const row = this.laneRowOf(task);
      if (row >= 0) {
        const top = row * LANE_H;
        const viewH = this.lanesViewportHeight();
        if (top < this.scrollY || top + LANE_H > this.scrollY + viewH) this.setScroll(top - viewH / 3);
      }
    }
    if (!isNaN(start)) {
      const inView = start >= this.viewStart && end <= this.viewEnd;
      if (!inView) {
        const span = Math.max(end - start, MIN_RANGE * 10);
        const range = Math.max(this.viewEnd - this.viewStart, span * 1.3);
        this.following = false;
        this.viewStart = (start + end) / 2 - range / 2;
        this.viewEnd = this.viewStart + range;
        this.clampView();
      }
    }
    this.events.viewChanged();
  }

  // ------------------------------------------------------------------ input

  private bindEvents(): void {
    const canvas = this.canvas;
    const local = (e: MouseEvent) => {
      const r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    };
    canvas.addEventListener('wheel', (e) => {
      e.preventDefault();
      const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? this.height : 1;
      const dx = e.deltaX * unit, dy = e.deltaY * unit;
      const { x } = local(e);
      if (e.ctrlKey || e.metaKey) this.zoom(Math.exp(-dy * 0.01), x);      // trackpad pinch arrives as ctrl+wheel
      else if (e.shiftKey) this.pan(dy || dx);
      else if (e.altKey) this.scrollBy(dy);
      else if (Math.abs(dx) > Math.abs(dy)) this.pan(dx);
      else this.zoom(Math.exp(-dy * 0.0025), x);
    }, { passive: false });
    canvas.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      const { x, y } = local(e);
      this.drag = { x, y, viewStart: this.viewStart, viewEnd: this.viewEnd, scrollY: this.scrollY, moved: false };
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', (e) => {
      const { x, y } = local(e);
      const drag = this.drag;
      if (drag) {
        if (!drag.moved && Math.hypot(x - drag.x, y - drag.y) < 4) return;
        drag.moved = true;
        const shift = (drag.x - x) * this.nsPerPx();
        this.following = false;
        this.viewStart = drag.viewStart + shift;
        this.viewEnd = drag.viewEnd + shift;
        this.clampView();
        this.setScroll(drag.scrollY + (drag.y - y));
        this.hideTooltip();
        this.requestDraw();
        return;
      }
      this.hoverX = x;
      const hit = this.hitTest(x, y);
      if (!sameHit(hit, this.hover)) this.hover = hit;
      if (hit) this.showTooltip(this.describe(hit), e.clientX, e.clientY);
      else this.hideTooltip();
      this.requestDraw();
    });
    canvas.addEventListener('pointerup', (e) => {
      const drag = this.drag;
      this.drag = null;
      if (!drag) return;
      if (drag.moved) { this.events.viewChanged(); return; }
      const { x, y } = local(e);
      this.click(this.hitTest(x, y));
    });
    canvas.addEventListener('pointerleave', () => {
      this.hoverX = null;
      this.hover = null;
      this.hideTooltip();
      this.requestDraw();
    });
    canvas.addEventListener('dblclick', () => this.fit());
    canvas.addEventListener('keydown', (e) => {
      const page = this.width - this.gutter;
      const handled = (() => {
        switch (e.key) {
          case '+': case '=': this.zoom(1.5); return true;
          case '-': case '_': this.zoom(1 / 1.5); return true;
          case 'ArrowLeft': this.pan(-page * (e.shiftKey ? 0.5 : 0.1)); return true;
          case 'ArrowRight': this.pan(page * (e.shiftKey ? 0.5 : 0.1)); return true;
          case 'ArrowUp': this.scrollBy(-LANE_H); return true;
          case 'ArrowDown': this.scrollBy(LANE_H); return true;
          case 'PageUp': this.scrollBy(-this.lanesViewportHeight() * 0.9); return true;
          case 'PageDown': this.scrollBy(this.lanesViewportHeight() * 0.9); return true;
          case '0': case 'Home': this.fit(); return true;
          case 'Escape': this.events.select(null); return true;
          case 'Enter': {
            const site = this.selection ? this.siteOf(this.selection) : null;
            if (site) this.events.reveal(site);
            return true;
          }
          default: return false;
        }
      })();
      if (handled) e.preventDefault();
    });
    this.scrollbar.addEventListener('scroll', () => {
      if (Math.abs(this.scrollbar.scrollTop - this.scrollY) < 1) return;
      this.scrollY = this.scrollbar.scrollTop;
      this.requestDraw();
      this.events.viewChanged();
    });
  }

  private click(hit: Hit | null): void {
    this.canvas.focus();
    if (!hit) { this.events.select(null); return; }
    const selection = this.hitToSelection(hit);
    this.events.select(selection);
    const site = this.siteOf(hit);
    if (site) this.events.reveal(site);
  }

  private showTooltip(lines: string[], clientX: number, clientY: number): void {
    const tip = this.tooltip;
    tip.replaceChildren(...lines.map((line, i) => {
      const div = document.createElement('div');
      div.textContent = line;
      if (i === 0) div.className = 'al-tip-title';
      return div;
    }));
    tip.hidden = false;
    const rootRect = this.root.getBoundingClientRect();
    const tipRect = tip.getBoundingClientRect();
    let left = clientX - rootRect.left + 14;
    let top = clientY - rootRect.top + 16;
    if (left + tipRect.width > rootRect.width - 4) left = Math.max(4, clientX - rootRect.left - tipRect.width - 10);
    if (top + tipRect.height > rootRect.height - 4) top = Math.max(4, clientY - rootRect.top - tipRect.height - 10);
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}

function pushTo<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value); else map.set(key, [value]);
}

function lastFrameSite(stack: { file: string; line: number; col?: number }[] | undefined): Site | null {
  const frame = stack?.[stack.length - 1];
  return frame ? { file: frame.file, line: frame.line, col: frame.col ?? 1 } : null;
}

function sameHit(a: Hit | null, b: Hit | null): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

