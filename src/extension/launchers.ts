// The tracers the extension can launch, by runtime (each tracer folder exports its launch plan).
import type { Launchers } from '../runner/run';

export const launchers: Launchers = {};
