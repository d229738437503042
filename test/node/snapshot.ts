// The Node tracer as built, copied once per suite into the suite's own folder: other work in the
// same tree rebuilding dist/ while a traced program loads it (esbuild rewrites files in place)
// would otherwise hand that program half a file. The copy has its own instrumentation cache, so
// every suite also exercises a first trace (nothing cached yet) and leaves nothing behind.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function snapshotTracer(root: string, into: string): { distDir: string; cacheDir: string } {
  const from = join(root, 'dist', 'tracers', 'node');
  const distDir = join(into, 'dist');
  const to = join(distDir, 'tracers', 'node');
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) if (/\.(c|m)?js$/.test(name)) copyFileSync(join(from, name), join(to, name));
  const cacheDir = join(into, 'cache');
  mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
  return { distDir, cacheDir };
}
