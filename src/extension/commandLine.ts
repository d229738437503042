// The command line a trace really runs (tracer, interpreter, program, args, environment), as the
// output channel shows it. Pure: no `vscode`, so tests check it on the real launch plans.
import { launchers } from '../runner/launchers';
import type { Launchers } from '../runner/run';
import type { LaunchPlan } from '../tracers/launch';

/** The launchers, each telling `announce` the plan it is about to have spawned. */
export function announcingLaunchers(announce: (plan: LaunchPlan) => void, from: Launchers = launchers): Launchers {
  const out: Launchers = {};
  for (const [runtime, launch] of Object.entries(from) as [keyof Launchers, NonNullable<Launchers[keyof Launchers]>][]) {
    out[runtime] = async (options) => {
      const plan = await launch(options);
      announce(plan);
      return plan;
    };
  }
  return out;
}

/** `$ ENV=value command args…`, quoted so it can be pasted into a POSIX shell. */
export function commandLineForDisplay(plan: LaunchPlan): string {
  const env = Object.entries(plan.env).map(([name, value]) => `${name}=${quoteForDisplay(value)}`);
  return `$ ${[...env, ...[plan.command, ...plan.args].map(quoteForDisplay)].join(' ')}`;
}

export function quoteForDisplay(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
