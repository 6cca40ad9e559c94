/**
 * Projection worker: runs t-SNE and UMAP off the session's thread. Jobs run one at a time; a job
 * stops early when its shared stop flag is raised (the compute loops poll it between chunks).
 */
import { parentPort } from 'node:worker_threads';
import type { ProjectionJob, ProjectionWorkerMessage } from '../shared/workerProtocol';
import { computeProjection } from '../core/projection';
import { toErrorInfo } from '../util/errors';
import { computeThreads } from './computeThreads';

/** Intermediate layouts are posted at most this often: the webview cannot draw faster anyway. */
const LAYOUT_INTERVAL_MS = 250;

/** UMAP shares every spare core with this thread (helpers live only while a stage runs). */
const umapThreads = computeThreads();

const port = parentPort;
if (!port) throw new Error('projectionWorker must run as a worker thread');

port.on('message', (job: ProjectionJob) => {
  const post = (message: ProjectionWorkerMessage) => port.postMessage(message);
  const stop = new Int32Array(job.stopFlag);
  let lastLayout = 0;
  try {
    const result = computeProjection(
      job.data,
      job.n,
      job.dim,
      { method: job.method, dims: job.dims, seed: job.seed, params: job.params, init: job.init },
      {
        onProgress: (stage, fraction) => post({ type: 'progress', id: job.id, stage, fraction }),
        onLayout: (positions, fraction) => {
          const now = Date.now();
          if (now - lastLayout < LAYOUT_INTERVAL_MS) return;
          lastLayout = now;
          post({ type: 'layout', id: job.id, positions: positions.slice(), fraction });
        },
        shouldStop: () => Atomics.load(stop, 0) === 1,
      },
      umapThreads,
    );
    post({ type: 'result', id: job.id, positions: result.positions, seconds: result.seconds });
  } catch (error) {
    post({ type: 'error', id: job.id, error: toErrorInfo(error) });
  }
});
