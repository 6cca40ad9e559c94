/**
 * Every bundled sample model loads through the core engine and reconstructs its bundled data
 * with the error its metrics.json (and README) states.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { addNoise, applyFit, openDataset, planFit } from '../../src/core/data';
import { readManifestNear, type ResolvedManifest } from '../../src/core/manifest';
import { initBackend, loadAutoencoder, resolveModelFiles, type Autoencoder } from '../../src/core/model';

const samplesRoot = resolve(__dirname, '../../sample-models');
/** Rows re-measured per model; metrics.json records `testMse500` for exactly these. */
const CHECK_ROWS = 500;
/** Backends differ in float summation order; a relative 1% bound still catches any wrong weight or scaling. */
const RELATIVE_TOLERANCE = 0.01;

interface SampleMetrics {
  testMse: number;
  testMse500: number;
  [key: string]: number;
}

const sampleNames = readdirSync(samplesRoot)
  .filter((name) => existsSync(join(samplesRoot, name, 'metrics.json')))
  .sort();

function folderBytes(folder: string): number {
  return readdirSync(folder, { withFileTypes: true }).reduce(
    (sum, entry) => sum + (entry.isDirectory() ? folderBytes(join(folder, entry.name)) : statSync(join(folder, entry.name)).size),
    0,
  );
}

function meanSquaredError(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, `reconstruction has ${b.length} values for ${a.length} inputs`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

/** The first CHECK_ROWS rows of the manifest's dataset, fitted to the model's input. */
async function bundledInputs(autoencoder: Autoencoder, manifest: ResolvedManifest): Promise<{ inputs: Float32Array; count: number }> {
  assert.ok(manifest.datasetPath, `${manifest.file} names no dataset`);
  const dataset = await openDataset(manifest.datasetPath, { labelColumn: manifest.labelColumn, labelNames: manifest.labelNames });
  try {
    const count = Math.min(CHECK_ROWS, dataset.count);
    const plan = planFit(dataset, autoencoder.inputShape, manifest.inputScaling);
    return { inputs: applyFit(plan, await dataset.read(0, count), count), count };
  } finally {
    await dataset.close();
  }
}

describe('sample-models/', () => {
  before(async () => {
    await initBackend('auto');
  });

  test('holds every sample the issue asks for, in under 15 MB', () => {
    for (const name of ['mnist-dense', 'mnist-dense-epoch1', 'mnist-conv', 'mnist-denoising', 'mnist-sparse', 'mnist-vae', 'mnist-contractive', 'fashion-dense', 'tabular-wine']) {
      assert.ok(sampleNames.includes(name), `sample-models/${name}/metrics.json is missing`);
    }
    const megabytes = folderBytes(samplesRoot) / 2 ** 20;
    assert.ok(megabytes < 15, `sample-models/ holds ${megabytes.toFixed(1)} MB`);
  });

  for (const name of sampleNames) {
    describe(name, () => {
      const folder = join(samplesRoot, name);
      const metrics = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8')) as SampleMetrics;
      let autoencoder: Autoencoder;
      let manifest: ResolvedManifest;

      before(async () => {
        autoencoder = await loadAutoencoder(folder);
        const manifestFound = await readManifestNear((await resolveModelFiles(folder)).primary);
        assert.ok(manifestFound, `${folder} has no latent-explorer.json`);
        manifest = manifestFound;
      });

      after(() => autoencoder?.dispose());

      test('loadAutoencoder(folder).reconstruct on the bundled data matches metrics.json testMse500', async () => {
        const { inputs, count } = await bundledInputs(autoencoder, manifest);
        const mse = meanSquaredError(inputs, await autoencoder.reconstruct(inputs, count));
        const relative = Math.abs(mse - metrics.testMse500) / metrics.testMse500;
        assert.ok(relative < RELATIVE_TOLERANCE, `measured MSE ${mse} vs metrics.json testMse500 ${metrics.testMse500} (${(relative * 100).toFixed(2)}% apart)`);
      });

      test('README.md states the testMse of metrics.json', () => {
        const readme = readFileSync(join(folder, 'README.md'), 'utf8');
        assert.ok(readme.includes(`| \`testMse\` | ${metrics.testMse.toPrecision(4)} |`), `README.md does not state testMse ${metrics.testMse.toPrecision(4)}`);
      });

      if (declaresTrainingNoise(folder)) {
        test('reconstructing noisy inputs (addNoise, the manifest’s trainingNoise) at least halves their error', async () => {
          const { inputs, count } = await bundledInputs(autoencoder, manifest);
          assert.ok(manifest.trainingNoise);
          const noisy = addNoise(inputs, manifest.trainingNoise, 1, [0, 1]);
          const noisyMse = meanSquaredError(inputs, noisy);
          const denoisedMse = meanSquaredError(inputs, await autoencoder.reconstruct(noisy, count));
          assert.ok(denoisedMse < noisyMse / 2, `denoised MSE ${denoisedMse} vs noisy MSE ${noisyMse}`);
        });
      }
    });
  }
});

/** Whether a sample's manifest declares training noise (decided before the tests are declared). */
function declaresTrainingNoise(folder: string): boolean {
  const file = join(folder, 'latent-explorer.json');
  return existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { trainingNoise?: unknown }).trainingNoise !== undefined;
}
