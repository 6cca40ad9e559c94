/**
 * Encode worker: one more WebAssembly instance for `EncodePool`. Loads the model it was started
 * with, says 'ready', then encodes (or reconstructs) each chunk it is sent, one after another, and
 * sends the outputs back (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadAutoencoder } from '../core/model';
import type { EncodeChunkRequest, EncodeWorkerData, EncodeWorkerMessage } from '../core/model/encodePool';

const port = parentPort;
if (!port) throw new Error('encodeWorker must run as a worker thread');
const post = (message: EncodeWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
const { modelPath, options } = workerData as EncodeWorkerData;

// The worker never encodes in parallel itself: one wasm instance per thread.
const model = loadAutoencoder(modelPath, { ...options, encodeThreads: 1 });
model.then(
  () => post({ type: 'ready' }),
  (error: unknown) => post({ type: 'loadFailed', message: String((error as Error).message ?? error) }),
);

// Chunks are encoded strictly in turn: the backend is shared by everything on this thread.
let previous: Promise<unknown> = model;
port.on('message', (request: EncodeChunkRequest) => {
  previous = previous.then(async () => {
    try {
      const loaded = await model;
      const outputs = request.stage === 'encode' ? await loaded.encode(request.inputs, request.count) : await loaded.reconstruct(request.inputs, request.count);
      post({ type: 'outputs', id: request.id, outputs }, [outputs.buffer as ArrayBuffer]);
    } catch (error) {
      post({ type: 'error', id: request.id, message: String((error as Error).message ?? error) });
    }
  });
});
