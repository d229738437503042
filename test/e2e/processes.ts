// Finding the processes a test started, by a marker unique to that test (its temp workspace
// path) in their command line. Shared by the code-server suite and the desktop suite.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Pids of processes whose command line contains `marker` (a unique temp path), excluding us. */
export async function pidsMatching(marker: string): Promise<number[]> {
  try {
    const { stdout } = await execFileAsync('pgrep', ['-f', '--', marker]);
    return stdout.split(/\s+/).filter(Boolean).map(Number).filter((pid) => pid !== process.pid);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Waits until no process has `marker` in its command line; returns the pids still there. */
export async function waitForNoProcess(marker: string, timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let pids = await pidsMatching(marker);
  while (pids.length && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    pids = await pidsMatching(marker);
  }
  return pids;
}

/** Ends, by pid, leftovers whose argv holds this test's unique temp path (a traced program that outlived a failed test). */
export async function killProcessesMatching(marker: string): Promise<void> {
  for (const pid of await pidsMatching(marker)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
