/**
 * UMAP benchmark (issue 8): wall and CPU seconds, seconds to the first streamed layout, peak RSS
 * and trustworthiness of our UMAP on synthetic clustered codes and on PCA-32 of MNIST pixels,
 * beside umap-learn (Debian `python3-umap-learn`) and uwot (`r-cran-uwot`) on the same data in
 * the same run, each scored by our own `trustworthiness` on the same sample.
 *
 *   node --import tsx bench/umap.ts [10000 70000 …] [--json] [--threads T] [--data synthetic|mnist-pca32] [--no-reference]
 *
 * Each of our runs is a child process of its own that reads the codes from a file, so its peak RSS is UMAP's. --threads is the
 * total SGD thread count (default: every core); --threads 1 is the reproducible single-thread mode.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { umap } from '../src/core/compute/umap';
import { createRng } from '../src/core/compute/random';
import { trustworthiness } from '../src/core/compute/trustworthiness';
import { benchThreads } from './threads';
import { mnistPcaCodes } from './mnist';
import { peakRssMB } from './rss';

const DIM = 32;
const DATASETS = { synthetic, 'mnist-pca32': (n: number) => mnistPcaCodes(n, DIM) } as const;
type DatasetName = keyof typeof DATASETS;
/** Points whose neighbourhoods trustworthiness checks (the same seeded sample for every method): each costs a pass over all n points. */
const trustSample = (n: number): number => (n <= 100_000 ? 5000 : 1000);

const args = process.argv.slice(2);
const valueOf = (flag: string): string | undefined => {
  const at = args.indexOf(flag);
  return at >= 0 ? args[at + 1] : undefined;
};

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


const defaultEpochs = (n: number): number => (n <= 10000 ? 500 : 200);
const score = (data: Float32Array, layout: Float32Array, n: number): number =>
  trustworthiness(data, layout, n, DIM, 2, 10, { sampleSize: trustSample(n), seed: 0 });

interface OurRun {
  seconds: number;
  cpuSeconds: number;
  firstLayoutSeconds: number;
  stageSeconds: Record<string, number>;
  threads: number;
  rssMB: number;
  trustworthiness: number;
}

/** One run of ours on the codes in `file`, in this process (the child side of `runOurs`). */
function measureOurs(file: string, n: number, threads: number): OurRun {
  const data = new Float32Array(readFileSync(file).buffer.slice(0));
  const stageSeconds: Record<string, number> = {};
  let stage = '';
  let stageStart = performance.now();
  let firstLayoutSeconds = NaN;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const layout = umap(
    data,
    n,
    DIM,
    { seed: 1, nEpochs: defaultEpochs(n), threads: benchThreads(threads) },
    {
      onProgress: (next) => {
        if (next === stage) return;
        const now = performance.now();
        if (stage) stageSeconds[stage] = (now - stageStart) / 1000;
        stage = next;
        stageStart = now;
      },
      onLayout: () => {
        if (Number.isNaN(firstLayoutSeconds)) firstLayoutSeconds = (performance.now() - start) / 1000;
      },
    },
  );
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  stageSeconds[stage] = (performance.now() - stageStart) / 1000;
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    firstLayoutSeconds,
    stageSeconds,
    threads,
    rssMB: peakRssMB(),
    trustworthiness: score(data, layout, n),
  };
}

/** Our run in a child process that reads the codes from a file, so its peak RSS is UMAP's alone (not MNIST pixels' PCA). */
function runOurs(data: Float32Array, n: number, threads: number): OurRun {
  const file = join(tmpdir(), `umap-bench-ours-${process.pid}.f32`);
  writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, '--child', file, String(n), '--threads', String(threads)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    });
    return JSON.parse(out.toString()) as OurRun;
  } finally {
    rmSync(file, { force: true });
  }
}

interface ReferenceRun {
  seconds: number;
  rssMB: number | null;
  trustworthiness: number;
}

/** A reference implementation on the same data, under /usr/bin/time for its peak RSS; null when it is not installed. */
function runReference(command: string, script: string, data: Float32Array, n: number): ReferenceRun | null {
  const file = join(tmpdir(), `umap-bench-${process.pid}.f32`);
  const rssFile = `${file}.rss`;
  writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  try {
    const out = execFileSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, command, resolve(__dirname, 'reference', script), file, String(n), String(DIM), String(defaultEpochs(n))], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const { seconds } = JSON.parse(out.toString().trim().split('\n').pop() as string) as { seconds: number };
    const layout = new Float32Array(readFileSync(`${file}.layout`).buffer.slice(0));
    const rssKB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
    return { seconds, rssMB: Number.isFinite(rssKB) ? rssKB / 1024 : null, trustworthiness: score(data, layout, n) };
  } catch {
    return null; // not installed (or it failed): the row says so with null
  } finally {
    for (const path of [file, `${file}.layout`, rssFile]) rmSync(path, { force: true });
  }
}

if (args[0] === '--child') {
  const threads = Number(valueOf('--threads'));
  process.stdout.write(JSON.stringify(measureOurs(args[1], Number(args[2]), threads)));
} else {
  const json = args.includes('--json');
  const withReferences = !args.includes('--no-reference');
  const threads = Number(valueOf('--threads') ?? availableParallelism());
  const flagValues = new Set([valueOf('--threads'), valueOf('--data')]);
  const sizes = args.filter((a) => /^\d+$/.test(a) && !flagValues.has(a)).map(Number);
  const names = (valueOf('--data')?.split(',') ?? Object.keys(DATASETS)) as DatasetName[];
  const results: Record<string, unknown>[] = [];
  for (const n of sizes.length > 0 ? sizes : [10000, 70000]) {
    for (const name of names) {
      const data = DATASETS[name](n);
      const ours = runOurs(data, n, threads);
      const umapLearn = withReferences ? runReference('/usr/bin/python3', 'umap_learn.py', data, n) : null;
      const uwot = withReferences ? runReference('Rscript', 'uwot.R', data, n) : null;
      const row = {
        data: name,
        n,
        dim: DIM,
        epochs: defaultEpochs(n),
        ours,
        umapLearn,
        uwot,
        speedupOverUmapLearn: umapLearn ? umapLearn.seconds / ours.seconds : null,
        speedupOverUwot: uwot ? uwot.seconds / ours.seconds : null,
      };
      results.push(row);
      // With --json, stdout carries only the final object: progress goes to stderr.
      if (json) process.stderr.write(`umap bench: ${name} ${n} done\n`);
      else console.log(JSON.stringify(row));
    }
  }
  if (json) console.log(JSON.stringify({ bench: 'umap', cores: availableParallelism(), results }));
}
