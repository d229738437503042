// sucrase in its own bundle, loaded only when a TypeScript file is (CommonJS hooks).
export { stripTypes } from '../strip';
