/**
 * Compute kernels written in AssemblyScript (kernels/*.ts) and compiled by esbuild.mjs into one
 * WebAssembly module, whose bytes it writes to wasmKernels.generated.ts: the module then travels
 * inside every bundle and loads the same way from sources, the CLI, the extension host and worker
 * threads. Kernels work on arrays in a `KernelMemory`; each thread instantiates the module over
 * the same shared memory. Their signatures come from the same compile (kernelExports.generated.ts,
 * checked in); the bytes are built (wasmKernels.generated.ts, git-ignored: its .d.ts stands in for
 * it until the first build, so that a fresh clone type-checks).
 */

import type { KernelExports } from './kernelExports.generated';
import { KERNELS_WASM_BASE64 } from './wasmKernels.generated';

/** The kernels' exports, typed from their AssemblyScript sources by esbuild.mjs (kernels/*.ts). */
export type Kernels = KernelExports;

const PAGE_BYTES = 65536;
/** wasm32's 4 GiB; a shared memory reserves its maximum as address space, committing pages only as it grows. */
const MAX_PAGES = 65536;
/** The module's own static data, if any, lives below this; allocations start above it. */
const RESERVED_BYTES = PAGE_BYTES;
/** Allocations start on cache-line boundaries, so threads writing neighbouring arrays do not share lines. */
const ALIGNMENT = 64;

let compiled: WebAssembly.Module | undefined;

/** The kernels, running over `memory` (a `KernelMemory`'s, possibly received from another thread). */
export function instantiateKernels(memory: WebAssembly.Memory): Kernels {
  compiled ??= new WebAssembly.Module(Uint8Array.from(atob(KERNELS_WASM_BASE64), (character) => character.charCodeAt(0)));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as Kernels;
}

/**
 * A shared WebAssembly memory that arrays are allocated from and never freed: it belongs to one
 * computation and is dropped with it. Growing leaves earlier arrays valid (a shared memory's buffer
 * is never detached).
 */
export class KernelMemory {
  readonly memory = new WebAssembly.Memory({ initial: RESERVED_BYTES / PAGE_BYTES, maximum: MAX_PAGES, shared: true });
  private end = RESERVED_BYTES;

  float32(length: number): Float32Array {
    const start = this.allocate(4 * length);
    return new Float32Array(this.memory.buffer, start, length);
  }

  float64(length: number): Float64Array {
    const start = this.allocate(8 * length);
    return new Float64Array(this.memory.buffer, start, length);
  }

  uint8(length: number): Uint8Array {
    const start = this.allocate(length);
    return new Uint8Array(this.memory.buffer, start, length);
  }

  int32(length: number): Int32Array {
    const start = this.allocate(4 * length);
    return new Int32Array(this.memory.buffer, start, length);
  }

  /** The start of `bytes` new bytes; `memory.buffer` covers them only once this has returned. */
  private allocate(bytes: number): number {
    const start = Math.ceil(this.end / ALIGNMENT) * ALIGNMENT;
    const end = start + bytes;
    if (end > MAX_PAGES * PAGE_BYTES) throw new RangeError(`compute needs ${(end / 2 ** 30).toFixed(1)} GiB of kernel memory, more than WebAssembly's 4 GiB`);
    const pages = Math.ceil(end / PAGE_BYTES) - this.memory.buffer.byteLength / PAGE_BYTES;
    if (pages > 0) this.memory.grow(pages);
    this.end = end;
    return start;
  }
}
