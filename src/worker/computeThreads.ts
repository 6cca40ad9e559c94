/**
 * Helper threads for compute stages (NN-descent, UMAP's SGD): one worker per spare core, sharing
 * the stage's buffers. Workers start on their own threads, so a synchronous `umap` call can use
 * them while it blocks its caller's event loop.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { HelperTask, HelperThreads } from '../core/compute/threads';
import { workerExecArgv } from './workerScript';

/**
 * Helpers for every core beside the calling thread's (none on one core).
 * @param script the helper: `dist/computeHelper.js` when bundled, the .ts source from tsx.
 */
export function computeThreads(helpers = availableParallelism() - 1, script = defaultScript()): HelperThreads {
  const count = Math.max(0, helpers);
  return {
    helpers: count,
    start(task: HelperTask, state: object) {
      const workers = Array.from({ length: count }, (_, index) => {
        const worker = new Worker(script, { workerData: { task, state, thread: index + 1 }, execArgv: workerExecArgv(script) });
        // A helper that cannot start claims no work: the calling thread then does it all.
        worker.on('error', () => {});
        return worker;
      });
      return { terminate: () => workers.forEach((worker) => void worker.terminate()) };
    },
  };
}

function defaultScript(): string {
  const bundled = join(__dirname, 'computeHelper.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'computeHelper.ts');
}
