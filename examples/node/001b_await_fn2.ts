// Seed 001 "asyncio in Python", program 2: `await fn2()` runs fn2 to completion before "four" (one chain, ~5 s).
import { setTimeout as sleep } from 'node:timers/promises';

async function fn(): Promise<void> {
  console.log('one');
  await sleep(1000);
  await fn2();
  console.log('four');
  await sleep(1000);
  console.log('five');
  await sleep(1000);
}

async function fn2(): Promise<void> {
  await sleep(1000);
  console.log('two');
  await sleep(1000);
  console.log('three');
}

fn();
