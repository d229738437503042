// The ES module loader hooks Node loads (module.register or --experimental-loader). They live in
// loaderhooks.js (CommonJS, see there); this module only hands them to Node.
import { createRequire } from 'node:module';

interface Hooks { initialize: (...args: unknown[]) => unknown; resolve: (...args: unknown[]) => unknown; load: (...args: unknown[]) => unknown }
const hooks = createRequire(import.meta.url)('./loaderhooks.js') as Hooks;

export const initialize = hooks.initialize;
export const resolve = hooks.resolve;
export const load = hooks.load;
