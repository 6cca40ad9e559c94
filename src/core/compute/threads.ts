/**
 * Helper threads lent to compute code by its caller: compute code runs in plain JS anywhere and
 * starts no threads itself. The worker layer supplies them (src/worker/computeThreads.ts); each
 * helper runs `runHelperTask` (helperTasks.ts) over state held in SharedArrayBuffers or in a shared
 * WebAssembly memory (wasmKernels.ts's KernelMemory).
 */

/** The parallel stages a helper can join. */
export type HelperTask = 'nnDescent' | 'umapLayout' | 'tsneAttraction' | 'trustworthiness';

export interface HelperThreads {
  /** Threads `start` adds beside the calling one. */
  readonly helpers: number;
  /** Starts the helpers, each running `runHelperTask(task, state, index)` with index 1…helpers; returns how to terminate them. */
  start(task: HelperTask, state: object): { terminate(): void };
}

/**
 * `array` in a SharedArrayBuffer, for state that helper threads read or write: itself when it
 * already is there or when `shared` is false (no helpers), else a shared copy.
 */
export function inSharedMemory<T extends Float32Array | Float64Array | Int32Array | Uint8Array>(array: T, shared: boolean): T {
  if (!shared || array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new (array.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(array.byteLength));
  copy.set(array);
  return copy;
}
