// How to start a Python program under the Await Lens tracer (see src/tracers/launch.ts).
// The tracer is a stdlib-only script copied to dist/tracers/python/ by esbuild.mjs; it runs the
// program as `python FILE ARGS...` would and writes the NDJSON trace to opts.tracePath.
import { join } from 'node:path';
import type { LaunchOptions, LaunchPlan } from '../launch';

/** File name of the tracer script inside `<distDir>/tracers/python/`. */
export const PYTHON_TRACER_SCRIPT = 'awaitlens_tracer.py';

export function pythonTracerPath(distDir: string): string {
  return join(distDir, 'tracers', 'python', PYTHON_TRACER_SCRIPT);
}

/**
 * `<interpreter> <distDir>/tracers/python/awaitlens_tracer.py --out TRACE [--blocking-ms N] -- FILE ARGS...`
 * The program sees sys.argv == [FILE, ...ARGS], __name__ == "__main__", sys.path[0] == its folder,
 * stdin/stdout/stderr untouched; the process exits with the program's exit code.
 */
export function pythonLaunch(opts: LaunchOptions): LaunchPlan {
  const args = [pythonTracerPath(opts.distDir), '--out', opts.tracePath];
  if (opts.blockingMs !== undefined) args.push('--blocking-ms', String(opts.blockingMs));
  args.push('--', opts.programArg ?? opts.file, ...opts.args);
  return {
    command: opts.interpreter,
    args,
    // Unbuffered-ish output keeps printed lines in step with the trace when stdout is a pipe,
    // the way a user watching a terminal sees them.
    env: { PYTHONUNBUFFERED: '1' },
  };
}
