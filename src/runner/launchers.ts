// The tracers the CLI and the extension can launch, by runtime.
// Each tracer folder exports its launch function (signature in src/tracers/launch.ts).
import type { Launchers } from './run';
import { pythonLaunch } from '../tracers/python/launch';
import { nodeLaunch } from '../tracers/node/launch';

export const launchers: Launchers = { python: pythonLaunch, node: nodeLaunch };
