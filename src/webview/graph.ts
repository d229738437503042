// The task graph: who created whom, and who awaited whom, laid out by elkjs and drawn as SVG.
// Built only when its tab is shown (layout costs time; a trace that is never graphed pays nothing).
import type { TraceModel } from '../model/types';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import { bidiSafe, fitToWidth } from './text';

/** Widest node box, px; a longer name is cut with an ellipsis (the full one is in its tooltip). */
const NODE_MAX_WIDTH = 280;
/** Text starts this far into a box and keeps this far from its right edge. */
const TEXT_LEFT = 12, TEXT_RIGHT = 10;

/** More tasks than this are not graphed (a graph of thousands of boxes helps no one). */
export const GRAPH_TASK_LIMIT = 300;

const SVG = 'http://www.w3.org/2000/svg';

export interface GraphEdge {
  from: number;
  to: number;
  kind: 'created' | 'awaits';
}

/** Edges between tasks: parent → child creation, and waiter → awaited task (deduplicated). */
export function taskEdges(model: TraceModel, taskIds: Set<number>): GraphEdge[] {
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  const add = (from: number, to: number, kind: GraphEdge['kind']) => {
    if (from === to || !taskIds.has(from) || !taskIds.has(to)) return;
    const key = `${from}>${to}>${kind}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ from, to, kind });
  };
  for (const task of model.tasks) if (task.parent !== null) add(task.parent, task.id, 'created');
  for (const wait of model.waits) {
    const a = wait.awaiting;
    if (a.kind === 'task') add(wait.task, a.task, 'awaits');
    else if (a.kind === 'tasks' && Array.isArray(a.tasks)) for (const t of a.tasks) add(wait.task, t, 'awaits');
  }
  return edges;
}

let elkInstance: { layout(graph: ElkNode): Promise<ElkNode> } | null = null;

async function elk() {
  if (!elkInstance) {
    // Required lazily so elkjs's (large) module body runs only when a graph is first shown.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ELK = require('elkjs/lib/elk.bundled.js') as new () => { layout(graph: ElkNode): Promise<ElkNode> };
    elkInstance = new ELK();
  }
  return elkInstance;
}

export interface GraphCallbacks {
  selectTask(task: number): void;
  /** Canvas colors of tasks, to match the timeline's lanes. */
  colorOf(task: number): string;
}

/** Lays out and draws the graph into `target`. Resolves when drawn. */
export async function renderGraph(target: HTMLElement, model: TraceModel, callbacks: GraphCallbacks): Promise<void> {
  target.replaceChildren();
  const status = document.createElement('p');
  status.className = 'al-hint';
  status.textContent = 'Laying out the task graph…';
  target.append(status);
  const tasks = model.tasks.slice(0, GRAPH_TASK_LIMIT);
  const ids = new Set(tasks.map((t) => t.id));
  const edges = taskEdges(model, ids);

  const measure = document.createElement('canvas').getContext('2d')!;
  const fontFamily = getComputedStyle(document.body).getPropertyValue('--al-font-family').trim() || 'sans-serif';
  const nameFont = `600 12px ${fontFamily}`, secondFont = `11px ${fontFamily}`;
  const widthIn = (font: string) => (text: string) => { measure.font = font; return measure.measureText(text).width; };
  const nodeSize = (name: string, second: string) => {
    const nameWidth = widthIn(nameFont)(name);
    const secondWidth = widthIn(secondFont)(second);
    return { width: Math.ceil(Math.min(NODE_MAX_WIDTH, Math.max(90, nameWidth + 24, secondWidth + 24))), height: 40 };
  };
  const secondLine = (t: (typeof tasks)[number]) => `${bidiSafe(t.coro)}${t.end ? ` · ${t.end.outcome}` : ''}`;
  const graph: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.layered.spacing.nodeNodeBetweenLayers': '48',
      'elk.spacing.nodeNode': '16',
      // Splines read best but need wide gaps between layers when many edges fan out.
      'elk.edgeRouting': edges.length <= 60 ? 'SPLINES' : 'POLYLINE',
    },
    children: tasks.map((t) => ({ id: `t${t.id}`, ...nodeSize(bidiSafe(t.name), secondLine(t)) })),
    edges: edges.map((e, i): ElkExtendedEdge => ({ id: `e${i}`, sources: [`t${e.from}`], targets: [`t${e.to}`] })),
  };
  let laid: ElkNode;
  try {
    laid = await (await elk()).layout(graph);
  } catch (error) {
    status.textContent = `The task graph could not be laid out: ${String(error)}`;
    return;
  }

  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('id', 'al-graph-svg');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', `Task graph: ${tasks.length} tasks, ${edges.length} edges`);
  const width = (laid.width ?? 0) + 20, height = (laid.height ?? 0) + 20;
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `-10 -10 ${width} ${height}`);
  const defs = document.createElementNS(SVG, 'defs');
  for (const kind of ['created', 'awaits']) {
    const marker = document.createElementNS(SVG, 'marker');
    marker.setAttribute('id', `al-arrow-${kind}`);
    marker.setAttribute('viewBox', '0 0 10 10');
    marker.setAttribute('refX', '10');
    marker.setAttribute('refY', '5');
    marker.setAttribute('markerWidth', '7');
    marker.setAttribute('markerHeight', '7');
    marker.setAttribute('orient', 'auto-start-reverse');
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', 'M 0 0 L 10 5 L 0 10 z');
    path.setAttribute('class', `al-graph-arrow al-graph-${kind}`);
    marker.append(path);
    defs.append(marker);
  }
  svg.append(defs);

  const edgeKind = new Map(edges.map((e, i) => [`e${i}`, e.kind]));
  for (const edge of laid.edges ?? []) {
    for (const section of (edge as ElkExtendedEdge).sections ?? []) {
      const points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      const path = document.createElementNS(SVG, 'path');
      path.setAttribute('d', points.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' '));
      const kind = edgeKind.get(edge.id) ?? 'created';
      path.setAttribute('class', `al-graph-edge al-graph-${kind}`);
      path.setAttribute('marker-end', `url(#al-arrow-${kind})`);
      path.setAttribute('data-kind', kind);
      svg.append(path);
    }
  }
  const byId = new Map(tasks.map((t) => [`t${t.id}`, t]));
  for (const node of laid.children ?? []) {
    const task = byId.get(node.id);
    if (!task) continue;
    const g = document.createElementNS(SVG, 'g');
    g.setAttribute('class', `al-graph-node al-outcome-${task.end?.outcome ?? 'running'}`);
    g.setAttribute('transform', `translate(${node.x ?? 0} ${node.y ?? 0})`);
    g.setAttribute('data-task', String(task.id));
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-label', `${bidiSafe(task.name)} (${bidiSafe(task.coro)}), ${task.end?.outcome ?? 'not finished'}`);
    const rect = document.createElementNS(SVG, 'rect');
    rect.setAttribute('width', String(node.width));
    rect.setAttribute('height', String(node.height));
    rect.setAttribute('rx', '5');
    const stripe = document.createElementNS(SVG, 'rect');
    stripe.setAttribute('width', '4');
    stripe.setAttribute('height', String(node.height));
    stripe.setAttribute('class', 'al-graph-stripe');
    stripe.style.fill = callbacks.colorOf(task.id);
    const name = document.createElementNS(SVG, 'text');
    name.setAttribute('x', '12');
    name.setAttribute('y', '16');
    name.setAttribute('class', 'al-graph-name');
    // Cut to the box (middle ellipsis: names often differ only at the end); the full name is in the <title>.
    const room = (node.width ?? NODE_MAX_WIDTH) - TEXT_LEFT - TEXT_RIGHT;
    name.textContent = fitToWidth(bidiSafe(task.name), room, widthIn(nameFont), 'middle');
    const coro = document.createElementNS(SVG, 'text');
    coro.setAttribute('x', '12');
    coro.setAttribute('y', '31');
    coro.setAttribute('class', 'al-graph-coro');
    coro.textContent = fitToWidth(secondLine(task), room, widthIn(secondFont), 'middle');
    const title = document.createElementNS(SVG, 'title');
    title.textContent = `${bidiSafe(task.name)} (${bidiSafe(task.coro)})${task.end?.error ? `: ${bidiSafe(task.end.error)}` : ''}`;
    g.append(title, rect, stripe, name, coro);
    const select = () => callbacks.selectTask(task.id);
    g.addEventListener('click', select);
    g.addEventListener('keydown', (e) => { if ((e as KeyboardEvent).key === 'Enter') select(); });
    svg.append(g);
  }
  const legend = document.createElement('p');
  legend.className = 'al-graph-legend';
  legend.textContent = `${tasks.length} task${tasks.length === 1 ? '' : 's'}${model.tasks.length > tasks.length ? ` (first ${GRAPH_TASK_LIMIT} of ${model.tasks.length})` : ''}. Solid arrows: created; dashed: awaited. Click a task to find it in the timeline.`;
  target.replaceChildren(legend, svg);
  // A big graph is larger than the panel: start where the first task (usually the root) is.
  const first = laid.children?.find((n) => n.id === `t${tasks[0]?.id}`);
  if (first && (width > target.clientWidth || height > target.clientHeight)) {
    target.scrollTo({ left: Math.max(0, (first.x ?? 0) - 40), top: Math.max(0, (first.y ?? 0) - target.clientHeight / 3) });
  }
}
