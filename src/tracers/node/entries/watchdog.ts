// The blocking watchdog on a worker of its own (see ../watchdog.ts): started by the runtime when no
// ES module loader thread can host it (Node before module.register, or a program run without it).
import { workerData } from 'node:worker_threads';
import { runWatchdog, type WatchdogData } from '../watchdog';

void runWatchdog(workerData as WatchdogData, true);
