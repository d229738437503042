// Where other Node versions live for the tracer's tests and bench: the runtimes cache
// (AWAITLENS_RUNTIMES, else ~/.cache/awaitlens/runtimes), one npm prefix per version.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const runtimesDir = process.env.AWAITLENS_RUNTIMES || join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'awaitlens', 'runtimes');
/** The node binary the `node` npm package installs under runtimesDir/<folder>. */
export const runtimeNode = (folder) => join(runtimesDir, folder, 'node_modules', 'node', 'bin', 'node');
