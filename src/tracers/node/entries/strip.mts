// sucrase in its own bundle, loaded only when a TypeScript file is (ES module loader hooks).
export { stripTypes } from '../strip';
