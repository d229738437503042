// Seed 001 "asyncio in Python", program 4, in TypeScript: Promise.all of three sleeps of 2, 3 and 1 s (~3 s).
import { setTimeout as sleep } from 'node:timers/promises';

interface Step<T> {
  label: string;
  seconds: number;
  result?: T;
}

async function func1(): Promise<void> {
  console.log('Function 1 started..');
  await sleep(2000);
  console.log('Function 1 Ended');
}

async function func2(): Promise<void> {
  console.log('Function 2 started..');
  await sleep(3000);
  console.log('Function 2 Ended');
}

async function func3(): Promise<void> {
  console.log('Function 3 started..');
  await sleep(1000);
  console.log('Function 3 Ended');
}

async function main(): Promise<void> {
  const L: void[] = await Promise.all([
    func1(),
    func2(),
    func3(),
  ]);
  const done: Step<void[]> = { label: 'main', seconds: 3, result: L };
  console.log('Main Ended..', done.label);
}

main();
