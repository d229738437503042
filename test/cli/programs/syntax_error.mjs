// A program Node cannot compile: nothing of it runs.
import { setTimeout as sleep } from 'node:timers/promises';

async function main() {
  await sleep(10);
  const broken = ;
}
await main();
