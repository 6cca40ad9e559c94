/**
 * `npm run fuzz [-- --cases N --seed S]`: mutates real models and datasets (the bundled samples,
 * the third-party fixtures in ../shared/fixtures) with a fixed seed and runs the real CLI on each
 * mutant under the hostile corpus's limits. It reports every case that hangs, crashes, prints a
 * stack or more than one error line, grows past the memory ceiling, or writes into its folder.
 * Not part of CI: a few thousand cases take most of an hour on two cores.
 */
import { cp, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createRng, type Rng } from '../src/core/compute/random';
import { changedPaths, runCli, snapshot, type RunResult } from '../test/hostile/run';

const repoRoot = resolve(__dirname, '..');
const fixtures = resolve(repoRoot, '..', 'shared', 'fixtures');
const LIMITS = { timeoutMs: 30_000, heapMb: 512, budgetMb: 256 };
const RSS_CEILING_MB = 900;

/** A seed input: a folder (or file) to copy, the file in it to mutate, and the CLI call to run on the copy. */
interface Seed {
  name: string;
  source: string;
  target: string;
  args: (copy: string) => string[];
}

const mnist = join(repoRoot, 'sample-models', 'data', 'mnist-test-2000');
const SEEDS: Seed[] = [
  { name: 'tfjs model.json', source: 'sample-models/mnist-dense', target: 'model.json', args: (copy) => ['inspect', copy] },
  { name: 'tfjs weights', source: 'sample-models/mnist-dense', target: 'weights.bin', args: (copy) => ['reconstruct', copy, mnist, '--limit', '200'] },
  { name: 'tfjs conv model.json', source: 'sample-models/mnist-conv', target: 'model.json', args: (copy) => ['inspect', copy] },
  { name: 'graph model.json', source: `${fixtures}/models/vae-explainer-mnist-cnn-vae-graph`, target: 'encoder/model.json', args: (copy) => ['inspect', copy] },
  { name: 'ONNX', source: `${fixtures}/models-other/onnx/meanzar-mnist-dense-ae`, target: 'mnist_autoencoder.onnx', args: (copy) => ['inspect', copy] },
  { name: 'Keras zip', source: `${fixtures}/models-other/keras3/rahulraimau-creditcard-dense-ae`, target: 'autoencoder.keras', args: (copy) => ['inspect', copy] },
  { name: 'Keras HDF5', source: `${fixtures}/models-other/keras-h5/koustav-kdd99-tabular-ae`, target: 'autoencoder.keras', args: (copy) => ['inspect', copy] },
  { name: 'IDX images', source: 'sample-models/data/mnist-test-2000', target: 't10k-images-idx3-ubyte', args: (copy) => ['data', copy, '--json'] },
  { name: 'IDX labels', source: 'sample-models/data/mnist-test-2000', target: 't10k-labels-idx1-ubyte', args: (copy) => ['data', copy, '--json'] },
  { name: 'CSV', source: 'sample-models/data/wine', target: 'wine.csv', args: (copy) => ['data', join(copy, 'wine.csv'), '--json'] },
];

type Mutation = (bytes: Uint8Array, rng: Rng) => { bytes: Uint8Array; what: string };

/** Byte-level and structure-aware mutations, weighted toward the file's head where headers live. */
const MUTATIONS: Mutation[] = [
  (bytes, rng) => {
    const out = bytes.slice();
    const flips = 1 + rng.nextInt(8);
    for (let i = 0; i < flips; i++) out[position(bytes, rng)] ^= 1 << rng.nextInt(8);
    return { bytes: out, what: `${flips} bit flip(s)` };
  },
  (bytes, rng) => {
    const at = position(bytes, rng);
    return { bytes: bytes.slice(0, at), what: `truncated at ${at}` };
  },
  (bytes, rng) => {
    const out = bytes.slice();
    const at = position(bytes, rng);
    const value = [0x00, 0xff, 0x7f, 0x80][rng.nextInt(4)]!;
    out.fill(value, at, Math.min(out.length, at + 1 + rng.nextInt(16)));
    return { bytes: out, what: `bytes set to ${value} at ${at}` };
  },
  (bytes, rng) => {
    // Numbers in a text file: a value made huge, negative or not a number.
    const text = new TextDecoder().decode(bytes);
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
    if (!numbers.length) return { bytes, what: 'unchanged (no numbers)' };
    const pick = numbers[rng.nextInt(numbers.length)]!;
    const replacement = ['1e9', '-1', '0', 'NaN', '99999999999', '"x"', 'null', '[]'][rng.nextInt(8)]!;
    const mutated = text.slice(0, pick.index) + replacement + text.slice(pick.index! + pick[0].length);
    return { bytes: new TextEncoder().encode(mutated), what: `number ${pick[0]} → ${replacement}` };
  },
  (bytes, rng) => {
    const out = new Uint8Array(bytes.length + 64);
    const at = position(bytes, rng);
    out.set(bytes.subarray(0, at));
    for (let i = 0; i < 64; i++) out[at + i] = rng.nextInt(256);
    out.set(bytes.subarray(at), at + 64);
    return { bytes: out, what: `64 random bytes inserted at ${at}` };
  },
];

/** Half the positions fall in the first 1 KiB, where formats keep their headers and sizes. */
function position(bytes: Uint8Array, rng: Rng): number {
  if (bytes.length === 0) return 0;
  return rng.next() < 0.5 ? rng.nextInt(Math.min(1024, bytes.length)) : rng.nextInt(bytes.length);
}

interface Finding {
  seed: string;
  mutation: string;
  problem: string;
  stderr: string;
}

function judge(result: RunResult, changed: string[]): string | null {
  if (result.timedOut) return `hang (killed after ${LIMITS.timeoutMs / 1000} s)`;
  if (result.code !== 0 && result.code !== 1) return `exit code ${result.code} (crash)`;
  if (/^\s+at .+:\d+:\d+\)?$/m.test(result.stderr)) return 'stack trace';
  const lines = result.stderr.split('\n').filter((line) => line.trim() && !line.startsWith('warning:') && !line.startsWith('note:'));
  if (result.code === 1 && (lines.length !== 1 || !lines[0]!.startsWith('error: '))) return `${lines.length} stderr lines instead of one error line`;
  if (result.peakRssMb !== null && result.peakRssMb > RSS_CEILING_MB) return `peak RSS ${result.peakRssMb.toFixed(0)} MB`;
  if (changed.length) return `wrote ${changed.map((path) => basename(path)).join(', ')}`;
  return null;
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const total = option('--cases', 500);
  const seed = option('--seed', 1);
  const rng = createRng(seed);
  const root = await mkdtemp(join(tmpdir(), 'latent-explorer-fuzz-'));
  const seeds: Seed[] = [];
  for (const entry of SEEDS) {
    if (await stat(resolve(repoRoot, entry.source)).then(() => true, () => false)) seeds.push(entry);
  }
  const findings: Finding[] = [];
  const outcomes = { error: 0, ok: 0 };
  const started = performance.now();
  try {
    for (let n = 0; n < total; n++) {
      const entry = seeds[n % seeds.length]!;
      const copy = join(root, `case-${n}`);
      await mkdir(copy);
      await cp(resolve(repoRoot, entry.source), copy, { recursive: true });
      const file = join(copy, entry.target);
      const mutated = MUTATIONS[rng.nextInt(MUTATIONS.length)]!(new Uint8Array(await readFile(file)), rng);
      await truncate(file, 0);
      await writeFile(file, mutated.bytes);
      const before = await snapshot(copy);
      const result = await runCli(entry.args(copy), LIMITS);
      const problem = judge(result, changedPaths(before, await snapshot(copy)));
      if (problem) {
        findings.push({ seed: entry.name, mutation: mutated.what, problem, stderr: result.stderr.slice(0, 400) });
        // Printed as found too, so a run stopped early still names what it found.
        process.stderr.write(`fuzz: case ${n} (${entry.name}, ${mutated.what}): ${problem}\n`);
      }
      else outcomes[result.code === 0 ? 'ok' : 'error']++;
      await rm(copy, { recursive: true, force: true });
      if ((n + 1) % 50 === 0) process.stderr.write(`fuzz: ${n + 1}/${total} cases, ${findings.length} finding(s)\n`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  const minutes = (performance.now() - started) / 60_000;
  console.log(`fuzz: ${total} cases (seed ${seed}) in ${minutes.toFixed(1)} min: ${outcomes.ok} opened, ${outcomes.error} refused with one error line, ${findings.length} finding(s)`);
  for (const finding of findings) console.log(`- ${finding.seed}, ${finding.mutation}: ${finding.problem}\n  ${finding.stderr.replace(/\n/g, '\n  ')}`);
  process.exitCode = findings.length ? 1 : 0;
}

void main();
