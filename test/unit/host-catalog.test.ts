import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  BROWSE_LABEL,
  datasetPickItems,
  displayPath,
  groupWorkspaceModels,
  listBundledDatasets,
  listBundledModels,
  modelPickItems,
  readmeFirstLine,
  sampleModelPath,
} from '../../src/vscode/catalog';

let root: string;

function write(path: string, text = '{}'): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'host-catalog-'));
  write(join(root, 'mnist-dense', 'model.json'));
  write(join(root, 'mnist-dense', 'README.md'), '\n# Dense MNIST autoencoder\n\nMore text.\n');
  write(join(root, 'mnist-pair', 'encoder', 'model.json'));
  write(join(root, 'mnist-pair', 'decoder', 'model.json'));
  write(join(root, 'mnist-pair', 'README.md'), '# mnist-pair: a VAE as an encoder/decoder pair\n');
  write(join(root, 'half-pair', 'encoder', 'model.json'));
  mkdirSync(join(root, 'empty'));
  write(join(root, 'data', 'mnist-test', 'README.md'), 'MNIST test images, 1000 samples');
  write(join(root, 'data', 'mnist-test', 't10k-images-idx3-ubyte'), 'x');
  write(join(root, 'data', 'iris.csv'), 'a,b');
  write(join(root, 'data', 'README.md'), 'about the data');
  write(join(root, 'data', '.hidden'), '');
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('catalog', () => {
  it('readmeFirstLine(folder) returns the first non-empty line without heading marks, or null', async () => {
    assert.equal(await readmeFirstLine(join(root, 'mnist-dense')), 'Dense MNIST autoencoder');
    assert.equal(await readmeFirstLine(join(root, 'empty')), null);
  });

  it('sampleModelPath(folder) finds model.json, or the folder of an encoder/decoder pair', () => {
    assert.equal(sampleModelPath(join(root, 'mnist-dense')), join(root, 'mnist-dense', 'model.json'));
    assert.equal(sampleModelPath(join(root, 'mnist-pair')), join(root, 'mnist-pair'));
    assert.equal(sampleModelPath(join(root, 'half-pair')), null);
    assert.equal(sampleModelPath(join(root, 'empty')), null);
  });

  it('listBundledModels(root) lists sample models by name with their README line (without a repeated name), skipping data/ and empty folders', async () => {
    assert.deepEqual(await listBundledModels(root), [
      { name: 'mnist-dense', path: join(root, 'mnist-dense', 'model.json'), description: 'Dense MNIST autoencoder' },
      { name: 'mnist-pair', path: join(root, 'mnist-pair'), description: 'a VAE as an encoder/decoder pair' },
    ]);
  });

  it('listBundledModels(root) returns [] when the samples folder does not exist', async () => {
    assert.deepEqual(await listBundledModels(join(root, 'missing')), []);
    assert.deepEqual(await listBundledDatasets(join(root, 'missing')), []);
  });

  it('listBundledDatasets(root) lists files and folders under data/ except READMEs and hidden files', async () => {
    assert.deepEqual(await listBundledDatasets(root), [
      { name: 'iris.csv', path: join(root, 'data', 'iris.csv'), description: null },
      { name: 'mnist-test', path: join(root, 'data', 'mnist-test'), description: 'MNIST test images, 1000 samples' },
    ]);
  });

  it('groupWorkspaceModels(files) joins encoder/ and decoder/ halves into their folder and keeps the rest', () => {
    const files = ['/w/b/model.json', '/w/pair/encoder/model.json', '/w/pair/decoder/model.json', '/w/lone/encoder/model.json', '/w/a/model.json'];
    assert.deepEqual(groupWorkspaceModels(files), ['/w/a/model.json', '/w/b/model.json', '/w/lone/encoder/model.json', '/w/pair']);
  });

  it('groupWorkspaceModels(files) joins ae_encoder.onnx + ae_decoder.onnx into their folder, but not beside a whole autoencoder.keras', () => {
    const files = ['/w/onnx/ae_encoder.onnx', '/w/onnx/ae_decoder.onnx', '/w/k/autoencoder.keras', '/w/k/encoder.keras', '/w/k/decoder.keras', '/w/one/model.h5'];
    assert.deepEqual(groupWorkspaceModels(files), ['/w/k/autoencoder.keras', '/w/k/decoder.keras', '/w/k/encoder.keras', '/w/one/model.h5', '/w/onnx']);
  });

  it('displayPath(path, folders) is relative inside a workspace folder, prefixed by it with several, absolute outside', () => {
    assert.equal(displayPath('/w/runs/a/model.json', ['/w']), join('runs', 'a', 'model.json'));
    assert.equal(displayPath('/v/x/model.json', ['/w', '/v']), join('v', 'x', 'model.json'));
    assert.equal(displayPath('/elsewhere/model.json', ['/w']), '/elsewhere/model.json');
    assert.equal(displayPath('/w', ['/w']), '/w');
  });

  it('modelPickItems(workspace, bundled, folders, exclude) lists workspace models then samples under separators', () => {
    const bundled = [
      { name: 'mnist-dense', path: '/ext/s/mnist-dense/model.json', description: 'Dense MNIST autoencoder' },
      { name: 'mnist-pair', path: '/ext/s/mnist-pair', description: null },
    ];
    const items = modelPickItems(['/w/runs/early/model.json', '/w/runs/final/model.json'], bundled, ['/w'], ['/w/runs/final/model.json']);
    assert.deepEqual(items, [
      { label: 'Workspace', separator: true },
      { label: 'early', description: join('runs', 'early', 'model.json'), value: '/w/runs/early/model.json' },
      { label: 'Bundled samples', separator: true },
      { label: 'mnist-dense', description: 'sample', detail: 'Dense MNIST autoencoder', value: '/ext/s/mnist-dense/model.json' },
      { label: 'mnist-pair', description: 'sample', value: '/ext/s/mnist-pair' },
    ]);
  });

  it('modelPickItems([], [], …) is empty (no separator without rows)', () => {
    assert.deepEqual(modelPickItems([], [], []), []);
  });

  it('datasetPickItems(options) offers the remembered one, the manifest default, the samples, then the dialog, each path once', () => {
    const bundled = [
      { name: 'iris.csv', path: '/ext/s/data/iris.csv', description: null },
      { name: 'mnist-test', path: '/ext/s/data/mnist-test', description: 'MNIST test images' },
    ];
    const items = datasetPickItems({
      remembered: '/w/data/mine.npy',
      manifestDefault: '/ext/s/data/mnist-test',
      bundled,
      workspaceFolders: ['/w'],
    });
    assert.deepEqual(items, [
      { label: 'mine.npy', description: 'last used with this model', detail: join('data', 'mine.npy'), value: { kind: 'path', path: '/w/data/mine.npy' } },
      { label: 'mnist-test', description: "model's default", detail: 'MNIST test images', value: { kind: 'path', path: '/ext/s/data/mnist-test' } },
      { label: 'iris.csv', description: 'sample data', value: { kind: 'path', path: '/ext/s/data/iris.csv' } },
      { label: BROWSE_LABEL, value: { kind: 'browse' } },
    ]);
    assert.equal(BROWSE_LABEL, 'Choose a folder or file…');
  });

  it('datasetPickItems(options) with nothing known offers only the dialog', () => {
    assert.deepEqual(datasetPickItems({ bundled: [], workspaceFolders: [] }), [{ label: BROWSE_LABEL, value: { kind: 'browse' } }]);
  });
});
