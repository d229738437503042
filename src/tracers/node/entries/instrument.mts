// The instrumenter as an ES module bundle for the loader hooks (loaded in the background by hooks.mjs).
export { instrument } from '../instrument';
