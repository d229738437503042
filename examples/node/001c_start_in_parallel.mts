// Seed 001 "asyncio in Python", program 3: `create_task(fn2())` becomes calling fn2() without awaiting it,
// so fn2 runs alongside fn (two tasks, ~2 s).
import { setTimeout as sleep } from 'node:timers/promises';

async function fn(): Promise<void> {
  const task: Promise<void> = fn2();
  console.log('one');
  // await sleep(1000);
  // await fn2();
  console.log('four');
  await sleep(1000);
  console.log('five');
  await sleep(1000);
  await task;
}

async function fn2(): Promise<void> {
  // await sleep(1000);
  console.log('two');
  await sleep(1000);
  console.log('three');
}

await fn();
