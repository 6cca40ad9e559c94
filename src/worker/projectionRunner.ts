/**
 * Runs t-SNE/UMAP jobs in worker threads: one lazily started worker per lane (a model slot), so
 * the two panes of a comparison use both cores. A new job on a lane stops the one before it
 * (latest wins; the stopped job's promise rejects as cancelled); `dispose` terminates every worker.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectionJob, ProjectionWorkerMessage } from '../shared/workerProtocol';
import type { ProjectionRunner, ProjectionRun } from '../core/projection';
import { RemoteError } from '../util/errors';
import { workerExecArgv } from './workerScript';

interface PendingJob {
  lane: string;
  stop: Int32Array;
  run: ProjectionRun;
  resolve: (positions: Float32Array) => void;
  reject: (error: Error) => void;
}

const cancelled = () => new RemoteError({ message: 'projection cancelled', code: 'cancelled' });

export class WorkerProjectionRunner implements ProjectionRunner {
  private readonly workers = new Map<string, Worker>();
  private readonly latestOnLane = new Map<string, number>();
  private readonly pending = new Map<number, PendingJob>();
  private nextId = 1;
  private disposed = false;

  /** @param script the projection worker: `dist/projectionWorker.js` when bundled, the .ts source in tests. */
  constructor(private readonly script: string = defaultProjectionWorkerScript()) {}

  run(lane: string, run: ProjectionRun, signal?: AbortSignal): Promise<Float32Array> {
    if (this.disposed) return Promise.reject(new Error('the projection runner was disposed'));
    const previous = this.pending.get(this.latestOnLane.get(lane) ?? 0);
    if (previous) Atomics.store(previous.stop, 0, 1);
    const worker = this.workerFor(lane);
    const id = this.nextId++;
    const stopFlag = new SharedArrayBuffer(4);
    const stop = new Int32Array(stopFlag);
    this.latestOnLane.set(lane, id);
    return new Promise<Float32Array>((resolve, reject) => {
      this.pending.set(id, { lane, stop, run, resolve, reject });
      signal?.addEventListener('abort', () => Atomics.store(stop, 0, 1), { once: true });
      const job: ProjectionJob = { type: 'project', id, stopFlag, ...run.job };
      worker.postMessage(job);
    });
  }

  private workerFor(lane: string): Worker {
    const existing = this.workers.get(lane);
    if (existing) return existing;
    const worker = new Worker(this.script, { execArgv: workerExecArgv(this.script) });
    worker.on('message', (message: ProjectionWorkerMessage) => this.receive(message));
    worker.on('error', (error) => this.failLane(lane, new Error(`projection worker failed: ${error.message}`)));
    worker.on('exit', (code) => {
      if (!this.disposed) this.failLane(lane, new Error(`projection worker exited with code ${code}`));
    });
    this.workers.set(lane, worker);
    return worker;
  }

  private receive(message: ProjectionWorkerMessage): void {
    const job = this.pending.get(message.id);
    if (!job) return;
    const stopped = Atomics.load(job.stop, 0) === 1;
    switch (message.type) {
      case 'progress':
        if (!stopped) job.run.onProgress?.(message.stage, message.fraction);
        break;
      case 'layout':
        if (!stopped) job.run.onLayout?.(message.positions, message.fraction);
        break;
      case 'result':
        this.pending.delete(message.id);
        if (stopped) job.reject(cancelled());
        else job.resolve(message.positions);
        break;
      case 'error':
        this.pending.delete(message.id);
        job.reject(new RemoteError(message.error));
        break;
    }
  }

  private failLane(lane: string, error: Error): void {
    for (const [id, job] of this.pending) {
      if (job.lane !== lane) continue;
      this.pending.delete(id);
      job.reject(error);
    }
    this.workers.delete(lane);
  }

  dispose(): void {
    this.disposed = true;
    for (const job of this.pending.values()) job.reject(cancelled());
    this.pending.clear();
    for (const worker of this.workers.values()) void worker.terminate();
    this.workers.clear();
  }
}

function defaultProjectionWorkerScript(): string {
  const bundled = join(__dirname, 'projectionWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'projectionWorker.ts');
}
