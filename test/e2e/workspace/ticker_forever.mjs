// Never ends on its own: two async loops on timers. The end-to-end test stops it with the
// timeline's Stop button.
import { setTimeout as sleep } from 'node:timers/promises';

async function heartbeat() {
  for (let beats = 1; ; beats++) {
    console.log('beat', beats);
    await sleep(50);
  }
}

async function worker() {
  for (;;) {
    await sleep(80);
  }
}

await Promise.all([heartbeat(), worker()]);
