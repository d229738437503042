// Seed 000 "Async IO in Python": even() counts down and prints even numbers; two calls awaited together.
import { setTimeout as sleep } from 'node:timers/promises';

async function even(x) {
  for (let i = x - 1; i > 0; i--) {
    if (i % 2 === 0) console.log(i);
    await sleep(10);
  }
  return null;
}

async function main() {
  await Promise.all([even(10), even(7)]);
}

const start = Date.now();
await main();
console.log(`took ${((Date.now() - start) / 1000).toFixed(2)} s`);
