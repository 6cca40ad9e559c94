/**
 * Helper threads for the benchmarks as the extension runs them: the bundled dist/computeHelper.js
 * (`npm run bench` builds it first), not the TypeScript source, which each thread would compile
 * through tsx on start (about 0.25 s per thread here, a tenth of a 10k UMAP run). A bundle older
 * than the compute sources would run other code than the calling thread, so then the source is used.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { HelperThreads } from '../src/core/compute/threads';
import { computeThreads } from '../src/worker/computeThreads';

const repoRoot = resolve(__dirname, '..');
const bundle = join(repoRoot, 'dist', 'computeHelper.js');

function newestSource(): number {
  let newest = 0;
  for (const folder of ['src/core/compute', 'src/worker']) {
    for (const name of readdirSync(join(repoRoot, folder))) newest = Math.max(newest, statSync(join(repoRoot, folder, name)).mtimeMs);
  }
  return newest;
}

/** `total` threads in all: the calling one and total − 1 helpers (none when total ≤ 1). */
export function benchThreads(total: number): HelperThreads | undefined {
  if (total <= 1) return undefined;
  const fresh = existsSync(bundle) && statSync(bundle).mtimeMs >= newestSource();
  return fresh ? computeThreads(total - 1, bundle) : computeThreads(total - 1);
}
