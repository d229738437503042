// Seed 001 "asyncio in Python", program 4: asyncio.gather of func1/func2/func3 becomes Promise.all;
// they sleep 2, 3 and 1 s at once, so the whole run takes ~3 s, not 6.
import { setTimeout as sleep } from 'node:timers/promises';

async function func1() {
  console.log('Function 1 started..');
  await sleep(2000);
  console.log('Function 1 Ended');
}

async function func2() {
  console.log('Function 2 started..');
  await sleep(3000);
  console.log('Function 2 Ended');
}

async function func3() {
  console.log('Function 3 started..');
  await sleep(1000);
  console.log('Function 3 Ended');
}

async function main() {
  const L = await Promise.all([
    func1(),
    func2(),
    func3(),
  ]);
  console.log('Main Ended..');
}

main();
