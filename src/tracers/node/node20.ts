// Node 20 (and 21, 22 before 22.15, 23 before 23.5) has no module.registerHooks: module.register
// starts a loader thread and the program waits for it before any of its code runs (40-70 ms here,
// a third of a 200 ms program). Started with --expose-internals, the ES module hooks can run on the
// main thread instead: Node's own hook chain (the Hooks class its loader thread runs) serves the
// main thread's module loader directly, as its "customizations" (what module.register installs).
// Everything is checked before use; when a part is missing or has another shape this returns false
// and register.mjs registers the hooks the documented way.
import type * as LoaderHooks from './entries/loaderhooks';

interface Customizations {
  allowImportMetaResolve: boolean;
  register(specifier: string, parentURL: string, data: unknown, transferList: unknown[], isInternal?: boolean): unknown;
  resolve(specifier: string, parentURL: string | undefined, importAttributes: object): Promise<unknown>;
  resolveSync(specifier: string, parentURL: string | undefined, importAttributes: object): unknown;
  load(url: string, context: object): Promise<unknown>;
  loadSync(url: string, context: object): unknown;
  importMetaInitialize(meta: object, context: object, loader: unknown): void;
  forceLoadHooks(): void;
}

/**
 * Installs the hooks on this (the main) thread. `handOff(loader)` is called if the program registers
 * hooks of its own with module.register: from then on every hook runs on Node's loader thread,
 * ours first, as without this.
 */
export function hookOnMainThread(hooks: typeof LoaderHooks, data: { tracerDir: string; cacheDir: string | null },
  handOff: (register: (specifier: string, data: unknown, transferList: unknown[]) => void) => void): boolean {
  if (!process.execArgv.includes('--expose-internals')) return false;
  // (a require esbuild leaves alone: these exist only inside Node, with --expose-internals)
  const internal = require as (id: string) => any;
  let loader: any, Hooks: any, defaultResolve: any, defaultLoadSync: any, getDefaultConditions: any;
  try {
    loader = internal('internal/modules/esm/loader').getOrInitializeCascadedLoader();
    Hooks = internal('internal/modules/esm/hooks').Hooks;
    defaultResolve = internal('internal/modules/esm/resolve').defaultResolve;
    defaultLoadSync = internal('internal/modules/esm/load').defaultLoadSync;
    getDefaultConditions = internal('internal/modules/esm/utils').getDefaultConditions;
  } catch {
    return false;
  }
  if (typeof loader?.setCustomizations !== 'function' || typeof loader.register !== 'function' || typeof Hooks !== 'function'
    || typeof Hooks.prototype.addCustomLoader !== 'function' || typeof Hooks.prototype.resolve !== 'function'
    || typeof Hooks.prototype.load !== 'function' || typeof defaultResolve !== 'function' || typeof getDefaultConditions !== 'function') return false;
  const chain = new Hooks();
  chain.addCustomLoader('awaitlens:hooks', { initialize: hooks.initialize, resolve: hooks.resolve, load: hooks.load }, data);
  const context = (parentURL: string | undefined, importAttributes: object) =>
    ({ conditions: getDefaultConditions(), importAttributes, importAssertions: importAttributes, parentURL });
  const customizations: Customizations = {
    allowImportMetaResolve: true,
    register(specifier, parentURL, userData, transferList, isInternal) {
      loader.setCustomizations(null); // Node makes its loader thread on the next register
      handOff((ours, oursData, oursTransfer) => loader.register(ours, 'data:', oursData, oursTransfer));
      return loader.register(specifier, parentURL, userData, transferList, isInternal);
    },
    resolve: (specifier, parentURL, importAttributes) => chain.resolve(specifier, parentURL, importAttributes),
    // import.meta.resolve and require() of an ES module ask synchronously: the same hook, run synchronously.
    resolveSync: (specifier, parentURL, importAttributes) =>
      hooks.resolveSync(specifier, context(parentURL, importAttributes), (s: string, c: object) => defaultResolve(s, c)),
    load: (url, ctx) => chain.load(url, ctx),
    loadSync: (url, ctx) => {
      if (typeof defaultLoadSync !== 'function') throw new Error(`cannot load ${url} synchronously`);
      return hooks.loadSync(url, ctx, (u: string, c: object) => defaultLoadSync(u, c));
    },
    importMetaInitialize: (meta, ctx, l) => chain.importMetaInitialize(meta, ctx, l),
    forceLoadHooks: () => undefined,
  };
  loader.setCustomizations(customizations);
  return true;
}
