// Imports a module Node cannot compile: nothing runs, and the error is not in this file.
import './syntax_error.mjs';
console.log('never');
