// The instrumenter as its own bundle: the CommonJS hooks load it on the first user file, so a
// program that never compiles a user CommonJS file does not pay for parsing sucrase and acorn.
export { instrument, originalText, parseErrorAt } from '../instrument';
