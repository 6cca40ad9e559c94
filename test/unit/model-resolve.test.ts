/**
 * detectModelFormat() on every real third-party file of the fixtures (formats read from bytes,
 * whatever the extension), resolveModelFiles() on folders, pairs and named halves, and the one
 * line given for PyTorch checkpoints and for files that are no model at all.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { ModelLoadError, detectModelFormat, resolveModelFiles } from '../../src/core/model';

const other = resolve(__dirname, '../../../shared/fixtures/models-other');
const tfjs = resolve(__dirname, '../../../shared/fixtures/models');
const at = (path: string) => join(other, path);
const scratch = mkdtempSync(join(tmpdir(), 'model-resolve-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const EXPECTED: Record<string, string> = {
  'onnx/latent-radio-fashion-pair/encoder.onnx': 'onnx',
  'onnx/latent-radio-fashion-pair/decoder.onnx': 'onnx',
  'onnx/meanzar-mnist-dense-ae/mnist_autoencoder.onnx': 'onnx',
  'onnx/pmalen-bearing-encoder-batch1/encoder.onnx': 'onnx',
  'onnx/pmalen-bearing-encoder-batch1/encoder_quant.onnx': 'onnx',
  'onnx/sehtasham-sensor-dense-ae/autoencoder.onnx': 'onnx',
  'keras3/rahulraimau-creditcard-dense-ae/autoencoder.keras': 'keras-zip',
  'keras3/mayacabral-fashion-conv-ae/autoencoder.keras': 'keras-zip',
  'keras3/mayacabral-fashion-conv-ae/encoder.keras': 'keras-zip',
  'keras3/mayacabral-fashion-conv-ae/decoder.keras': 'keras-zip',
  'keras3/janfab-fashion-vae/encoder_model.keras': 'keras-zip',
  'keras3/janfab-fashion-vae/decoder_model.keras': 'keras-zip',
  'keras3/janfab-fashion-vae/vae_model.keras': 'keras-zip',
  'keras3/ajioz-mnist-denoiser/denoising_autoencoder.keras': 'keras-zip',
  'keras3/shahd-cifar10-denoiser/denoising_autoencoder.keras': 'keras-zip',
  'keras-h5/axiomatic-mnist-dense-pair/encoder.h5': 'keras-h5',
  'keras-h5/axiomatic-mnist-dense-pair/decoder.h5': 'keras-h5',
  'keras-h5/shahd-cifar10-denoiser/denoising_autoencoder.h5': 'keras-h5',
  'keras-h5/koustav-kdd99-tabular-ae/autoencoder.keras': 'keras-h5',
  'keras-h5/psylence-fashion-denoiser-weights-json/autoencoder.json': 'keras-json',
  'keras-h5/psylence-fashion-denoiser-weights-json/model.h5': 'keras-h5',
  'pytorch/meanzar-mnist-dense-ae/mnist_autoencoder.pth': 'pytorch',
  'pytorch/mothaiba-riiid-tags-ae/autoencoder.pt': 'pytorch',
};

/** Resolves and expects the one-line ModelLoadError; returns its message. */
async function refusal(path: string, decoder?: string): Promise<string> {
  const error = await resolveModelFiles(path, decoder).then(
    () => assert.fail(`${path} resolved`),
    (caught: unknown) => caught,
  );
  assert.ok(error instanceof ModelLoadError, String(error));
  assert.ok(!error.message.includes('\n'), error.message);
  return error.message;
}

function write(name: string, bytes: Uint8Array | string): string {
  const path = join(scratch, name);
  writeFileSync(path, bytes);
  return path;
}

describe('detectModelFormat()', () => {
  for (const [path, format] of Object.entries(EXPECTED)) {
    test(`detectModelFormat(${path}) is ${format}`, async () => {
      assert.equal((await detectModelFormat(at(path))).format, format);
    });
  }

  test('detectModelFormat() reads TF.js model.json files of every kind as tfjs', async () => {
    for (const folder of ['codingtrain-dense-ae/autoencoder', 'crisp-mmae-tabular-graph', 'kozko-mnist-conv-ae', 'sandia-mnist-conv-ae/keras3-nested']) {
      assert.equal((await detectModelFormat(join(tfjs, folder, 'model.json'))).format, 'tfjs', folder);
    }
  });

  test('resolveModelFiles(TF.js folders) keeps model.json first and encoder/ + decoder/ pairs', async () => {
    assert.equal((await resolveModelFiles(join(tfjs, 'kozko-mnist-conv-ae'))).primary, join(tfjs, 'kozko-mnist-conv-ae', 'model.json'));
    const pair = await resolveModelFiles(join(tfjs, 'vae-explainer-mnist-cnn-vae-graph'));
    assert.deepEqual(pair, {
      format: 'tfjs',
      primary: join(tfjs, 'vae-explainer-mnist-cnn-vae-graph', 'encoder', 'model.json'),
      decoder: join(tfjs, 'vae-explainer-mnist-cnn-vae-graph', 'decoder', 'model.json'),
      warnings: [],
    });
  });

  test('detectModelFormat() trusts bytes over the extension: an ONNX file named .keras is onnx', async () => {
    const renamed = join(scratch, 'renamed.keras');
    copyFileSync(at('onnx/sehtasham-sensor-dense-ae/autoencoder.onnx'), renamed);
    assert.equal((await detectModelFormat(renamed)).format, 'onnx');
  });
});

describe('resolveModelFiles()', () => {
  test('resolveModelFiles(file) gives the file and its format', async () => {
    const file = at('onnx/meanzar-mnist-dense-ae/mnist_autoencoder.onnx');
    assert.deepEqual(await resolveModelFiles(file), { format: 'onnx', primary: file, warnings: [] });
  });

  test('resolveModelFiles(folder with one model file) opens that file', async () => {
    const folder = at('keras3/rahulraimau-creditcard-dense-ae');
    assert.equal((await resolveModelFiles(folder)).primary, join(folder, 'autoencoder.keras'));
  });

  test('resolveModelFiles(folder) finds an encoder/decoder file pair (ae_encoder.onnx + ae_decoder.onnx style)', async () => {
    const folder = at('onnx/latent-radio-fashion-pair');
    const found = await resolveModelFiles(folder);
    assert.deepEqual(found, { format: 'onnx', primary: join(folder, 'encoder.onnx'), decoder: join(folder, 'decoder.onnx'), warnings: [] });
    const h5 = await resolveModelFiles(at('keras-h5/axiomatic-mnist-dense-pair'));
    assert.equal(h5.format, 'keras-h5');
    assert.match(h5.decoder ?? '', /decoder\.h5$/);
  });

  test('resolveModelFiles(folder) pairs encoder_model.keras + decoder_model.keras and says what it left aside', async () => {
    const folder = at('keras3/janfab-fashion-vae');
    const found = await resolveModelFiles(folder);
    assert.equal(found.primary, join(folder, 'encoder_model.keras'));
    assert.equal(found.decoder, join(folder, 'decoder_model.keras'));
    assert.match(found.warnings.join(), /vae_model\.keras/);
  });

  test('resolveModelFiles(folder) prefers the whole autoencoder.keras over its encoder/decoder pair, with a warning', async () => {
    const folder = at('keras3/mayacabral-fashion-conv-ae');
    const found = await resolveModelFiles(folder);
    assert.equal(found.primary, join(folder, 'autoencoder.keras'));
    assert.equal(found.decoder, undefined);
    assert.match(found.warnings[0] ?? '', /encoder\.keras \+ decoder\.keras/);
  });

  test('resolveModelFiles(folder) finds *_encoder/ + *_decoder/ sub-folders', async () => {
    const folder = join(scratch, 'nested');
    mkdirSync(join(folder, 'ae_encoder'), { recursive: true });
    mkdirSync(join(folder, 'ae_decoder'), { recursive: true });
    copyFileSync(at('onnx/latent-radio-fashion-pair/encoder.onnx'), join(folder, 'ae_encoder', 'model.onnx'));
    copyFileSync(at('onnx/latent-radio-fashion-pair/decoder.onnx'), join(folder, 'ae_decoder', 'model.onnx'));
    const found = await resolveModelFiles(folder);
    assert.equal(found.primary, join(folder, 'ae_encoder', 'model.onnx'));
    assert.equal(found.decoder, join(folder, 'ae_decoder', 'model.onnx'));
  });

  test('resolveModelFiles(folder) prefers autoencoder.onnx over encoder/ + decoder/ sub-folders beside it, with a warning', async () => {
    const folder = join(scratch, 'whole-and-halves');
    mkdirSync(join(folder, 'encoder'), { recursive: true });
    mkdirSync(join(folder, 'decoder'), { recursive: true });
    copyFileSync(at('onnx/meanzar-mnist-dense-ae/mnist_autoencoder.onnx'), join(folder, 'autoencoder.onnx'));
    copyFileSync(at('onnx/latent-radio-fashion-pair/encoder.onnx'), join(folder, 'encoder', 'model.onnx'));
    copyFileSync(at('onnx/latent-radio-fashion-pair/decoder.onnx'), join(folder, 'decoder', 'model.onnx'));
    const found = await resolveModelFiles(folder);
    assert.equal(found.primary, join(folder, 'autoencoder.onnx'));
    assert.deepEqual(found.warnings, [`${folder} also holds encoder + decoder; opened the whole autoencoder.onnx (name the pair to open it instead)`]);
  });

  test('resolveModelFiles(encoder, decoder) takes two named paths and refuses an ONNX half with a Keras half', async () => {
    const encoder = at('onnx/latent-radio-fashion-pair/encoder.onnx');
    const decoder = at('onnx/latent-radio-fashion-pair/decoder.onnx');
    assert.equal((await resolveModelFiles(encoder, decoder)).decoder, decoder);
    assert.match(await refusal(encoder, at('keras-h5/axiomatic-mnist-dense-pair/decoder.h5')), /encoder is onnx but the decoder .* is keras-h5/);
  });

  test('resolveModelFiles(folder of two encoders) names them and asks which', async () => {
    assert.match(await refusal(at('onnx/pmalen-bearing-encoder-batch1')), /holds 2 model files \(encoder\.onnx, encoder_quant\.onnx\); name the one to open/);
  });

  test('resolveModelFiles(PyTorch .pth / .pt, or their folder) gives one line saying how to export to ONNX', async () => {
    for (const path of ['pytorch/meanzar-mnist-dense-ae/mnist_autoencoder.pth', 'pytorch/mothaiba-riiid-tags-ae/autoencoder.pt', 'pytorch/mothaiba-riiid-tags-ae']) {
      const message = await refusal(at(path));
      assert.match(message, /: this is a PyTorch checkpoint \(.* holds weights without the architecture\), which cannot be opened; export the model to ONNX in Python: torch\.onnx\.export\(/);
      assert.match(message, /dynamic_axes=\{"input": \{0: "batch"\}/);
    }
  });

  test('resolveModelFiles(not a model) says what the file is and what opens, never its bytes', async () => {
    const png = write('picture.onnx', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
    const npy = write('array.h5', Buffer.concat([Buffer.from('\x93NUMPY\x01\x00v\x00', 'latin1'), Buffer.from("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }")]));
    const random = write('random.keras', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 2654435761) % 251 | 0x80)));
    const text = write('notes.onnx', 'just some notes\nabout a model\n');
    const json = write('settings.json', '{"editor.fontSize": 12}');
    const truncated = write('cut.keras', Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00config.json', 'latin1'));
    const cases: [string, string][] = [
      [png, 'a PNG image'],
      [npy, 'a NumPy .npy array'],
      [random, 'an unrecognized binary file'],
      [text, 'a text file'],
      [json, 'a JSON file that is not a model'],
      [truncated, 'a damaged or truncated ZIP archive'],
    ];
    for (const [path, what] of cases) {
      const message = await refusal(path);
      assert.ok(message.startsWith(`${path}: this is ${what}`), message);
      assert.match(message, /; Latent Explorer opens TF\.js model\.json, ONNX, Keras \.keras\/\.h5$/);
    }
  });

  test('resolveModelFiles(missing path or empty folder) says so in one line', async () => {
    assert.match(await refusal(join(scratch, 'absent.onnx')), /absent\.onnx: no such file or folder$/);
    const empty = join(scratch, 'empty');
    mkdirSync(empty);
    assert.match(await refusal(empty), /holds no model\.json, \.onnx, \.keras or \.h5 file/);
  });
});
