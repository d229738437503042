// sucrase in its own bundle, loaded only when a TypeScript file is (CommonJS hooks, ES module hooks).
export { stripTypes, hasModuleSyntax } from '../strip';
