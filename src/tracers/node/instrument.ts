// Load-time instrumentation of the user's own files: TypeScript is stripped by sucrase (which keeps
// every line where it was and gives a token-level source map), the JavaScript is parsed by acorn,
// and probes are inserted around each `await`, each async function body, `for await`, `yield` in
// async generators, catch and finally blocks. Insertions never add a line, so stack traces keep
// the user's line numbers. Each probe carries a site id; the original line/col of every site is
// baked into a table registered by a one-line prologue, so nothing is looked up at run time.
import { Parser, tokTypes, type Node } from 'acorn';
import { fileURLToPath } from 'node:url';

export interface InstrumentOptions {
  /** Absolute path (CommonJS) or file: URL (ES module) that the runtime will see in stack traces. */
  id: string;
  /** Parse as an ES module (else a CommonJS function body). */
  module: boolean;
  /** Strip TypeScript first. */
  typescript: boolean;
  /** TypeScript with import/export loaded through require(): turn them into CommonJS. */
  toCommonJS?: boolean;
}

/** TypeScript -> JavaScript on the same lines (see strip.ts). */
export type StripTypes = (source: string, file: string, toCommonJS: boolean) => { code: string };

export interface InstrumentResult {
  code: string;
  /** False when the file had nothing to instrument (returned unchanged, or only type-stripped). */
  changed: boolean;
  /** The JavaScript that was instrumented (the source, or TypeScript stripped of its types). */
  input?: string;
  /** Where `code` has text the instrumenter inserted: start and length pairs, in order (see originalText). */
  inserted?: number[];
}

interface Insertion { at: number; text: string; open: boolean; depth: number; order: number }

type AnyNode = Node & Record<string, any>;

const PROBE = '__al$';
const TASK = '__al$t';
const BASE = '__al$B';

export function instrument(source: string, opts: InstrumentOptions, stripTypes?: StripTypes): InstrumentResult {
  let code = source;
  if (opts.typescript) {
    if (!stripTypes) throw new Error('TypeScript needs stripTypes');
    code = stripTypes(source, opts.id, !!opts.toCommonJS).code;
  }

  let ast: AnyNode;
  try {
    ast = Parser.parse(code, {
      ecmaVersion: 'latest',
      sourceType: opts.module ? 'module' : 'script',
      allowHashBang: true,
      allowReturnOutsideFunction: !opts.module,
      allowAwaitOutsideFunction: opts.module,
      preserveParens: true,
    }) as AnyNode;
  } catch (err) {
    // Not ours to judge: Node runs the file untraced, or reports the syntax error in its own words.
    // Syntax Node has and acorn lacks (`import ... assert {...}` on Node 20) would leave the file
    // silently untraced: it tells the trace so, from the file itself (this may run on the loader
    // thread, and the result is cached: the notice has to live in the code).
    return { code: withParseWarning(code, opts, err), changed: true };
  }

  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineCol = (offset: number): [number, number] => {
    let lo = 0, hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return [lo + 1, offset - lineStarts[lo] + 1];
  };
  // Type stripping keeps lines but moves columns: align each changed line's tokens with the
  // original line's (longest common subsequence) to get the user's columns back.
  const columnMap = opts.typescript ? buildColumnMap(source, code) : new Map<number, number[]>();
  /** Offset in the (stripped) JS -> 1-based line/col in the file the user wrote. */
  const original = (offset: number): [number, number] => {
    const [line, col] = lineCol(offset);
    return [line, mapColumn(columnMap.get(line), col)];
  };

  const table: (number | string)[] = [];
  const addSite = (offset: number, name: string): number => {
    const [l, c] = original(offset);
    table.push(l, c, name);
    return table.length / 3 - 1;
  };

  const inserts: Insertion[] = [];
  let order = 0;
  // depth: nesting level of the construct an insertion belongs to. At one offset, closing texts come
  // before opening ones, opening texts outermost first, closing texts innermost first.
  let depth = 0;
  const open = (at: number, text: string, extra = 0): void => { inserts.push({ at, text, open: true, depth: depth * 2 + extra, order: order++ }); };
  const close = (at: number, text: string, extra = 0): void => { inserts.push({ at, text, open: false, depth: depth * 2 + extra, order: order++ }); };

  // Function context stack: is the innermost function async (has a task variable)?
  interface Ctx { task: boolean; name: string; generator: boolean }
  const ctxStack: Ctx[] = [];
  let topLevelAwait = false;
  let moduleTaskSite = -1;
  const programName = '<module>';

  const unparen = (n: AnyNode | null | undefined): AnyNode | null | undefined => {
    while (n && n.type === 'ParenthesizedExpression') n = n.expression;
    return n;
  };
  const keyName = (key: AnyNode, computed: boolean): string | null => {
    if (computed) return key.type === 'Literal' ? String(key.value) : null;
    if (key.type === 'Identifier') return key.name;
    if (key.type === 'PrivateIdentifier') return '#' + key.name;
    if (key.type === 'Literal') return String(key.value);
    return null;
  };
  const className = (cls: AnyNode, parents: AnyNode[]): string | null => {
    if (cls.id) return cls.id.name;
    return nameFromParent(parents, parents.length - 1);
  };
  /** The name an anonymous function or class gets from where it is put. */
  function nameFromParent(parents: AnyNode[], index: number): string | null {
    let i = index;
    while (i >= 0 && parents[i].type === 'ParenthesizedExpression') i--;
    const p = parents[i];
    if (!p) return null;
    switch (p.type) {
      case 'VariableDeclarator': return p.id.type === 'Identifier' ? p.id.name : null;
      case 'AssignmentExpression': {
        const left = p.left;
        if (left.type === 'Identifier') return left.name;
        if (left.type === 'MemberExpression') return keyName(left.property, left.computed);
        return null;
      }
      case 'AssignmentPattern': return p.left.type === 'Identifier' ? p.left.name : null;
      case 'Property': return keyName(p.key, p.computed);
      case 'PropertyDefinition': {
        const key = keyName(p.key, p.computed);
        const cls = parents[i - 2];
        const owner = cls ? className(cls, parents.slice(0, i - 2)) : null;
        return key ? (owner ? `${owner}.${key}` : key) : null;
      }
      case 'ExportDefaultDeclaration': return 'default';
      default: return null;
    }
  }
  function functionName(fn: AnyNode, parents: AnyNode[]): string {
    if (fn.id) return fn.id.name;
    const p = parents[parents.length - 1];
    if (p && p.type === 'MethodDefinition') {
      const key = keyName(p.key, p.computed) ?? '<computed>';
      const cls = parents[parents.length - 3];
      const owner = cls ? className(cls, parents.slice(0, parents.length - 3)) : null;
      const prefix = p.kind === 'get' ? 'get ' : p.kind === 'set' ? 'set ' : '';
      return prefix + (owner ? `${owner}.${key}` : key);
    }
    return nameFromParent(parents, parents.length - 1) ?? '<anonymous>';
  }

  const enterBlockProbe = (block: AnyNode): void => { open(block.start + 1, `${PROBE}.r(${TASK});`, 1); };
  // Probes in catch/finally blocks of the module's top level need its task variable, which only a
  // module with a top-level await has (known once the whole file is read): dropped when it has none.
  const moduleBlockProbes = new Set<Insertion>();
  const enterModuleBlockProbe = (block: AnyNode): void => {
    enterBlockProbe(block);
    moduleBlockProbes.add(inserts[inserts.length - 1]);
  };
  // Where an expression statement sits in a statement list, the text inserted at its start must not
  // continue the previous line (a statement without a semicolon): see the `;` added below.
  const listStatementStarts = new Set<number>();

  function instrumentFunction(fn: AnyNode, parents: AnyNode[], name: string): void {
    const p = parents[parents.length - 1];
    const defOffset = p && (p.type === 'MethodDefinition' || p.type === 'Property' && p.method) ? p.start : fn.start;
    const site = addSite(defOffset, name);
    let enter = `const ${TASK}=${PROBE}.e(${BASE}+${site}${fn.generator ? ',1' : ''});try{`;
    const exit = `}catch(__al$e){${PROBE}.x(${TASK},__al$e);throw __al$e}finally{${PROBE}.f(${TASK})}`;
    const body = fn.body as AnyNode;
    if (body.type === 'BlockStatement') {
      let at = body.start + 1;
      for (const stmt of body.body as AnyNode[]) {
        if (stmt.type === 'ExpressionStatement' && typeof stmt.directive === 'string') at = stmt.end; else break;
      }
      // After a directive with no semicolon (`'use strict'` then a line break) the text goes on its line.
      if (at !== body.start + 1) enter = `;${enter}`;
      // An empty body: one text (at one offset a close would go before the open).
      if (at === body.end - 1) open(at, enter + exit);
      else {
        open(at, enter);
        close(body.end - 1, exit);
      }
    } else {
      open(body.start, `{${enter}return `);
      close(body.end, `${exit}}`);
    }
  }

  function visit(node: AnyNode, parents: AnyNode[]): void {
    depth = parents.length;
    const type = node.type;
    const isFunction = type === 'FunctionDeclaration' || type === 'FunctionExpression' || type === 'ArrowFunctionExpression';
    if (isFunction) {
      const traced = !!node.async;
      const name = traced ? functionName(node, parents) : '';
      if (traced) instrumentFunction(node, parents, name);
      ctxStack.push({ task: traced, name, generator: !!node.generator });
      parents.push(node);
      for (const param of node.params as AnyNode[]) visit(param, parents);
      visit(node.body, parents);
      parents.pop();
      ctxStack.pop();
      return;
    }
    if (type === 'ExpressionStatement' && typeof node.directive !== 'string') {
      const p = parents[parents.length - 1].type;
      if (p === 'Program' || p === 'BlockStatement' || p === 'StaticBlock' || p === 'SwitchCase') listStatementStarts.add(node.start);
    }
    const ctx = ctxStack[ctxStack.length - 1];
    const inTask = ctx ? ctx.task : opts.module; // module top level may await
    if (type === 'AwaitExpression' && inTask) {
      if (!ctx) topLevelAwait = true;
      const site = addSite(node.start, ctx ? ctx.name : programName);
      const d = parents.length;
      open(node.start, `${PROBE}.a(`);
      open(node.argument.start, `${PROBE}.b((`, 1);
      parents.push(node);
      visit(node.argument, parents);
      parents.pop();
      depth = d;
      close(node.argument.end, `),${BASE}+${site},${TASK})`, 1);
      close(node.end, `,${TASK})`);
      return;
    }
    if (type === 'YieldExpression' && ctx && ctx.task && ctx.generator && !node.delegate) {
      const site = addSite(node.start, ctx.name);
      const d = parents.length;
      open(node.start, `${PROBE}.ya((`);
      if (node.argument) {
        open(node.argument.start, `${PROBE}.yb((`, 1);
        parents.push(node);
        visit(node.argument, parents);
        parents.pop();
        depth = d;
        close(node.argument.end, `),${BASE}+${site},${TASK})`, 1);
      } else {
        close(node.end, ` ${PROBE}.yb(undefined,${BASE}+${site},${TASK})`, 1);
      }
      close(node.end, `),${TASK})`);
      return;
    }
    if (type === 'ForOfStatement' && node.await && inTask) {
      if (!ctx) topLevelAwait = true;
      const awaitAt = code.indexOf('await', node.start);
      const site = addSite(awaitAt >= 0 && awaitAt < node.left.start ? awaitAt : node.start, ctx ? ctx.name : programName);
      // Wrap the statement (with its labels) so the task is resumed when the loop ends.
      let outer = node;
      let k = parents.length - 1;
      while (k >= 0 && parents[k].type === 'LabeledStatement') outer = parents[k--];
      const d = k + 1; // depth of the outermost label (or the loop itself)
      depth = d;
      open(outer.start, '{');
      depth = parents.length;
      open(node.right.start, `${PROBE}.fa((`, 1);
      parents.push(node);
      visit(node.left, parents);
      visit(node.right, parents);
      depth = parents.length - 1;
      close(node.right.end, `),${BASE}+${site},${TASK})`, 1);
      const body = node.body as AnyNode;
      if (body.type === 'BlockStatement') enterBlockProbe(body);
      else open(body.start, `{${PROBE}.r(${TASK});`, 1);
      visit(body, parents);
      depth = parents.length - 1;
      if (body.type !== 'BlockStatement') close(body.end, '}', 1);
      parents.pop();
      depth = d;
      close(outer.end, `;${PROBE}.r(${TASK});}`);
      return;
    }
    // Inside an optional chain only the whole chain can be wrapped: `(…, a?.b()).c` would make `.c`
    // run when `a` is null. A call within a chain (not its end) with no arguments goes without.
    if (type === 'CallExpression' && node.callee.type !== 'Super' && (node.arguments.length || !insideChain(node, parents))) {
      // Record the call site just before the call happens: after the arguments are evaluated
      // (the last one passes through a probe), or before the whole call when it has none.
      const callee = unparen(node.callee) as AnyNode;
      const at = callee.type === 'MemberExpression' ? callee.property.start : callee.start;
      const site = addSite(at, '');
      const args = node.arguments as AnyNode[];
      const d = parents.length;
      if (args.length) {
        const lastArg = args[args.length - 1];
        const target = lastArg.type === 'SpreadElement' ? lastArg.argument : lastArg;
        open(target.start, `${PROBE}.k(`, 1);
        parents.push(node);
        for (const key of ['callee', 'arguments']) {
          const value = node[key];
          if (Array.isArray(value)) { for (const child of value) visit(child, parents); } else visit(value, parents);
        }
        parents.pop();
        depth = d;
        close(target.end, `,${BASE}+${site})`, 1);
        return;
      }
      open(node.start, `(${PROBE}.c=${BASE}+${site},`);
      close(node.end, ')');
    }
    if (inTask && type === 'CatchClause') (ctx ? enterBlockProbe : enterModuleBlockProbe)(node.body);
    if (inTask && type === 'TryStatement' && node.finalizer) (ctx ? enterBlockProbe : enterModuleBlockProbe)(node.finalizer);

    parents.push(node);
    for (const key in node) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range') continue;
      const value = node[key];
      if (Array.isArray(value)) {
        for (const child of value) if (child && typeof child.type === 'string') visit(child, parents);
      } else if (value && typeof value === 'object' && typeof value.type === 'string') {
        visit(value, parents);
      }
    }
    parents.pop();
  }

  visit(ast, []);
  if (!topLevelAwait && moduleBlockProbes.size) {
    for (let i = inserts.length - 1; i >= 0; i--) if (moduleBlockProbes.has(inserts[i])) inserts.splice(i, 1);
  }
  if (!inserts.length) return { code, changed: opts.typescript };

  if (topLevelAwait) {
    moduleTaskSite = addSite(0, programName);
    close(code.length, `\n;${PROBE}.f(${TASK});`);
  }

  // Prologue: after a hashbang line and the directive prologue, on the same line (no new line).
  let prologueAt = 0;
  if (code.startsWith('#!')) {
    const nl = code.indexOf('\n');
    prologueAt = nl < 0 ? code.length : nl + 1;
  }
  let afterDirective = false;
  for (const stmt of ast.body as AnyNode[]) {
    if (stmt.type === 'ExpressionStatement' && typeof stmt.directive === 'string') { prologueAt = stmt.end; afterDirective = true; } else break;
  }
  // The tables live in a hoisted function at the end, so the prologue stays short and fixed.
  const stub = `{m(){return 0},e(){},mod(){},b(v){return v},a(v){return v},r(){},x(){},f(){},yb(v){return v},ya(v){return v},fa(v){return v},k(v){return v}}`;
  const prologue = `${afterDirective ? ';' : ''}var ${PROBE}=globalThis.__awaitlens$||${stub},${BASE}=${PROBE}.m(${JSON.stringify(opts.id)},__al$S())${topLevelAwait ? `,${TASK}=${PROBE}.mod(${BASE}+${moduleTaskSite})` : ''};`;
  open(prologueAt, prologue);
  inserts[inserts.length - 1].order = -1; // before anything else at that offset

  inserts.sort((a, b) => a.at - b.at || (a.order === -1 ? -1 : b.order === -1 ? 1
    : a.open !== b.open ? (a.open ? 1 : -1)
    : a.open ? a.depth - b.depth || a.order - b.order : b.depth - a.depth || a.order - b.order));

  let out = '';
  let last = 0;
  let checked = -1;
  const inserted: number[] = [];
  for (const ins of inserts) {
    let text = ins.text;
    // ASI: a statement that now starts with `(` (a wrapped call) would continue a previous line
    // that has no semicolon (`x = 1` / `(f())` is `1(f())`). In a statement list an empty
    // statement first keeps them apart. (Elsewhere a statement follows `)`, `else`, `do` or a
    // label's `:`, which nothing continues, and there a `;` would change the meaning.)
    if (ins.open && ins.at !== checked) {
      checked = ins.at;
      if (listStatementStarts.has(ins.at) && '([`+-/'.includes(text[0])) text = ';' + text;
    }
    out += code.slice(last, ins.at);
    inserted.push(out.length, text.length);
    out += text;
    last = ins.at;
  }
  out += code.slice(last);
  const tables = `\nfunction __al$S(){return${JSON.stringify(table)}}\n`;
  inserted.push(out.length, tables.length);
  out += tables;
  return { code: out, changed: true, input: code, inserted };
}

/**
 * Where a JavaScript file fails to parse (1-based line and column), for the message of a program
 * that did not run; null when it parses as an ES module or as a script (the error is elsewhere).
 */
export function parseErrorAt(source: string): { line: number; col: number } | null {
  let moduleError: unknown = null;
  for (const sourceType of ['module', 'script'] as const) {
    try {
      Parser.parse(source, { ecmaVersion: 'latest', sourceType, allowHashBang: true, allowReturnOutsideFunction: sourceType === 'script', allowAwaitOutsideFunction: sourceType === 'module' });
      return null;
    } catch (err) {
      moduleError ??= err;
    }
  }
  const loc = (moduleError as { loc?: { line?: unknown; column?: unknown } } | null)?.loc;
  return loc && typeof loc.line === 'number' && typeof loc.column === 'number' ? { line: loc.line, col: loc.column + 1 } : null;
}

/**
 * The text of `code.slice(start, end)` as it was before instrumentation (a function's source, for
 * fn.toString()): the instrumenter only inserts, so it is that slice without the inserted spans.
 */
export function originalText(result: InstrumentResult, start: number, end: number): string | null {
  const { input, inserted } = result;
  if (input === undefined || inserted === undefined) return null;
  // An offset in `code` -> in `input`: less the inserted characters before it.
  const toInput = (at: number): number => {
    let shift = 0;
    for (let i = 0; i < inserted.length && inserted[i] < at; i += 2) shift += Math.min(inserted[i + 1], at - inserted[i]);
    return at - shift;
  };
  const from = toInput(start);
  const to = toInput(end);
  return from <= to ? input.slice(from, to) : null;
}

/** Is this call inside an optional chain, before its end (its callee or object, at any depth)? */
function insideChain(call: AnyNode, parents: AnyNode[]): boolean {
  let child = call;
  let i = parents.length - 1;
  for (; i >= 0; i--) {
    const p = parents[i];
    if (!(p.type === 'MemberExpression' && p.object === child || p.type === 'CallExpression' && p.callee === child)) break;
    child = p;
  }
  return child !== call && i >= 0 && parents[i].type === 'ChainExpression';
}

/**
 * A file acorn could not parse, as Node will run it (untraced), with one statement that records a
 * tracer warning naming the file when it runs. It goes after a hashbang and directives; when the
 * error is on that very line, at the end instead, so that a syntax error Node reports on it shows
 * the line as the user wrote it.
 */
function withParseWarning(code: string, opts: InstrumentOptions, err: unknown): string {
  let file = opts.id;
  try { if (file.startsWith('file:')) file = fileURLToPath(file); } catch { /* keep the URL */ }
  const reason = err instanceof Error ? err.message : String(err);
  const message = `could not instrument ${file}: acorn cannot parse it (${reason}); it runs untraced`;
  const statement = `(globalThis.__awaitlens$||{}).warn?.(${JSON.stringify(message)});`;
  let at = 0;
  if (code.startsWith('#!')) {
    const nl = code.indexOf('\n');
    at = nl < 0 ? code.length : nl + 1;
  }
  let semicolon = false; // after a directive that has none
  try {
    // The directive prologue ('use strict' must stay first): string literals each ended by `;`
    // or by a line break before a token that cannot continue an expression.
    const tokens = Parser.tokenizer(code, { ecmaVersion: 'latest', sourceType: opts.module ? 'module' : 'script', allowHashBang: true });
    let token = tokens.getToken();
    while (token.type === tokTypes.string) {
      const next = tokens.getToken();
      if (next.type === tokTypes.semi) { at = next.end; semicolon = false; token = tokens.getToken(); continue; }
      const t = next.type;
      const endsStatement = t === tokTypes.eof || /[\n\r\u2028\u2029]/.test(code.slice(token.end, next.start))
        && (t === tokTypes.name || t === tokTypes.string || t === tokTypes.num || t === tokTypes.braceL || t === tokTypes.incDec
          || t === tokTypes.prefix || !!t.keyword && (t as { binop?: number | null }).binop == null); // (not `in`, `instanceof`)
      if (!endsStatement) break;
      at = token.end;
      semicolon = true;
      token = next;
    }
  } catch { /* a bad token early on: the error is there, the notice goes at the end */ }
  const errorAt = (err as { pos?: unknown }).pos;
  const lineEnd = code.indexOf('\n', at);
  if (typeof errorAt !== 'number' || errorAt >= at && (lineEnd < 0 || errorAt <= lineEnd)) return `${code}\n;${statement}`;
  return code.slice(0, at) + (semicolon ? ';' : '') + statement + code.slice(at);
}

const TOKEN = /[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|\S/g;

function tokens(line: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(line); m; m = TOKEN.exec(line)) out.push({ text: m[0], col: m.index });
  return out;
}

/**
 * For every line whose text changed, the points where the column offset changes:
 * [genCol, origCol, ...] (0-based), from token alignment (LCS) of the two lines.
 */
export function buildColumnMap(original: string, generated: string): Map<number, number[]> {
  const map = new Map<number, number[]>();
  const a = original.split('\n');
  const b = generated.split('\n');
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    const ta = tokens(a[i]);
    const tb = tokens(b[i]);
    if (ta.length * tb.length > 250_000) continue; // a huge minified line: keep columns as they are
    // LCS table over tokens, then walk it to pair equal tokens.
    const w = tb.length + 1;
    const lcs = new Uint16Array((ta.length + 1) * w);
    for (let x = ta.length - 1; x >= 0; x--) {
      for (let y = tb.length - 1; y >= 0; y--) {
        lcs[x * w + y] = ta[x].text === tb[y].text ? lcs[(x + 1) * w + y + 1] + 1 : Math.max(lcs[(x + 1) * w + y], lcs[x * w + y + 1]);
      }
    }
    const segs: number[] = [];
    let delta = 0;
    for (let x = 0, y = 0; x < ta.length && y < tb.length;) {
      if (ta[x].text === tb[y].text) {
        const d = ta[x].col - tb[y].col;
        if (d !== delta) { segs.push(tb[y].col, ta[x].col); delta = d; }
        x++; y++;
      } else if (lcs[(x + 1) * w + y] >= lcs[x * w + y + 1]) x++;
      else y++;
    }
    if (segs.length) map.set(i + 1, segs);
  }
  return map;
}

/** 1-based generated column -> 1-based original column with a line's segments. */
export function mapColumn(segs: number[] | undefined, col: number): number {
  if (!segs) return col;
  let delta = 0;
  for (let i = 0; i < segs.length; i += 2) {
    if (segs[i] <= col - 1) delta = segs[i + 1] - segs[i]; else break;
  }
  return col + delta;
}
