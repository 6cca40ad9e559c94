/**
 * A helper thread of a parallel compute stage (NN-descent's local joins, UMAP's SGD): works on
 * the shared state until the stage has nothing left or its caller stops it, then ends (the
 * caller also terminates it).
 */
import { workerData } from 'node:worker_threads';
import { runHelperTask } from '../core/compute/helperTasks';
import type { HelperTask } from '../core/compute/threads';

const { task, state, thread } = workerData as { task: HelperTask; state: object; thread: number };
runHelperTask(task, state, thread);
