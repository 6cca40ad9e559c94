/**
 * Helper threads for UMAP's SGD: one worker per spare core, each sharing the layout's buffers.
 * Workers start on their own threads, so a synchronous `umap` call can use them while it blocks
 * its caller's event loop.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { LayoutState, LayoutThreads } from '../core/compute/umapOptimize';
import { workerExecArgv } from './workerScript';

/**
 * Helpers for every core beside the calling thread's (none on one core).
 * @param script the helper: `dist/umapLayoutWorker.js` when bundled, the .ts source from tsx.
 */
export function umapLayoutThreads(helpers = availableParallelism() - 1, script = defaultScript()): LayoutThreads {
  return {
    helpers: Math.max(0, helpers),
    start(state: LayoutState) {
      const workers = Array.from({ length: Math.max(0, helpers) }, (_, index) => {
        const worker = new Worker(script, { workerData: { state, thread: index + 1 }, execArgv: workerExecArgv(script) });
        // A helper that cannot start claims no chunks: the calling thread then does them all.
        worker.on('error', () => {});
        return worker;
      });
      return { terminate: () => workers.forEach((worker) => void worker.terminate()) };
    },
  };
}

function defaultScript(): string {
  const bundled = join(__dirname, 'umapLayoutWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'umapLayoutWorker.ts');
}
