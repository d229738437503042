// Seed 001 "asyncio in Python", program 1: one async function printing between two 1-second sleeps.
const { setTimeout: sleep } = require('node:timers/promises');

async function fn() {
  console.log('This is ');
  await sleep(1000);
  console.log('asynchronous programming');
  await sleep(1000);
  console.log('and not multi-threading');
}

fn();
