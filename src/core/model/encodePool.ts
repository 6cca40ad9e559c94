/**
 * Encoding (and reconstructing) on several WebAssembly instances at once. tfjs-backend-wasm runs
 * single-threaded in Node, so one encode uses one core; this pool adds worker threads, each
 * loading its own copy of the model and its own wasm backend, and shares the samples out in
 * chunks: the calling thread and every worker take the next chunk when they are free, so a slow
 * or busy core does less.
 */
import type { Worker } from 'node:worker_threads';
import type { LoadAutoencoderOptions } from './autoencoder';
import { type BatchOptions, MAX_BATCH, throwIfAborted } from './stage';

/** Samples per chunk handed to a thread: two default batches, so a message costs ~1 % of the chunk's compute. */
export const ENCODE_CHUNK = 2 * MAX_BATCH;
/** Chunks in flight per worker, so a worker never waits for the calling thread to read its last result. */
const CHUNKS_IN_FLIGHT = 2;

/** What an encode worker is started with (its `workerData`). */
export interface EncodeWorkerData {
  modelPath: string;
  options: LoadAutoencoderOptions;
}
/** What the pool computes per sample: the code, or the model's reconstruction of its input. */
export type PoolStage = 'encode' | 'reconstruct';
/** Calling thread → encode worker. */
export interface EncodeChunkRequest {
  id: number;
  stage: PoolStage;
  inputs: Float32Array;
  count: number;
}
/** Encode worker → calling thread: 'ready' once its model has loaded, then one reply per chunk. */
export type EncodeWorkerMessage =
  | { type: 'ready' }
  | { type: 'outputs'; id: number; outputs: Float32Array }
  | { type: 'error'; id: number; message: string }
  | { type: 'loadFailed'; message: string };

/**
 * Starts one encode worker thread. Core starts no threads itself: the worker layer provides this
 * (src/worker/encodeThreads.ts), as it provides the projection runner and the helper threads.
 */
export type EncodeThreadStarter = (workerData: EncodeWorkerData) => Worker;

let providedStarter: EncodeThreadStarter | null = null;

/** Lets pools created from now on start encode workers (the CLI and the session worker call this once). */
export function provideEncodeThreads(starter: EncodeThreadStarter | null): void {
  providedStarter = starter;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  inFlight: Map<number, { start: number; count: number }>;
}

interface Job {
  stage: PoolStage;
  inputs: Float32Array;
  count: number;
  sampleSize: number;
  outputSize: number;
  outputs: Float32Array;
  nextStart: number;
  /** Chunks given back by a worker that failed, to be taken again before new ones. */
  returned: { start: number; count: number }[];
  done: number;
  options: BatchOptions;
  fail: (error: Error) => void;
  /** Wakes the calling thread's loop when a chunk finishes elsewhere. */
  wake: () => void;
}

/**
 * A pool of `threads − 1` encode workers beside the calling thread; workers start on first use and
 * end on dispose. Without a thread starter (none provided), the calling thread does all the work.
 */
export class EncodePool {
  private readonly workers: PoolWorker[] = [];
  private job: Job | null = null;
  private nextId = 1;
  private disposed = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Why the last worker that failed (to start, or later) stopped; its share went to the other threads. */
  lastWorkerError: Error | null = null;
  /** Samples the last finished job computed on this thread and in workers. */
  lastShares = { here: 0, workers: 0 };

  constructor(
    private readonly threads: number,
    private readonly workerData: EncodeWorkerData,
    private readonly startThread: EncodeThreadStarter | null = providedStarter,
  ) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`encode threads must be a positive integer, got ${threads}`);
  }

  /**
   * Runs `stage` on `count` samples into count × outputSize values: `runHere` runs chunks on this
   * thread while the workers take the others. One job at a time; calls queue behind each other.
   */
  run(
    stage: PoolStage,
    inputs: Float32Array,
    count: number,
    sampleSize: number,
    outputSize: number,
    runHere: (chunk: Float32Array, n: number) => Promise<Float32Array>,
    options: BatchOptions = {},
  ): Promise<Float32Array> {
    const run = this.queue.then(() => this.runJob(stage, inputs, count, sampleSize, outputSize, runHere, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runJob(
    stage: PoolStage,
    inputs: Float32Array,
    count: number,
    sampleSize: number,
    outputSize: number,
    runHere: (chunk: Float32Array, n: number) => Promise<Float32Array>,
    options: BatchOptions = {},
  ): Promise<Float32Array> {
    if (this.disposed) throw new Error('the encode pool was disposed');
    this.startWorkers();
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    let here = 0;
    const job: Job = {
      stage,
      inputs,
      count,
      sampleSize,
      outputSize,
      outputs: new Float32Array(count * outputSize),
      nextStart: 0,
      returned: [],
      done: 0,
      options,
      fail: (error) => {
        failure ??= error;
        wake?.();
      },
      wake: () => wake?.(),
    };
    this.job = job;
    try {
      for (const entry of this.workers) this.dispatch(entry);
      for (;;) {
        if (failure) throw failure;
        throwIfAborted(options.signal);
        const chunk = this.takeChunk(job);
        if (chunk) {
          const outputs = await runHere(inputs.subarray(chunk.start * sampleSize, (chunk.start + chunk.count) * sampleSize), chunk.count);
          this.finishChunk(job, chunk.start, chunk.count, outputs);
          here += chunk.count;
          // A macrotask turn, so the workers' finished chunks are read and they are sent new ones.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
        if (job.done === count) {
          this.lastShares = { here, workers: count - here };
          return job.outputs;
        }
        // Nothing left to take: wait for the workers' chunks still in flight.
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      this.job = null;
      for (const entry of this.workers) {
        entry.inFlight.clear();
        entry.worker.unref();
      }
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const { worker } of this.workers.splice(0)) void worker.terminate();
  }

  private startWorkers(): void {
    // A worker that failed once (a model it cannot load, a missing script) would fail again: this thread carries on alone.
    while (this.startThread && this.workers.length < this.threads - 1 && !this.lastWorkerError) {
      let worker: Worker;
      try {
        worker = this.startThread(this.workerData);
      } catch (error) {
        this.lastWorkerError = error as Error;
        break;
      }
      const entry: PoolWorker = { worker, ready: false, inFlight: new Map() };
      worker.on('message', (message: EncodeWorkerMessage) => this.receive(entry, message));
      worker.on('error', (error) => this.drop(entry, error));
      worker.on('exit', (code) => this.drop(entry, new Error(`encode worker exited with code ${code}`)));
      this.workers.push(entry);
    }
    for (const { worker } of this.workers) worker.ref();
  }

  private receive(entry: PoolWorker, message: EncodeWorkerMessage): void {
    const job = this.job;
    if (message.type === 'ready') {
      entry.ready = true;
      if (job) this.dispatch(entry);
      return;
    }
    if (message.type === 'loadFailed') {
      // The worker could not load the model: this thread and the other workers carry on without it.
      this.drop(entry, new Error(message.message));
      return;
    }
    const chunk = entry.inFlight.get(message.id);
    if (!job || !chunk) return;
    entry.inFlight.delete(message.id);
    if (message.type === 'error') {
      job.fail(new Error(message.message));
      return;
    }
    this.finishChunk(job, chunk.start, chunk.count, message.outputs);
    this.dispatch(entry);
  }

  /** Keeps a ready worker `CHUNKS_IN_FLIGHT` chunks deep while chunks remain. */
  private dispatch(entry: PoolWorker): void {
    const job = this.job;
    if (!job || !entry.ready || job.options.signal?.aborted) return;
    while (entry.inFlight.size < CHUNKS_IN_FLIGHT) {
      const chunk = this.takeChunk(job);
      if (!chunk) return;
      const id = this.nextId++;
      entry.inFlight.set(id, chunk);
      // A copy of just this chunk: posting a subarray would clone its whole underlying buffer.
      const inputs = job.inputs.slice(chunk.start * job.sampleSize, (chunk.start + chunk.count) * job.sampleSize);
      const request: EncodeChunkRequest = { id, stage: job.stage, inputs, count: chunk.count };
      entry.worker.postMessage(request, [inputs.buffer]);
    }
  }

  private takeChunk(job: Job): { start: number; count: number } | null {
    const returned = job.returned.pop();
    if (returned) return returned;
    if (job.nextStart >= job.count) return null;
    const start = job.nextStart;
    const count = Math.min(ENCODE_CHUNK, job.count - start);
    job.nextStart += count;
    return { start, count };
  }

  private finishChunk(job: Job, start: number, count: number, outputs: Float32Array): void {
    job.outputs.set(outputs, start * job.outputSize);
    job.done += count;
    job.options.onProgress?.(job.done, job.count);
    job.wake();
  }

  /** Forgets a failed worker and gives its chunks back to the job: the other threads finish them. */
  private drop(entry: PoolWorker, error: Error): void {
    const index = this.workers.indexOf(entry);
    if (index < 0) return;
    this.workers.splice(index, 1);
    this.lastWorkerError = error;
    void entry.worker.terminate();
    const job = this.job;
    if (!job) return;
    job.returned.push(...entry.inFlight.values());
    entry.inFlight.clear();
    job.wake();
  }
}
