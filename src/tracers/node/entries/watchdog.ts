// The blocking watchdog on a worker of its own (see ../watchdog.ts): started by the runtime when no
// ES module loader thread can host it (Node before module.register, or a program run without it).
import { workerData } from 'node:worker_threads';
import { runWatchdog, type WatchdogData } from '../watchdog';

function loadInspector(): typeof import('node:inspector') | null {
  try { return require('node:inspector'); } catch { return null; } // node built without the inspector: no hotspots
}
void runWatchdog(workerData as WatchdogData, loadInspector, true);
