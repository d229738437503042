// How a runner starts a program under a tracer. Each tracer folder exports a function
// returning a LaunchPlan; the runner (CLI, extension host) spawns it and knows nothing else
// of how the tracer works.

export interface LaunchOptions {
  /** Absolute path of the program to trace. */
  file: string;
  /**
   * The program as the user named it, relative to `cwd` (the program runs there): what
   * `python FILE` puts in sys.argv[0]. Absent: `file`.
   */
  programArg?: string;
  /** Arguments for the program (its sys.argv[1:] / process.argv.slice(2)). */
  args: string[];
  /** Absolute path the tracer writes its NDJSON trace to. */
  tracePath: string;
  /** The folder holding the built tracers (dist/), i.e. `__dirname` of the CLI or extension bundle. */
  distDir: string;
  /** Interpreter to run: a python or node executable. */
  interpreter: string;
  /** Blocking-step threshold in milliseconds (default 100). */
  blockingMs?: number;
  cwd?: string;
}

export interface LaunchPlan {
  command: string;
  args: string[];
  /** Extra environment variables, merged over process.env by the runner. */
  env: Record<string, string>;
}
