/**
 * A collapsed encoder (every sample the same code: dead ReLUs) is reported in the summary's
 * warnings once real inputs are encoded, and its codes get no trustworthiness of 1. A decoder
 * given a dataset is refused as a decoder before any fitting.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tfl from '@tensorflow/tfjs-layers';
import { ModelLoadError, initBackend, loadAutoencoder, requireEncoder } from '../../src/core/model';
import { collapsedCodesWarning } from '../../src/core/model/collapse';
import { InProcessProjectionRunner, layoutTrustworthiness } from '../../src/core/projection';
import { ExplorerSession } from '../../src/core/session';
import { fixture, mnistImages, repoRoot, saveToScratch } from './model-helpers';

const scratch: string[] = [];
before(async () => console.log(`# backend: ${await initBackend()}`));
after(() => scratch.forEach((folder) => rmSync(folder, { recursive: true, force: true })));

describe('collapsed encoders', () => {
  test('a dense AE whose code ReLUs are dead (bias −1, zero kernel) warns after encode(), and its codes get no trustworthiness', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [784], units: 64, activation: 'relu' }),
        tfl.layers.dense({ units: 8, activation: 'relu', kernelInitializer: 'zeros', biasInitializer: tfl.initializers.constant({ value: -1 }) }),
        tfl.layers.dense({ units: 784, activation: 'sigmoid' }),
      ],
    });
    const folder = await saveToScratch(model, 'le-collapsed-');
    scratch.push(folder);
    model.dispose();
    const ae = await loadAutoencoder(folder);
    try {
      assert.doesNotMatch(ae.summary.warnings.join('\n'), /collapsed/);
      const count = 200;
      const codes = await ae.encode(mnistImages(count), count);
      assert.ok(codes.every((value) => value === 0));
      assert.match(ae.summary.warnings.join('\n'), /the encoder has collapsed: all 200 samples get the same code \(every one of its 8 values is constant, all zero: dead ReLUs\)/);
      await ae.encode(mnistImages(count), count);
      assert.equal(ae.summary.warnings.filter((warning) => warning.startsWith('the encoder has collapsed')).length, 1, 'warned once');
      const layout = Float32Array.from({ length: count * 2 }, (_, i) => Math.sin(i));
      assert.throws(() => layoutTrustworthiness(codes, layout, count, 8, 2, 1), /all 200 points of the codes are identical/);
    } finally {
      ae.dispose();
    }
  });

  test('a trained AE (codingtrain) on MNIST gets no such warning; one sample tells nothing', async () => {
    const ae = await loadAutoencoder(fixture('codingtrain-dense-ae/autoencoder'));
    try {
      await ae.encode(mnistImages(100), 100);
      assert.doesNotMatch(ae.summary.warnings.join('\n'), /collapsed/);
    } finally {
      ae.dispose();
    }
    assert.equal(collapsedCodesWarning(new Float32Array(4), 1, 4), null);
    assert.equal(collapsedCodesWarning(Float32Array.of(1, 2, 1, 2.5), 2, 2), null);
    assert.match(collapsedCodesWarning(Float32Array.of(1, 2, 1, 2), 2, 2)!, /every one of its 2 values is constant\)/);
  });
});

describe('requireEncoder', () => {
  test("a decoder given a dataset: the error says it is a decoder whose input is a 4-value code, not to resize the images", async () => {
    const decoder = await loadAutoencoder(fixture('codingtrain-dense-ae/decoder'));
    try {
      assert.throws(
        () => requireEncoder(decoder),
        (error: unknown) =>
          error instanceof ModelLoadError &&
          error.code === 'model-unsupported' &&
          /decoder\/model\.json: this model is a decoder: its input is a code of 4 values \(4\), not a dataset sample, so it cannot encode the dataset/.test(error.message) &&
          !/resize/.test(error.message),
      );
    } finally {
      decoder.dispose();
    }
    const whole = await loadAutoencoder(fixture('codingtrain-dense-ae/autoencoder'));
    requireEncoder(whole);
    whole.dispose();
  });

  test('an explorer session of the decoder on MNIST fails with that line, not with fit advice', async () => {
    await assert.rejects(
      ExplorerSession.open({
        view: 'explorer',
        modelPaths: [fixture('codingtrain-dense-ae/decoder')],
        dataPath: join(repoRoot, 'sample-models/data/mnist-test-2000'),
        settings: { sampleLimit: 50, seed: 3 },
        runner: new InProcessProjectionRunner(),
      }),
      /this model is a decoder: its input is a code of 4 values/,
    );
  });
});
