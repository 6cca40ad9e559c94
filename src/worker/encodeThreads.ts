/** Starts the encode pool's worker threads for core (which starts none itself). */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodeWorkerData } from '../core/model/encodePool';
import { workerExecArgv } from './workerScript';

/** One encode worker running `script` (by default `encodeWorker.js` beside the bundle, or its TypeScript source under tsx). */
export function startEncodeThread(workerData: EncodeWorkerData, script = defaultEncodeWorkerScript()): Worker {
  return new Worker(script, { workerData, execArgv: workerExecArgv(script) });
}

function defaultEncodeWorkerScript(): string {
  const bundled = join(__dirname, 'encodeWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'encodeWorker.ts');
}
