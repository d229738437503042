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
  return { code: out.code };
};

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
