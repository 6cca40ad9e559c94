/**
 * t-SNE benchmark (issue 8): our t-SNE on PCA-32 of real MNIST images, with seconds
 * (wall and CPU, per stage), peak RSS, trustworthiness(k=10) and KL divergence; and, when
 * installed, scikit-learn's Barnes–Hut t-SNE (Debian `python3-sklearn`) and Rtsne (C++ Barnes–Hut,
 * `r-cran-rtsne`, 2 threads) on the same codes in the same run, scored by the same functions.
 *
 *   node --import tsx bench/tsne.ts [10000 70000 …] [--iter 1000] [--method fft|barnes-hut]
 *                                   [--reference sklearn,rtsne | --no-reference] [--threads T] [--json]
 *
 * Sizes default to 10000 (about 5 minutes with both references on 2 shared cores, most of it
 * scikit-learn's); 70000 (MNIST train + test) is opt-in, as scikit-learn alone needs 10+ minutes
 * there and Rtsne about 6. --threads is our thread count (default: every core; the layout is the
 * same for any count). Each of our runs is a child process of its own, so its peak RSS is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { nearestNeighbors } from '../src/core/compute/knn';
import { benchThreads } from './threads';
import { trustworthiness } from '../src/core/compute/trustworthiness';
import { conditionalAffinities, type SparseAffinities, symmetrise, tsne } from '../src/core/compute/tsne';
import { mnistPcaCodes } from './mnist';
import { peakRssMB } from './rss';

const repoRoot = resolve(__dirname, '..');
const DIM = 32;
const PERPLEXITY = 30;
const RTSNE_THREADS = 2;
const args = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};
const flagValues = new Set(['--iter', '--method', '--reference', '--child', '--n', '--threads'].map((flag) => valueOf(flag)));
const sizes = args.filter((arg) => /^\d+$/.test(arg) && !flagValues.has(arg)).map(Number);
const nIter = Number(valueOf('--iter') ?? 1000);
const method = (valueOf('--method') ?? 'fft') as 'fft' | 'barnes-hut';
const threads = Number(valueOf('--threads') ?? availableParallelism());
const references = args.includes('--no-reference') ? [] : (valueOf('--reference') ?? 'sklearn,rtsne').split(',');

interface Scored {
  seconds: number;
  trustworthiness: number;
  kl: number;
}



/**
 * KL(P ‖ Q) with our sparse P (perplexity 30, exact kNN) and Q normalised over all pairs exactly, so
 * that every layout is judged by the same objective whatever approximations produced it.
 */
function klDivergence(affinities: SparseAffinities, layout: Float32Array, n: number): number {
  const { rowStart, columns, values } = affinities;
  let z = 0;
  for (let i = 0; i < n; i++) {
    const x = layout[2 * i];
    const y = layout[2 * i + 1];
    for (let j = i + 1; j < n; j++) z += 2 / (1 + (x - layout[2 * j]) ** 2 + (y - layout[2 * j + 1]) ** 2);
  }
  let kl = 0;
  for (let i = 0; i < n; i++) {
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      const j = columns[e];
      const q = 1 / (1 + (layout[2 * i] - layout[2 * j]) ** 2 + (layout[2 * i + 1] - layout[2 * j + 1]) ** 2) / z;
      // Each stored pair stands for p_ij and p_ji.
      kl += 2 * values[e] * Math.log(values[e] / q);
    }
  }
  return kl;
}

/** Scores layouts of one data set: trustworthiness(k=10) and KL divergence under the same P. */
function scorer(codes: Float32Array, n: number): (layout: Float32Array, seconds: number) => Scored {
  const k = Math.min(n - 1, 3 * PERPLEXITY);
  const graph = nearestNeighbors(codes, n, DIM, k);
  const affinities = symmetrise(graph.indices, conditionalAffinities(graph.distances, n, k, PERPLEXITY), n, k);
  return (layout, seconds) => ({ seconds, trustworthiness: trustworthiness(codes, layout, n, DIM, 2, 10), kl: klDivergence(affinities, layout, n) });
}

function readFloats(file: string): Float32Array {
  const raw = readFileSync(file);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

/** Runs a reference on the codes (written to a temporary file) and reads back its layout; null when it is not installed. */
function runReference(name: string, file: string, n: number, score: ReturnType<typeof scorer>): (Scored & { version: string }) | null {
  let command: [string, string[]];
    if (name === 'sklearn') {
      const python = ['/usr/bin/python3', 'python3'].find((candidate) => spawnSync(candidate, ['-c', 'import sklearn']).status === 0);
      if (python === undefined) return null;
      command = [python, [join(repoRoot, 'bench/reference/sklearn_tsne.py'), file, String(n), String(DIM), String(nIter)]];
    } else if (name === 'rtsne') {
      if (spawnSync('Rscript', ['-e', 'library(Rtsne)']).status !== 0) return null;
      command = ['Rscript', [join(repoRoot, 'bench/reference/rtsne.R'), file, String(n), String(DIM), String(nIter), String(RTSNE_THREADS)]];
    } else {
      throw new RangeError(`unknown reference '${name}' (expected sklearn or rtsne)`);
    }
  const run = spawnSync(command[0], command[1], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`${name} t-SNE failed: ${run.stderr}`);
  const { seconds, version } = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as { seconds: number; version: string };
  return { version, ...score(readFloats(`${file}.layout`), seconds) };
}

/** One run of ours on the codes in `file` (started by `measure` as a child): layout to `file`.layout, measurements as JSON. */
function child(file: string, n: number): void {
  const codes = readFloats(file);
  const stageSeconds: Record<string, number> = {};
  let stage = 'knn';
  let stageStart = performance.now();
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const layout = tsne(codes, n, DIM, { seed: 1, nIter, perplexity: PERPLEXITY, method, threads: benchThreads(threads) }, {
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
  writeFileSync(`${file}.layout`, layout);
  process.stdout.write(`${JSON.stringify({ seconds, cpuSeconds, stageSeconds, peakRssMB: peakRssMB() })}\n`);
}

function measure(n: number) {
  const folder = mkdtempSync(join(tmpdir(), 'tsne-bench-'));
  const file = join(folder, 'codes.f32');
  try {
    const codes = mnistPcaCodes(n, DIM);
    writeFileSync(file, codes);
    const childArgs = ['--child', file, '--n', String(n), '--iter', String(nIter), '--method', method, '--threads', String(threads)];
    const run = spawnSync(process.execPath, [...process.execArgv, __filename, ...childArgs], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (run.status !== 0) throw new Error(`t-SNE run for n = ${n} failed: ${run.stderr}`);
    type Measured = { seconds: number; cpuSeconds: number; stageSeconds: Record<string, number>; peakRssMB: number };
    const measured = JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Measured;
    const score = scorer(codes, n);
    const ours = { ...score(readFloats(`${file}.layout`), measured.seconds), ...measured };
    const refs = Object.fromEntries(references.map((name) => [name, runReference(name, file, n, score)]));
    const ratios = Object.fromEntries(
      Object.entries(refs)
        .filter((entry): entry is [string, Scored & { version: string }] => entry[1] !== null)
        .map(([name, ref]) => [name, { speedup: ref.seconds / ours.seconds, trustworthinessGap: ours.trustworthiness - ref.trustworthiness }]),
    );
    return { n, ours, references: refs, ratios };
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function main(): void {
  if (args.includes('--child')) {
    child(valueOf('--child') ?? '', Number(valueOf('--n')));
    return;
  }
  const runs = (sizes.length > 0 ? sizes : [10000]).map(measure);
  const result = { workload: `t-SNE n×${DIM} (PCA-32 of MNIST train + test), ${nIter} iterations, perplexity ${PERPLEXITY}, method ${method}, ${threads} threads`, runs };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  console.log(result.workload);
  const line = (s: Scored) => `${s.seconds.toFixed(1)} s, T(10) ${s.trustworthiness.toFixed(4)}, KL ${s.kl.toFixed(3)}`;
  for (const { n, ours, references: refs, ratios } of runs) {
    console.log(`n = ${n}`);
    console.log(`  ours:    ${line(ours)}; ${ours.cpuSeconds.toFixed(1)} s CPU, peak RSS ${ours.peakRssMB.toFixed(0)} MB`);
    console.log(`  stages:  ${Object.entries(ours.stageSeconds).map(([name, s]) => `${name} ${s.toFixed(1)} s`).join(', ')}`);
    for (const [name, ref] of Object.entries(refs)) {
      if (ref === null) {
        console.log(`  ${name}: not installed`);
        continue;
      }
      console.log(`  ${name} ${ref.version}: ${line(ref)}; ours is ${ratios[name].speedup.toFixed(2)}× as fast, trustworthiness gap ${ratios[name].trustworthinessGap.toFixed(4)}`);
    }
  }
}

main();
