// TypeScript -> JavaScript at load time with sucrase: pure JavaScript (bundles into dist, works in
// the packaged extension), keeps every line where it was, handles enums and parameter properties,
// (columns are recovered by instrument.ts's token alignment: sucrase's own source map loses them
// after the first template literal with a substitution).
import { transform } from 'sucrase';
import { compileFunction } from 'node:vm';
import { Parser } from 'acorn';
import type { StripTypes } from './instrument';

export const stripTypes: StripTypes = (source, file, toCommonJS) => {
  const out = transform(source, {
    transforms: toCommonJS ? ['typescript', 'imports'] : ['typescript'],
    filePath: file,
    disableESTransforms: true,
    preserveDynamicImport: true,
  });
  checkNamespaces(source, out.code);
  return { code: out.code };
};

const NAMESPACE = /^([ \t]*)(?:export[ \t]+)?(?:namespace|module)[ \t]+([A-Za-z_$][\w$]*)(?:\.[A-Za-z_$][\w$]*)*[ \t]*\{/;
const VALUE_DECLARATION = /^[ \t]*(?:export[ \t]+)?(?:const|let|var|function|async[ \t]+function|class|abstract[ \t]+class|enum)\b/;

/**
 * sucrase removes a namespace as if it held only types, also one that holds code: what uses it
 * then fails with "X is not defined". Node's own type stripping refuses such a namespace; so does
 * this, with the line: a namespace whose declaration sucrase removed and whose body declares a
 * value (`declare namespace`, and namespaces of types only, are erased as they should be).
 */
function checkNamespaces(source: string, stripped: string): void {
  if (!/\b(?:namespace|module)\b/.test(source)) return;
  const lines = source.split('\n');
  const out = stripped.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = NAMESPACE.exec(lines[i]);
    if (!m || /\b(?:namespace|module)\b/.test(out[i] ?? '')) continue; // kept: not a declaration (a comment, a string)
    // Its body: the lines up to the brace that closes it (counted naively: enough for declarations).
    let depth = 0;
    for (let j = i; j < lines.length; j++) {
      const text = j === i ? lines[j].slice(m[0].length - 1) : lines[j];
      // (on its first line, what follows the opening brace: `namespace N { export const x = 1 }`)
      if (j === i ? VALUE_DECLARATION.test(text.slice(1)) : depth === 1 && VALUE_DECLARATION.test(text)) {
        throw new Error(`namespace ${m[2]} holds code (line ${j + 1}), which type stripping cannot keep (Node's own type stripping refuses it too): use a module or an object instead (${i + 1}:${m[1].length + 1})`);
      }
      for (const ch of text) { if (ch === '{') depth++; else if (ch === '}') depth--; }
      if (depth <= 0) break;
    }
  }
}

/**
 * Whether Node would run this TypeScript file (a .ts with no package.json "type") as an ES module:
 * its types stripped as Node strips them (imports are kept even when only types use them, as Node's
 * type stripping keeps them; `import type` goes), then Node's syntax detection on the result.
 * False when sucrase cannot read it (it then loads as CommonJS and reports the error there).
 */
export function hasModuleSyntax(source: string, file: string): boolean {
  let code: string;
  try {
    code = transform(source, {
      transforms: ['typescript'], filePath: file, disableESTransforms: true, preserveDynamicImport: true, keepUnusedImports: true,
    }).code;
  } catch {
    return false;
  }
  return containsModuleSyntax(code, file);
}

// Node's containsModuleSyntax (src/node_contextify.cc), which decides the module system of a .js or
// .ts file no package.json "type" decides: compiled as a CommonJS function body, a syntax error
// naming import/export/import.meta means an ES module; one that only CommonJS has (a top-level
// await, a top-level let/const/class named like a CommonJS variable) means an ES module if the
// code compiles as one; no error, or any other error, means CommonJS.
const ESM_SYNTAX_ERRORS = [
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
];
const THROWS_ONLY_IN_CJS_ERRORS = [
  "Identifier 'module' has already been declared",
  "Identifier 'exports' has already been declared",
  "Identifier 'require' has already been declared",
  "Identifier '__filename' has already been declared",
  "Identifier '__dirname' has already been declared",
  'await is only valid in async functions and the top level bodies of modules',
  // a top-level await where an expression goes: `f(await x)`, `if (await x)`
  'missing ) after argument list',
  'SyntaxError: Unexpected',
];
const CJS_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

export function containsModuleSyntax(code: string, file: string): boolean {
  let message: string;
  try {
    compileFunction(code, CJS_PARAMETERS, { filename: file });
    return false;
  } catch (err) {
    message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
  if (ESM_SYNTAX_ERRORS.some((m) => message.includes(m))) return true;
  if (!THROWS_ONLY_IN_CJS_ERRORS.some((m) => message.includes(m))) return false;
  // (Node compiles it as a module with V8; only --experimental-vm-modules offers that to JavaScript)
  try {
    Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
    return true;
  } catch {
    return false;
  }
}
