// Seed 002 "Python Async IO 101": hello_world() three times at once; each sleeps 1 s then 2 s (~3 s total).
const { setTimeout: sleep } = require('node:timers/promises');

async function hello_world() {
  await sleep(1000);
  console.log('Hello,');
  await sleep(2000);
  console.log('World!');
}

async function main() {
  await Promise.all([hello_world(), hello_world(), hello_world()]);
}

if (require.main === module) {
  main();
}
