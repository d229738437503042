// The timeline webview: the same code runs in a VS Code webview panel and in a standalone
// HTML file. It builds the model in the browser as records arrive, draws the canvas timeline,
// and keeps a text summary in the DOM for screen readers and tests.
import { ModelBuilder } from '../model/build';
import { decodeInto } from '../html/embed';
import { buildPreview } from './preview';
import { findAwaitSite, taskLabel } from '../model/hover';
import type { TraceModel } from '../model/types';
import type { HostToWebview, PersistedState, SelectRequest, Selection, TraceInfo, ViewState, WebviewHost } from '../protocol';
import type { Site } from '../trace/format';
import { createHost } from './hosts';
import { el, renderDetails, renderOutputList, renderSiteTable, renderStats, renderTaskTable, renderWarningList, statusText } from './panels';
import { bidiSafe, siteLabel } from './text';
import { watchTheme } from './theme';
import { Timeline } from './timeline';

/** While a program runs, the model is rebuilt at most this often, and the text summary less often. */
const LIVE_MODEL_MS = 150;
const LIVE_SUMMARY_MS = 1000;
/** Traces this big open with a preview frame before their model (see preview.ts). */
const PREVIEW_MIN_RECORDS = 100_000;

class App {
  private info: TraceInfo | null = null;
  private builder = new ModelBuilder();
  private model: TraceModel | null = null;
  private ended: { code: number | null; signal?: string | null; stopped?: boolean } | null = null;
  private selection: Selection | null = null;
  /** The hover-link request the selection came from (persisted instead of its wait indices). */
  private selectionRequest: SelectRequest | null = null;
  private pendingSelect: SelectRequest | null = null;
  private restoredView: ViewState | null = null;
  private modelTimer: number | undefined;
  /** Records arrived since the last model snapshot. */
  private dirty = false;
  private summaryTimer: number | undefined;
  private lastSummary = 0;
  private saveTimer: number | undefined;
  private tab: 'timeline' | 'graph' = 'timeline';
  private graphModel: TraceModel | null = null;
  private problems: { line: number; message: string }[] = [];

  private readonly timeline!: Timeline;
  private readonly dom = {
    title: el('h1', 'al-title'),
    runtime: el('span', 'al-badge'),
    status: el('span', 'al-status'),
    stats: el('dl', 'al-stats'),
    lesson: el('p', 'al-lesson'),
    problems: el('div', 'al-problems'),
    filter: el('input', 'al-filter'),
    filterCount: el('span', 'al-filter-count'),
    stop: el('button', 'al-button'),
    rerun: el('button', 'al-button'),
    tabTimeline: el('button', 'al-tab', 'Timeline'),
    tabGraph: el('button', 'al-tab', 'Task graph'),
    timelinePanel: el('section', 'al-timeline'),
    graphPanel: el('section', 'al-graph'),
    details: el('aside', 'al-details'),
    tasks: el('table', 'al-table'),
    sites: el('table', 'al-table'),
    outputs: el('ol', 'al-outputs'),
    warnings: el('ul', 'al-warnings'),
    reveal: el('div', 'al-reveal'),
    /** Over the timeline when it has no lane to show: why (a syntax error, no trace, a filter), wrapped. */
    empty: el('div', 'al-empty'),
  };

  constructor(private readonly host: WebviewHost) {
    this.buildDom();
    this.timeline = new Timeline(this.dom.timelinePanel, {
      select: (selection) => this.select(selection, false),
      reveal: (site) => this.reveal(site),
      viewChanged: () => this.saveSoon(),
    });
    // After the canvas, so it is drawn over it.
    this.dom.timelinePanel.append(this.dom.empty);
    watchTheme(() => this.timeline.refreshTheme());
    (window as unknown as { awaitlens: unknown }).awaitlens = this.debugApi();
  }

  // ------------------------------------------------------------------ DOM

  private buildDom(): void {
    const d = this.dom;
    document.body.classList.add(this.host.mode === 'standalone' ? 'al-standalone' : 'al-vscode');
    const app = document.getElementById('al-app') ?? document.body.appendChild(el('div'));
    app.id = 'al-app';

    d.title.id = 'al-title';
    d.runtime.id = 'al-runtime';
    d.status.id = 'al-status';
    d.status.setAttribute('role', 'status');
    d.stats.id = 'al-stats';
    d.stats.setAttribute('aria-label', 'Trace statistics');
    d.lesson.id = 'al-lesson';
    d.lesson.hidden = true;
    d.problems.id = 'al-problems';
    d.problems.setAttribute('role', 'alert');
    d.problems.hidden = true;

    d.filter.id = 'al-filter';
    d.filter.type = 'search';
    d.filter.placeholder = 'Filter tasks by name';
    d.filter.setAttribute('aria-label', 'Filter tasks by name or coroutine');
    d.filter.addEventListener('input', () => this.applyFilter());
    d.filterCount.id = 'al-filter-count';
    d.filterCount.setAttribute('aria-live', 'polite');

    const button = (node: HTMLButtonElement, id: string, text: string, title: string, onClick: () => void, label?: string) => {
      node.id = id;
      node.type = 'button';
      node.textContent = text;
      node.title = title;
      // Icon buttons: their name is the label, not the glyph ("−" reads as "minus" or nothing).
      if (label) node.setAttribute('aria-label', label);
      node.addEventListener('click', onClick);
      return node;
    };
    const zoomIn = button(el('button', 'al-button al-icon'), 'al-zoom-in', '+', 'Zoom in (+)', () => this.timeline.zoom(2), 'Zoom in');
    const zoomOut = button(el('button', 'al-button al-icon'), 'al-zoom-out', '−', 'Zoom out (−)', () => this.timeline.zoom(0.5), 'Zoom out');
    const fit = button(el('button', 'al-button'), 'al-fit', 'Fit', 'Show the whole trace (0 or double-click)', () => this.timeline.fit());
    button(d.stop, 'al-stop', 'Stop', 'Stop the traced program (keeps the trace)', () => this.host.post({ type: 'stop' }));
    button(d.rerun, 'al-rerun', 'Run again', 'Trace the program again', () => this.host.post({ type: 'rerun' }));
    d.stop.hidden = true;
    d.rerun.hidden = true;

    const titleRow = el('div', 'al-title-row');
    titleRow.append(d.title, d.runtime, d.status, el('span', 'al-spacer'), d.stop, d.rerun);
    const header = el('header', 'al-header');
    header.id = 'al-header';
    header.append(titleRow, d.stats, d.lesson, d.problems);

    const tabs = el('div', 'al-tabs');
    tabs.id = 'al-tabs';
    // The tablist holds only the tabs (the filter and zoom buttons beside them are not tabs).
    const tabList = el('div', 'al-tablist');
    tabList.setAttribute('role', 'tablist');
    tabList.setAttribute('aria-label', 'Views');
    for (const [tab, id, panel] of [[d.tabTimeline, 'al-tab-timeline', 'al-timeline'], [d.tabGraph, 'al-tab-graph', 'al-graph']] as const) {
      tab.id = id;
      tab.type = 'button';
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-controls', panel);
    }
    d.tabTimeline.addEventListener('click', () => this.showTab('timeline'));
    d.tabGraph.addEventListener('click', () => this.showTab('graph'));
    // WAI-ARIA tabs: arrows, Home and End move between the tabs and select them (roving tabindex:
    // only the selected tab is in the Tab order).
    tabList.addEventListener('keydown', (e) => {
      const order: ('timeline' | 'graph')[] = ['timeline', 'graph'];
      const at = order.indexOf(this.tab);
      let next: number;
      switch (e.key) {
        case 'ArrowRight': case 'ArrowDown': next = (at + 1) % order.length; break;
        case 'ArrowLeft': case 'ArrowUp': next = (at + order.length - 1) % order.length; break;
        case 'Home': next = 0; break;
        case 'End': next = order.length - 1; break;
        default: return;
      }
      e.preventDefault();
      this.showTab(order[next]);
      (order[next] === 'graph' ? d.tabGraph : d.tabTimeline).focus();
    });
    tabList.append(d.tabTimeline, d.tabGraph);
    const toolbar = el('div', 'al-toolbar');
    toolbar.append(tabList, el('span', 'al-spacer'), d.filter, d.filterCount, zoomOut, zoomIn, fit);
    tabs.append(toolbar);

    d.timelinePanel.id = 'al-timeline';
    d.timelinePanel.setAttribute('role', 'tabpanel');
    d.timelinePanel.setAttribute('aria-labelledby', 'al-tab-timeline');
    d.empty.id = 'al-empty';
    d.empty.setAttribute('role', 'status');
    d.empty.hidden = true;
    d.graphPanel.id = 'al-graph';
    d.graphPanel.setAttribute('role', 'tabpanel');
    d.graphPanel.setAttribute('aria-labelledby', 'al-tab-graph');
    d.graphPanel.hidden = true;
    d.details.id = 'al-details';
    d.details.setAttribute('aria-label', 'Selection details');
    d.details.setAttribute('aria-live', 'polite');
    const main = el('main', 'al-main');
    main.id = 'al-main';
    main.append(d.timelinePanel, d.graphPanel, d.details);

    d.tasks.id = 'al-tasks';
    d.sites.id = 'al-sites';
    d.outputs.id = 'al-outputs';
    d.outputs.setAttribute('aria-label', 'Program output');
    d.warnings.id = 'al-warnings';
    d.warnings.setAttribute('aria-label', 'Warnings');
    const summary = el('details', 'al-summary');
    summary.id = 'al-summary';
    const summaryTitle = el('summary', undefined, 'Tasks, await sites, output and warnings as text');
    const outputHeading = el('h2', 'al-summary-heading', 'Program output');
    const warningHeading = el('h2', 'al-summary-heading', 'Warnings');
    summary.append(summaryTitle, d.tasks, d.sites, warningHeading, d.warnings, outputHeading, d.outputs);
    // Clicks in the text summary select in the timeline (delegated: the lists are rebuilt often).
    summary.addEventListener('click', (e) => this.onSummaryClick(e));

    d.reveal.id = 'al-reveal';
    d.reveal.setAttribute('role', 'status');
    d.reveal.hidden = this.host.mode !== 'standalone';

    app.replaceChildren(header, tabs, main, summary, d.reveal);
    this.updateTabs();
    renderDetails(d.details, null, null, this.detailsActions());
  }

  private detailsActions() {
    return {
      reveal: (site: Site) => this.reveal(site),
      select: (selection: Selection, focus: boolean) => this.select(selection, focus),
    };
  }

  private onSummaryClick(event: Event): void {
    const target = (event.target as HTMLElement).closest<HTMLElement>('button');
    if (!target || !this.model) return;
    const data = target.dataset;
    let selection: Selection | null = null;
    if (data.selectTask) selection = { kind: 'task', task: Number(data.selectTask) };
    else if (data.selectWait) selection = { kind: 'wait', wait: Number(data.selectWait) };
    else if (data.selectWarning) selection = { kind: 'warning', index: Number(data.selectWarning) };
    else if (data.selectSite) {
      const stats = this.model.awaitSites.find((s) => s.key === data.selectSite);
      if (stats) selection = { kind: 'waits', waits: stats.waits };
    }
    if (!selection) return;
    this.showTab('timeline');
    this.select(selection, true);
    const site = this.timeline.siteOf(selection);
    if (site) this.reveal(site);
  }

  private showTab(tab: 'timeline' | 'graph'): void {
    this.tab = tab;
    this.updateTabs();
    this.saveSoon();
  }

  private updateTabs(): void {
    const graph = this.tab === 'graph';
    this.dom.tabTimeline.setAttribute('aria-selected', String(!graph));
    this.dom.tabGraph.setAttribute('aria-selected', String(graph));
    this.dom.tabTimeline.tabIndex = graph ? -1 : 0;
    this.dom.tabGraph.tabIndex = graph ? 0 : -1;
    this.dom.timelinePanel.hidden = graph;
    this.dom.graphPanel.hidden = !graph;
    if (graph && this.model && this.graphModel !== this.model) {
      this.graphModel = this.model;
      const model = this.model;
      // Loaded on first use: the task graph costs nothing until its tab is opened.
      void import('./graph').then(({ renderGraph }) => renderGraph(this.dom.graphPanel, model, {
        selectTask: (task) => { this.showTab('timeline'); this.select({ kind: 'task', task }, true); },
        colorOf: (task) => this.taskColor(task),
      }));
    }
    if (!graph) this.timeline?.requestDraw();
  }

  private taskColor(task: number): string {
    const i = this.model?.tasks.findIndex((t) => t.id === task) ?? 0;
    return getComputedStyle(document.body).getPropertyValue(`--al-task-${(Math.max(0, i) % 8) + 1}`).trim() || '#3b82f6';
  }

  // ------------------------------------------------------------------ messages

  onMessage(message: HostToWebview): void {
    try {
      this.handle(message);
    } catch (error) {
      const text = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
      this.showProblem(`Await Lens could not show this trace: ${text.split('\n')[0]}`);
      this.host.post({ type: 'error', message: text });
    }
  }

  private handle(message: HostToWebview): void {
    switch (message.type) {
      case 'init': {
        this.reset(message.info);
        const saved = message.state ?? this.savedStateFor(message.info);
        if (saved) this.restore(saved);
        // Persist the trace identity at once: the host's serializer needs info.tracePath to
        // restore this panel after a window reload, even if the user never touches the view.
        this.saveSoon();
        break;
      }
      case 'reset':
        this.reset(message.info ?? this.info ?? { title: 'Await Lens' });
        break;
      case 'records': {
        const compact = message.compact;
        // A big finished trace arriving whole: its first frame from a preview, the model right after.
        const preview = compact && !this.model && !this.decodePending && compact.count >= PREVIEW_MIN_RECORDS && !(this.info?.live && !this.ended)
          ? buildPreview(compact) : null;
        this.builder.add(message.records);
        if (compact && preview) {
          performance.mark('awaitlens-preview');
          this.timeline.showPreview(preview);
          const builder = this.builder;
          this.decodePending = true;
          // After the preview's frame is on screen (a rAF, then a task: the frame is presented in between).
          requestAnimationFrame(() => setTimeout(() => {
            if (builder !== this.builder) return; // reset meanwhile
            this.decodePending = false;
            try {
              decodeInto(compact, builder);
            } catch (error) {
              const text = error instanceof Error ? error.message : String(error);
              this.showProblem(`Await Lens could not read all of this trace: ${text}`);
              this.host.post({ type: 'error', message: text });
            } finally {
              this.dirty = true;
              this.scheduleModel(true);
              this.updateHeader();
            }
          }, 0));
          break;
        }
        if (compact) decodeInto(compact, this.builder);
        this.dirty = true;
        this.scheduleModel(!this.model);
        break;
      }
      case 'problems':
        this.problems.push(...message.problems);
        this.builder.addProblems(message.problems);
        this.dirty = true;
        this.showProblems();
        this.scheduleModel(true);
        break;
      case 'ended':
        this.ended = { code: message.code, signal: message.signal ?? null, stopped: message.stopped };
        if (this.info) this.info = { ...this.info, live: false };
        // Ended without a record: an empty model, so the view says so instead of waiting for one.
        if (!this.model && !this.decodePending) this.dirty = true;
        this.scheduleModel(true);
        break;
      case 'select':
        this.pendingSelect = message.selection;
        this.applyPendingSelect();
        break;
    }
    this.updateHeader();
  }

  private reset(info: TraceInfo): void {
    this.info = info;
    this.builder = new ModelBuilder();
    this.decodePending = false;
    this.dirty = false;
    this.model = null;
    this.graphModel = null;
    this.ended = null;
    this.problems = [];
    this.selection = null;
    this.selectionRequest = null;
    this.restoredView = null;
    this.dom.problems.hidden = true;
    this.dom.empty.hidden = true;
    document.title = info.title ? `${bidiSafe(info.title)} — Await Lens` : 'Await Lens';
    renderDetails(this.dom.details, null, null, this.detailsActions());
  }

  private savedStateFor(info: TraceInfo): ViewState | null {
    const saved = this.host.getState();
    if (!saved?.info || !saved.view) return null;
    const same = (saved.info.tracePath && saved.info.tracePath === info.tracePath) || (saved.info.file && saved.info.file === info.file) || saved.info.title === info.title;
    return same ? saved.view : null;
  }

  private restore(view: ViewState): void {
    this.restoredView = view;
    if (view.filter) this.dom.filter.value = view.filter;
    if (view.tab) this.tab = view.tab;
    if (view.selection) this.pendingSelect = view.selection;
    this.timeline.setFilter(this.dom.filter.value);
    this.updateTabs();
  }

  /** Rebuilds the model now (first batch, end of trace) or soon (a live stream of batches). */
  private scheduleModel(now: boolean): void {
    // Records still to be decoded after a preview: the model is built once they are in.
    if (this.decodePending) return;
    if (!this.dirty) {
      // Nothing new since the last snapshot (e.g. `ended` right after the last records): no rebuild,
      // but the text summary is brought up to date (it lags behind while live).
      if (now && this.model) this.scheduleSummary(0);
      return;
    }
    if (now) {
      clearTimeout(this.modelTimer);
      this.modelTimer = undefined;
      this.rebuild();
      return;
    }
    const live = !!this.info?.live && !this.ended;
    if (!live) {
      // A finished trace arriving in batches (a reload refilling the view): one snapshot after the last batch.
      clearTimeout(this.modelTimer);
      this.modelTimer = window.setTimeout(() => {
        this.modelTimer = undefined;
        this.rebuild();
      }, LIVE_MODEL_MS);
      return;
    }
    if (this.modelTimer !== undefined) return;
    // A snapshot costs time in proportion to the trace: a long live run rebuilds less often,
    // so the view keeps most of its time for drawing.
    this.modelTimer = window.setTimeout(() => {
      this.modelTimer = undefined;
      this.rebuild();
    }, Math.max(LIVE_MODEL_MS, this.lastRebuildMs * 4));
  }

  private lastRebuildMs = 0;
  /** A preview is shown and its records are decoded into the builder on the next task. */
  private decodePending = false;

  private rebuild(): void {
    const began = performance.now();
    this.dirty = false;
    const model = this.builder.model();
    this.lastRebuildMs = performance.now() - began;
    if (!this.model) performance.mark('awaitlens-model');
    this.model = model;
    this.timeline.setModel(model);
    if (this.restoredView) {
      const v = this.restoredView;
      this.restoredView = null;
      if (v.viewStart !== undefined && v.viewEnd !== undefined) this.timeline.setView(v.viewStart, v.viewEnd, v.scrollY ?? 0);
      else if (v.scrollY) this.timeline.scrollBy(v.scrollY);
    }
    renderStats(this.dom.stats, this.dom.lesson, model);
    this.updateHeader();
    this.updateEmptyState();
    this.applyPendingSelect();
    // The text summary is heavier than a canvas frame: while live, refresh it at a slower pace.
    const live = !!this.info?.live && !this.ended;
    const since = performance.now() - this.lastSummary;
    this.scheduleSummary(!live || since > LIVE_SUMMARY_MS ? 0 : LIVE_SUMMARY_MS - since);
    if (this.tab === 'graph') this.updateTabs();
  }

  /** Renders the text summary after the canvas's next frame, so a big trace is on screen before its text is built. */
  private scheduleSummary(delay: number): void {
    if (this.summaryTimer !== undefined) {
      if (delay > 0 || this.summaryTimer === -1) return;
      clearTimeout(this.summaryTimer);
    }
    this.summaryTimer = -1;
    requestAnimationFrame(() => {
      this.summaryTimer = window.setTimeout(() => { this.summaryTimer = undefined; this.renderSummary(); }, delay);
    });
  }

  private renderSummary(): void {
    const model = this.model;
    if (!model) return;
    this.lastSummary = performance.now();
    renderTaskTable(this.dom.tasks, model, this.timeline.visibleLanes);
    renderSiteTable(this.dom.sites, model);
    renderOutputList(this.dom.outputs, model);
    renderWarningList(this.dom.warnings, model);
    this.updateFilterCount();
    renderDetails(this.dom.details, model, this.selection, this.detailsActions());
    document.body.dataset.ready = 'true';
    document.body.dataset.tasks = String(model.tasks.length);
    // What the first frame could do without (hand-off objects) is built now, not on the first zoom;
    // not for live snapshots, which are replaced before anyone zooms.
    if (!(this.info?.live && !this.ended)) setTimeout(() => { if (this.model === model) void model.handoffs; }, 0);
  }

  private updateHeader(): void {
    const info = this.info;
    const d = this.dom;
    d.title.textContent = bidiSafe(info?.title ?? 'Await Lens');
    d.title.title = info?.file ?? '';
    const runtime = info?.runtime ?? this.model?.header?.runtime;
    const version = this.model?.header?.runtimeVersion;
    d.runtime.textContent = runtime ? `${runtime === 'python' ? 'Python' : 'Node.js'}${version ? ` ${bidiSafe(String(version))}` : ''}` : '';
    // A long version string is cut in the badge: the whole of it in its tooltip.
    d.runtime.title = d.runtime.textContent;
    d.runtime.hidden = !runtime;
    const status = statusText(info, this.ended, this.model);
    d.status.textContent = status;
    d.status.dataset.state = this.ended || this.model?.exit ? 'ended' : info?.live ? 'live' : 'done';
    const live = !!info?.live && !this.ended;
    d.stop.hidden = this.host.mode !== 'vscode' || !live;
    d.rerun.hidden = this.host.mode !== 'vscode' || live || !info?.file;
  }

  private showProblems(): void {
    if (!this.problems.length) return;
    const first = this.problems[0];
    const unreadable = this.problems.filter((p) => p.line > 0).length - (first.line > 0 ? 1 : 0);
    const more = unreadable > 0 ? ` (and ${unreadable} more unreadable line${unreadable > 1 ? 's' : ''})` : '';
    // Line 0: about the run or the file as a whole (no trace written, file unreadable), said as it is.
    const text = first.line ? `Line ${first.line} of the trace: ${first.message}${more}. Everything readable is shown.` : `${first.message}${more}`;
    this.showProblem(text);
    this.updateEmptyState();
  }

  /**
   * What the timeline says when it has no lane to show, as wrapped text over the canvas: a
   * program that did not run (its syntax error, with a link to the line), a run that left no
   * trace, a filter that hides every task, or a trace without tasks.
   */
  private updateEmptyState(): void {
    const box = this.dom.empty;
    const model = this.model;
    if (!model || this.timeline.visibleLanes.length) {
      box.hidden = true;
      delete box.dataset.kind;
      return;
    }
    const syntax = model.tasks.length ? undefined : model.warnings.find((w) => w.kind === 'syntax-error');
    const runProblem = this.problems.find((p) => p.line === 0);
    let kind: string;
    let text: string;
    if (model.tasks.length) {
      kind = 'filtered';
      text = 'No task matches the filter.';
    } else if (syntax) {
      kind = 'syntax-error';
      const message = String(syntax.message || 'the program did not run: it has a syntax error').replace(/\s+/g, ' ').trim();
      text = `${bidiSafe(message.charAt(0).toUpperCase() + message.slice(1))}${/[.!?]$/.test(message) ? '' : '.'}`;
    } else if (runProblem && !model.stats.eventCount) {
      kind = 'no-trace';
      text = bidiSafe(runProblem.message);
    } else if (!model.stats.eventCount) {
      kind = this.ended ? 'no-trace' : 'waiting';
      text = this.ended ? `No trace was recorded: the program ${statusText(this.info, this.ended, model)}. The output shows why.` : 'No events yet.';
    } else {
      kind = 'no-tasks';
      text = model.stats.eventCount > 1 ? 'No tasks in this trace: the program ran no event loop (or the trace ended before one started).' : 'No events yet.';
    }
    box.dataset.kind = kind;
    box.replaceChildren(el('p', 'al-empty-text', text));
    const site = syntax?.site;
    if (site && typeof site.file === 'string' && site.line > 0) {
      const link = el('button', 'al-link al-empty-site', `Go to ${siteLabel(site)}${site.col ? `:${site.col}` : ''}`);
      link.type = 'button';
      link.id = 'al-empty-site';
      link.title = `${site.file}:${site.line}`;
      link.dataset.site = `${site.file}:${site.line}`;
      link.addEventListener('click', () => this.reveal(site));
      box.append(link);
    }
    box.hidden = false;
  }

  private showProblem(text: string): void {
    this.dom.problems.textContent = text;
    this.dom.problems.hidden = false;
  }

  // ------------------------------------------------------------------ selection, filter, state

  private applyPendingSelect(): void {
    const request = this.pendingSelect;
    const model = this.model;
    if (!request || !model) return;
    let selection: Selection | null = null;
    if (request.kind === 'site') {
      const stats = findAwaitSite(model, request.site.file, request.site.line);
      if (stats) selection = { kind: 'waits', waits: stats.waits };
    } else {
      selection = request;
    }
    // A live trace may not have reached the requested item yet: keep the request until it has.
    if (!selection || !this.selectionExists(selection, model)) return;
    this.pendingSelect = null;
    if (this.tab !== 'timeline') this.showTab('timeline');
    this.select(selection, true, request.kind === 'site' ? request : null);
  }

  private selectionExists(selection: Selection, model: TraceModel): boolean {
    switch (selection.kind) {
      case 'task': return model.taskById.has(selection.task);
      case 'step': return selection.step < model.steps.length;
      case 'wait': return selection.wait < model.waits.length;
      case 'waits': return selection.waits.length > 0 && selection.waits.every((w) => w < model.waits.length);
      case 'output': return selection.index < model.outputs.length;
      case 'warning': return selection.index < model.warnings.length;
    }
  }

  select(selection: Selection | null, focus: boolean, request: SelectRequest | null = null): void {
    this.selection = selection;
    this.selectionRequest = request;
    if (selection && focus && this.dom.filter.value) {
      // Selecting something the filter hides: clear the filter rather than select the invisible.
      const task = this.taskOf(selection);
      if (task !== null && !this.timeline.visibleLanes.some((l) => l.id === task)) {
        this.dom.filter.value = '';
        this.applyFilter();
      }
    }
    this.timeline.setSelection(selection, focus);
    renderDetails(this.dom.details, this.model, selection, this.detailsActions());
    this.saveSoon();
  }

  private taskOf(selection: Selection): number | null {
    const model = this.model;
    if (!model) return null;
    switch (selection.kind) {
      case 'task': return selection.task;
      case 'step': return model.steps[selection.step]?.task ?? null;
      case 'wait': return model.waits[selection.wait]?.task ?? null;
      case 'waits': return model.waits[selection.waits[0]]?.task ?? null;
      case 'output': return model.outputs[selection.index]?.task ?? null;
      case 'warning': return model.warnings[selection.index]?.task ?? null;
    }
  }

  private reveal(site: Site): void {
    this.host.post({ type: 'reveal', site: { file: site.file, line: site.line, col: site.col ?? 1 } });
  }

  private applyFilter(): void {
    this.timeline.setFilter(this.dom.filter.value);
    if (this.model) renderTaskTable(this.dom.tasks, this.model, this.timeline.visibleLanes);
    this.updateFilterCount();
    this.updateEmptyState();
    this.saveSoon();
  }

  private updateFilterCount(): void {
    const total = this.model?.tasks.length ?? 0;
    const shown = this.timeline.visibleLanes.length;
    this.dom.filterCount.textContent = this.dom.filter.value ? `${shown} of ${total} tasks` : '';
  }

  private saveSoon(): void {
    clearTimeout(this.saveTimer);
    this.saveTimer = window.setTimeout(() => this.save(), 250);
  }

  private save(): void {
    if (!this.info) return;
    const view: ViewState = {
      viewStart: this.timeline.viewStart,
      viewEnd: this.timeline.viewEnd,
      scrollY: this.timeline.scrollY,
      filter: this.dom.filter.value,
      // Every wait at a busy line can be a hundred thousand indices: a hover-link selection is
      // saved as its request, and other selections that size are not worth a state that size.
      selection: this.selectionRequest ?? (this.selection?.kind === 'waits' && this.selection.waits.length > 2000 ? null : this.selection),
      tab: this.tab,
    };
    const state: PersistedState = { info: this.info, view };
    this.host.setState(state);
    if (this.host.mode === 'vscode') this.host.post({ type: 'viewState', state: view });
  }

  /** A small API on `window.awaitlens` for tests, the benchmark and debugging in devtools. */
  private debugApi() {
    return {
      timeline: this.timeline,
      model: () => this.model,
      select: (selection: Selection | null) => this.select(selection, true),
      /** Delivers a message as the extension host would (tests drive live updates with it). */
      deliver: (message: HostToWebview) => this.onMessage(message),
      taskLabel: (id: number) => (this.model ? taskLabel(this.model, id) : ''),
      /** Builds the preview of compact records (tests compare its frame with the model's). */
      buildPreview,
    };
  }
}

function start(): void {
  performance.mark('awaitlens-start');
  const host = createHost();
  const app = new App(host);
  host.listen((message) => app.onMessage(message));
  host.post({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
