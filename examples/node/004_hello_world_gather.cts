// Seed 004 "Asynchronous Programming with Asyncio": say_hello() and say_world() together, ~1 s in total, not 2.
const { setTimeout: sleep } = require('node:timers/promises') as typeof import('node:timers/promises');

async function say_hello(): Promise<void> {
  await sleep(1000);
  console.log('Hello');
}

async function say_world(): Promise<void> {
  await sleep(1000);
  console.log('World');
}

// Run both at once
Promise.all([say_hello(), say_world()]);
