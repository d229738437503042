// The DOM around the canvas: header statistics, selection details, and the text summary
// (task list with every wait, await sites, output, warnings) that screen readers and tests read.
// Program text (names, output, errors) only ever goes in through textContent, and through
// bidiSafe (text.ts) wherever it sits next to the app's own text: a right-to-left override in a
// task name must not turn "Task-3, 12 ms" around.
import type { TraceModel, TaskLane } from '../model/types';
import type { Selection, TraceInfo } from '../protocol';
import type { Site } from '../trace/format';
import { describeAwaitSiteStats, taskLabel } from '../model/hover';
import { isCallPause } from '../model/build';
import { awaitingLabel, basename, bidiSafe, causeLabel, formatDuration, formatOffset, formatPercent, siteLabel, warningSite } from './text';

/** Most task rows in the text summary, and most waits listed per task, before "N more". */
const TASK_ROWS = 500;
const WAITS_PER_TASK = 40;
const SITE_ROWS = 200;
const OUTPUT_ROWS = 500;
const WARNING_ROWS = 200;

/** Creates an element with a class and text (text via textContent, never HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// ---------------------------------------------------------------- header

export function renderStats(target: HTMLElement, lesson: HTMLElement, model: TraceModel): void {
  const s = model.stats;
  const items: [string, string, string][] = [
    ['wall', 'Wall time', formatDuration(s.wall)],
    ['busy', 'Busy', `${formatDuration(s.busy)} (${formatPercent(s.busy, s.wall)})`],
    ['idle', 'Idle', `${formatDuration(s.idle)} (${formatPercent(s.idle, s.wall)})`],
    ['peak', 'Peak concurrency', `${s.peakConcurrency} task${s.peakConcurrency === 1 ? '' : 's'}`],
    ['sequential', 'One after another', formatDuration(s.sequential)],
    ['tasks', 'Tasks', s.taskCount.toLocaleString('en-US')],
    ['events', 'Events', s.eventCount.toLocaleString('en-US')],
  ];
  target.replaceChildren(...items.map(([key, label, value]) => {
    const item = el('div', 'al-stat');
    item.dataset.stat = key;
    item.append(el('dt', undefined, label), el('dd', undefined, value));
    return item;
  }));
  target.querySelector<HTMLElement>('[data-stat="wall"] dd')!.dataset.ns = String(s.wall);
  target.querySelector<HTMLElement>('[data-stat="sequential"] dd')!.dataset.ns = String(s.sequential);
  target.querySelector<HTMLElement>('[data-stat="busy"] dd')!.dataset.ns = String(s.busy);
  target.querySelector<HTMLElement>('[data-stat="idle"] dd')!.dataset.ns = String(s.idle);
  target.querySelector<HTMLElement>('[data-stat="peak"] dd')!.dataset.value = String(s.peakConcurrency);

  // The lesson of the seed tutorials: concurrency turns the sum of the waits into the longest one.
  let text = '';
  if (s.wall > 0 && s.sequential > s.wall * 1.05) {
    text = `Run one after another, these awaits would take ${formatDuration(s.sequential)}; `
      + `concurrently the program took ${formatDuration(s.wall)} (${(s.sequential / s.wall).toFixed(1)}× faster).`;
  } else if (s.wall > 0 && model.waits.length) {
    text = `The awaits ran one after another: concurrency saved no time (${formatDuration(s.sequential)} of waiting and running in ${formatDuration(s.wall)}).`;
  }
  // Why a program was slow: steps that held the loop without awaiting.
  const blocking = model.warnings.filter((w) => w.kind === 'blocking');
  if (blocking.length) {
    const held = blocking.reduce((sum, w) => sum + (w.dur ?? 0), 0);
    const worst = blocking.reduce((a, b) => ((b.dur ?? 0) > (a.dur ?? 0) ? b : a));
    const where = warningSite(worst);
    text += `${text ? ' ' : ''}${blocking.length === 1 ? 'One step' : `${blocking.length} steps`} held the loop without awaiting for ${formatDuration(held)}`
      + `${where ? ` (longest at ${siteLabel(where)})` : ''}: nothing else ran meanwhile.`;
  }
  lesson.textContent = text;
  lesson.hidden = !text;
}

export function statusText(info: TraceInfo | null, ended: { code: number | null; signal?: string | null; stopped?: boolean } | null, model: TraceModel | null): string {
  if (ended) {
    if (ended.stopped) return 'stopped';
    if (ended.signal) return `killed by ${ended.signal}`;
    return ended.code === null ? 'ended' : `exited with code ${ended.code}`;
  }
  if (model?.exit) return model.exit.signal ? `killed by ${model.exit.signal}` : `exited with code ${model.exit.code}`;
  if (info?.live) return 'running…';
  return model && model.stats.eventCount ? 'trace ended without an exit record' : '';
}

// ---------------------------------------------------------------- details

export interface DetailsActions {
  reveal(site: Site): void;
  select(selection: Selection, focus: boolean): void;
}

export function renderDetails(target: HTMLElement, model: TraceModel | null, selection: Selection | null, actions: DetailsActions): void {
  target.replaceChildren();
  if (!model || !selection) {
    target.append(el('p', 'al-hint', 'Click a stretch, a marker or a task name to see its details here. Hover for a quick look; wheel to zoom, drag to pan, double-click to fit.'));
    target.dataset.kind = '';
    return;
  }
  target.dataset.kind = selection.kind;
  const nameOf = (id: number) => bidiSafe(taskLabel(model, id));
  const rows: [string, string, string | Site | null][] = [];
  let title = '';
  let site: Site | null = null;
  const taskLink = (id: number): HTMLElement => {
    const button = el('button', 'al-link', nameOf(id));
    button.type = 'button';
    button.addEventListener('click', () => actions.select({ kind: 'task', task: id }, true));
    return button;
  };
  const extra: HTMLElement[] = [];
  switch (selection.kind) {
    case 'task': {
      const task = model.taskById.get(selection.task);
      if (!task) break;
      title = nameOf(task.id);
      site = task.def ?? task.site;
      rows.push(['name', 'Name', bidiSafe(task.name)], ['coro', 'Coroutine', bidiSafe(task.coro)], ['kind', 'Kind', bidiSafe(task.kind)]);
      rows.push(['created', 'Created', formatOffset(task.created - model.start)]);
      if (task.site) rows.push(['site', 'Created at', task.site]);
      if (task.def) rows.push(['def', 'Defined at', task.def]);
      rows.push(['outcome', 'Outcome', task.end ? `${task.end.outcome} at ${formatOffset(task.end.t - model.start)}` : 'not finished']);
      if (task.end?.error) rows.push(['error', 'Error', bidiSafe(task.end.error)]);
      rows.push(['busy', 'Held the loop', `${formatDuration(task.busy)} in ${task.steps.length} step${task.steps.length === 1 ? '' : 's'}`]);
      const waited = task.waits.reduce((sum, i) => sum + (model.waits[i].end - model.waits[i].start), 0);
      rows.push(['waited', 'Suspended', `${formatDuration(waited)} at ${task.waits.length} await${task.waits.length === 1 ? '' : 's'}`]);
      if (task.parent !== null) {
        const parent = el('dd');
        parent.append(taskLink(task.parent));
        extra.push(definition('parent', 'Created by', parent));
      }
      const children = model.tasks.filter((t) => t.parent === task.id);
      if (children.length) {
        const dd = el('dd', 'al-children');
        for (const child of children.slice(0, 30)) dd.append(taskLink(child.id), ' ');
        if (children.length > 30) dd.append(`and ${children.length - 30} more`);
        extra.push(definition('children', 'Created', dd));
      }
      break;
    }
    case 'step': {
      const step = model.steps[selection.step];
      if (!step) break;
      title = `${nameOf(step.task)} running`;
      rows.push(['start', 'Started', formatOffset(step.start - model.start)], ['duration', 'Held the loop', formatDuration(step.end - step.start)]);
      rows.push(['cause', 'Resumed by', causeLabel(step.cause, nameOf)]);
      if (step.open) rows.push(['open', 'Note', 'still running when the trace ended']);
      break;
    }
    case 'wait': {
      const wait = model.waits[selection.wait];
      if (!wait) break;
      title = `${nameOf(wait.task)} suspended`;
      site = wait.site;
      rows.push(['site', 'At', wait.site], ['awaiting', 'Waiting on', awaitingLabel(wait.awaiting)], ['awaiting-kind', 'Kind', wait.awaiting.kind]);
      rows.push(['start', 'From', formatOffset(wait.start - model.start)], ['duration', 'Suspended for', formatDuration(wait.end - wait.start)]);
      rows.push(['resumed-by', 'Resumed by', wait.resumedBy ? causeLabel(wait.resumedBy, nameOf) : wait.open ? 'still waiting when the trace ended' : '—']);
      if (wait.stack.length > 1) {
        const list = el('ol', 'al-stack');
        for (const frame of wait.stack) list.append(el('li', undefined, `${bidiSafe(frame.fn)} — ${bidiSafe(basename(frame.file))}:${frame.line}`));
        const dd = el('dd');
        dd.append(list);
        extra.push(definition('stack', 'Coroutine chain', dd));
      }
      // Everything else that happened at the same line.
      const key = wait.site ? `${wait.site.file}:${wait.site.line}` : null;
      const stats = key ? model.awaitSites.find((s) => s.key === key) : undefined;
      if (stats && stats.count > 1) {
        const button = el('button', 'al-link', `all ${stats.count} waits at ${siteLabel(stats.site)}`);
        button.type = 'button';
        button.addEventListener('click', () => actions.select({ kind: 'waits', waits: stats.waits }, true));
        const dd = el('dd');
        dd.append(button);
        extra.push(definition('site-all', 'Same line', dd));
      }
      break;
    }
    case 'waits': {
      const first = model.waits[selection.waits[0]];
      const key = first?.site ? `${first.site.file}:${first.site.line}` : null;
      const stats = key ? model.awaitSites.find((s) => s.key === key) : undefined;
      site = first?.site ?? null;
      if (stats) {
        const d = describeAwaitSiteStats(model, stats);
        title = `${siteLabel(stats.site)}`;
        // Each item holds trace text (names, labels): isolated item by item, so one cannot turn the list around.
        const list = (items: string[]) => items.map(bidiSafe).join(', ');
        rows.push(['headline', 'Summary', bidiSafe(d.headline)], ['timing', 'Time', bidiSafe(d.timing)]);
        rows.push(['waited-on', 'Waited on', list(d.waitedOn)], ['resumed-by', 'Woken by', list(d.resumedBy)]);
        rows.push(['ran-meanwhile', 'Ran meanwhile', list(d.ranMeanwhile) || 'no other task (the loop was idle)']);
        rows.push(['tasks', 'Tasks', list(d.tasks)]);
      } else {
        title = `${selection.waits.length} waits`;
      }
      break;
    }
    case 'output': {
      const output = model.outputs[selection.index];
      if (!output) break;
      title = `${output.stream} output`;
      rows.push(['time', 'At', formatOffset(output.t - model.start)], ['task', 'Printed by', output.task !== null ? nameOf(output.task) : '(no task)']);
      const pre = el('pre', 'al-output-text', output.text);
      const dd = el('dd');
      dd.append(pre);
      extra.push(definition('text', 'Text', dd));
      break;
    }
    case 'warning': {
      const warning = model.warnings[selection.index];
      if (!warning) break;
      title = `Warning: ${bidiSafe(warning.kind)}`;
      site = warningSite(warning);
      rows.push(['message', 'Message', bidiSafe(warning.message)], ['time', 'At', formatOffset(warning.t - model.start)]);
      if (warning.dur) rows.push(['duration', 'Blocked the loop for', formatDuration(warning.dur)]);
      if (warning.task != null) rows.push(['task', 'Task', nameOf(warning.task)]);
      if (warning.site) rows.push(['site', 'Where', warning.site]);
      if (warning.hotspots?.length) {
        const list = el('ol', 'al-hotspots');
        for (const h of warning.hotspots.slice(0, 10)) list.append(el('li', undefined, `${siteLabel(h.site)} — ${h.samples} sample${h.samples === 1 ? '' : 's'}`));
        const dd = el('dd');
        dd.append(list);
        extra.push(definition('hotspots', 'Where the time went', dd));
      }
      break;
    }
  }
  const heading = el('h2', 'al-details-title', title || 'Nothing selected');
  const dl = el('dl', 'al-details-list');
  for (const [key, label, value] of rows) {
    const dd = el('dd');
    if (value && typeof value === 'object') {
      const s = value;
      const button = el('button', 'al-link', `${siteLabel(s)}:${s.col ?? 1}`);
      button.type = 'button';
      button.title = s.file;
      button.addEventListener('click', () => actions.reveal(s));
      dd.append(button);
    } else {
      dd.textContent = value ?? '—';
    }
    dl.append(definition(key, label, dd));
  }
  dl.append(...extra);
  target.append(heading, dl);
  if (site) {
    const revealSite = site;
    const button = el('button', 'al-button', 'Reveal in editor');
    button.id = 'al-details-reveal';
    button.type = 'button';
    button.addEventListener('click', () => actions.reveal(revealSite));
    target.append(button);
  }
}

function definition(key: string, label: string, dd: HTMLElement): HTMLElement {
  const row = el('div', 'al-def');
  row.dataset.field = key;
  row.append(el('dt', undefined, label), dd);
  return row;
}

// ---------------------------------------------------------------- text summary

/** Task table: one row per task, its waits listed with site, what was awaited and for how long. */
export function renderTaskTable(table: HTMLTableElement, model: TraceModel, lanes: readonly TaskLane[]): void {
  const body = el('tbody');
  const nameOf = (id: number) => bidiSafe(model.taskById.get(id)?.name ?? `task ${id}`);
  for (const task of lanes.slice(0, TASK_ROWS)) {
    const row = el('tr', 'al-task');
    row.dataset.task = String(task.id);
    row.dataset.name = task.name;
    row.dataset.coro = task.coro;
    row.dataset.outcome = task.end?.outcome ?? 'running';
    const name = el('th', 'al-task-name');
    name.scope = 'row';
    const button = el('button', 'al-link', bidiSafe(task.name));
    button.type = 'button';
    button.dataset.selectTask = String(task.id);
    name.append(button);
    const outcome = el('td', 'al-task-outcome', task.end ? task.end.outcome : 'not finished');
    if (task.end?.error) outcome.append(el('div', 'al-error', bidiSafe(task.end.error)));
    const waits = el('td', 'al-task-waits');
    const list = el('ul', 'al-waits');
    // A Node caller's pause while its callee runs synchronously is not an await (format.ts `call`).
    const awaits = task.waits.filter((i) => !isCallPause(model.waits[i]));
    for (const i of awaits.slice(0, WAITS_PER_TASK)) {
      const wait = model.waits[i];
      const item = el('li', 'al-wait');
      item.dataset.wait = String(i);
      item.dataset.site = wait.site ? `${basename(wait.site.file)}:${wait.site.line}` : '';
      if (wait.site) item.dataset.line = String(wait.site.line);
      item.dataset.awaitingKind = wait.awaiting.kind;
      item.dataset.duration = String(wait.end - wait.start);
      const link = el('button', 'al-link', siteLabel(wait.site));
      link.type = 'button';
      link.dataset.selectWait = String(i);
      item.append(link, el('span', 'al-wait-what', ` ${awaitingLabel(wait.awaiting)}`), el('span', 'al-wait-dur', ` ${formatDuration(wait.end - wait.start)}`));
      if (wait.resumedBy) item.append(el('span', 'al-wait-cause', ` ← ${causeLabel(wait.resumedBy, nameOf)}`));
      list.append(item);
    }
    if (awaits.length > WAITS_PER_TASK) list.append(el('li', 'al-more', `and ${awaits.length - WAITS_PER_TASK} more awaits`));
    waits.append(list);
    row.append(
      name,
      el('td', 'al-task-coro', bidiSafe(task.coro)),
      el('td', 'al-task-created', formatOffset(task.created - model.start)),
      outcome,
      el('td', 'al-task-busy', formatDuration(task.busy)),
      waits,
    );
    body.append(row);
  }
  const head = el('thead');
  const headRow = el('tr');
  for (const label of ['Task', 'Coroutine', 'Created', 'Outcome', 'Busy', 'Awaits (site, waiting on, time, woken by)']) {
    const th = el('th', undefined, label);
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  table.replaceChildren(head, body);
  const caption = el('caption', undefined, lanes.length > TASK_ROWS
    ? `Tasks (first ${TASK_ROWS} of ${lanes.length.toLocaleString('en-US')})`
    : `Tasks (${lanes.length})`);
  table.prepend(caption);
}

export function renderSiteTable(table: HTMLTableElement, model: TraceModel): void {
  const body = el('tbody');
  for (const stats of model.awaitSites.slice(0, SITE_ROWS)) {
    const row = el('tr', 'al-site');
    row.dataset.site = `${basename(stats.site.file)}:${stats.site.line}`;
    row.dataset.line = String(stats.site.line);
    row.dataset.count = String(stats.count);
    const cell = el('th');
    cell.scope = 'row';
    const button = el('button', 'al-link', siteLabel(stats.site));
    button.type = 'button';
    button.dataset.selectSite = stats.key;
    cell.append(button);
    row.append(
      cell,
      el('td', undefined, String(stats.count)),
      el('td', undefined, formatDuration(stats.total)),
      el('td', undefined, formatDuration(stats.mean)),
      el('td', undefined, formatDuration(stats.max)),
      el('td', undefined, stats.awaiting.map((a) => bidiSafe(a.label)).slice(0, 5).join(', ')),
      el('td', undefined, stats.ranMeanwhile.slice(0, 5).map((id) => bidiSafe(taskLabel(model, id))).join(', ')),
    );
    body.append(row);
  }
  const head = el('thead');
  const headRow = el('tr');
  for (const label of ['Await site', 'Count', 'Total', 'Mean', 'Longest', 'Waiting on', 'Ran meanwhile']) {
    const th = el('th', undefined, label);
    th.scope = 'col';
    headRow.append(th);
  }
  head.append(headRow);
  table.replaceChildren(el('caption', undefined, `Await sites (${model.awaitSites.length})`), head, body);
}

export function renderOutputList(list: HTMLElement, model: TraceModel): void {
  const nameOf = (id: number) => bidiSafe(model.taskById.get(id)?.name ?? `task ${id}`);
  list.replaceChildren(...model.outputs.slice(0, OUTPUT_ROWS).map((o, i) => {
    const item = el('li', `al-output al-${o.stream}`);
    item.dataset.output = String(i);
    item.dataset.stream = o.stream;
    item.append(el('span', 'al-output-meta', `${formatOffset(o.t - model.start)} ${o.task !== null ? nameOf(o.task) : ''} `), el('span', 'al-output-text', o.text.replace(/\n$/, '')));
    return item;
  }));
  if (model.outputs.length > OUTPUT_ROWS) list.append(el('li', 'al-more', `and ${model.outputs.length - OUTPUT_ROWS} more`));
}

export function renderWarningList(list: HTMLElement, model: TraceModel): void {
  list.replaceChildren(...model.warnings.slice(0, WARNING_ROWS).map((w, i) => {
    const item = el('li', 'al-warning');
    item.dataset.warning = String(i);
    item.dataset.kind = w.kind;
    const button = el('button', 'al-link', `${bidiSafe(w.kind)}${w.site ? ` at ${siteLabel(w.site)}` : ''}`);
    button.type = 'button';
    button.dataset.selectWarning = String(i);
    item.append(button, el('span', undefined, ` ${formatOffset(w.t - model.start)}: ${bidiSafe(w.message)}`));
    return item;
  }));
  if (model.warnings.length > WARNING_ROWS) list.append(el('li', 'al-more', `and ${model.warnings.length - WARNING_ROWS} more`));
}
