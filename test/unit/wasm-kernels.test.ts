import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instantiateKernels, KernelMemory } from '../../src/core/compute/wasmKernels';

test('KernelMemory allocates aligned arrays that stay valid as it grows, and refuses more than WebAssembly’s 4 GiB with the size asked for', () => {
  const memory = new KernelMemory();
  const first = memory.float32(10).fill(1.5);
  const large = memory.float64(1_000_000);
  const flags = memory.uint8(3);
  assert.equal(first[9], 1.5, 'growing the memory kept the earlier array');
  for (const array of [first, large, flags]) assert.equal(array.byteOffset % 64, 0);
  assert.ok(large.byteOffset >= first.byteOffset + first.byteLength && flags.byteOffset >= large.byteOffset + large.byteLength, 'arrays do not overlap');
  // The kernels read what JS wrote into the memory.
  const rows = memory.float32(2 * 8);
  rows.set([0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0]);
  assert.equal(instantiateKernels(memory.memory).squaredDistanceWithin(rows.byteOffset, 0, 1, 8, Infinity), 30);
  assert.throws(() => memory.float32(2 ** 30), /compute needs 4\.0 GiB of kernel memory, more than WebAssembly's 4 GiB/);
});
