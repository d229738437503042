// A SyntaxError at run time (JSON.parse), after the program started: an uncaught exception, not a
// program that did not run.
console.log('started');
JSON.parse('{not json');
