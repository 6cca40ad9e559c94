/**
 * A helper thread of UMAP's SGD: claims chunks of the layout's epochs from the shared state until
 * none are left or the caller stops the run, then ends (the caller also terminates it).
 */
import { workerData } from 'node:worker_threads';
import { runLayoutChunks, type LayoutState } from '../core/compute/umapOptimize';

const { state, thread } = workerData as { state: LayoutState; thread: number };
runLayoutChunks(state, thread);
