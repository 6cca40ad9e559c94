import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATASET_MEMORY_KEY, DatasetMemory, type MementoLike } from '../../src/vscode/datasetMemory';
import { readHostSettings, SETTING_DEFAULTS } from '../../src/vscode/settings';

class MapMemento implements MementoLike {
  readonly values = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.values.get(key) as T | undefined;
  }
  async update(key: string, value: unknown): Promise<void> {
    // Mementos store JSON: keep a copy, as VS Code does.
    this.values.set(key, JSON.parse(JSON.stringify(value)));
  }
}

const inWorkspace = (path: string): boolean => path.startsWith('/w/');

describe('DatasetMemory', () => {
  it('remember(model, data) then recall(model) returns the latest dataset for that model', async () => {
    const memory = new DatasetMemory(new MapMemento(), new MapMemento(), inWorkspace);
    assert.equal(memory.recall('/w/a/model.json'), undefined);
    await memory.remember('/w/a/model.json', '/w/data1');
    await memory.remember('/w/b/model.json', '/w/data2');
    await memory.remember('/w/a/model.json', '/w/data3');
    assert.equal(memory.recall('/w/a/model.json'), '/w/data3');
    assert.equal(memory.recall('/w/b/model.json'), '/w/data2');
  });

  it('remember(model, data) keeps workspace models in workspace state and others in global state', async () => {
    const workspace = new MapMemento();
    const global = new MapMemento();
    const memory = new DatasetMemory(workspace, global, inWorkspace);
    await memory.remember('/w/a/model.json', '/w/data');
    await memory.remember('/ext/sample-models/mnist-dense/model.json', '/ext/sample-models/data/mnist');
    assert.deepEqual(workspace.get(DATASET_MEMORY_KEY), { '/w/a/model.json': '/w/data' });
    assert.deepEqual(global.get(DATASET_MEMORY_KEY), { '/ext/sample-models/mnist-dense/model.json': '/ext/sample-models/data/mnist' });
  });

  it('remember(model, data) beyond the limit forgets the least recently used models', async () => {
    const store = new MapMemento();
    const memory = new DatasetMemory(store, store, inWorkspace, 2);
    await memory.remember('/w/1', '/d1');
    await memory.remember('/w/2', '/d2');
    await memory.remember('/w/1', '/d1b'); // 1 is now the most recent
    await memory.remember('/w/3', '/d3');
    assert.deepEqual(Object.keys(store.get<Record<string, string>>(DATASET_MEMORY_KEY) ?? {}), ['/w/1', '/w/3']);
    assert.equal(memory.recall('/w/2'), undefined);
  });

  it('recall(model) treats malformed stored state as empty', async () => {
    const store = new MapMemento();
    const memory = new DatasetMemory(store, store, inWorkspace);
    for (const stored of [42, 'x', ['/w/a'], { '/w/a': 5 }]) {
      store.values.set(DATASET_MEMORY_KEY, stored);
      assert.equal(memory.recall('/w/a'), undefined, JSON.stringify(stored));
    }
    await memory.remember('/w/b', '/d');
    assert.deepEqual(store.get(DATASET_MEMORY_KEY), { '/w/b': '/d' });
  });

  it('new DatasetMemory(…, limit) rejects a limit that is not a positive integer', () => {
    assert.throws(() => new DatasetMemory(new MapMemento(), new MapMemento(), inWorkspace, 0), {
      message: 'limit must be a positive integer, got 0',
    });
  });
});

describe('readHostSettings', () => {
  const config = (values: Record<string, unknown>) => ({ get: <T>(key: string) => values[key] as T | undefined });

  it('readHostSettings(config) uses the defaults when nothing is set', () => {
    assert.deepEqual(readHostSettings(config({})), {
      settings: { defaultMethod: 'pca', seed: 42, sampleLimit: 5000 },
      backend: 'auto',
      problems: [],
    });
  });

  it('readHostSettings(config) passes valid values through', () => {
    const read = readHostSettings(config({ defaultProjection: 'umap', seed: 0, sampleLimit: 100000, backend: 'wasm' }));
    assert.deepEqual(read, { settings: { defaultMethod: 'umap', seed: 0, sampleLimit: 100000 }, backend: 'wasm', problems: [] });
  });

  it('readHostSettings(config) replaces invalid values by their defaults and says which', () => {
    const read = readHostSettings(config({ defaultProjection: 'lda', seed: -1, sampleLimit: 2.5, backend: 'webgl' }));
    assert.deepEqual(read.settings, { defaultMethod: SETTING_DEFAULTS.defaultProjection, seed: SETTING_DEFAULTS.seed, sampleLimit: SETTING_DEFAULTS.sampleLimit });
    assert.equal(read.backend, 'auto');
    assert.deepEqual(read.problems, [
      'latentExplorer.defaultProjection: "lda" is not valid, using "pca"',
      'latentExplorer.seed: -1 is not valid, using 42',
      'latentExplorer.sampleLimit: 2.5 is not valid, using 5000',
      'latentExplorer.backend: "webgl" is not valid, using "auto"',
    ]);
  });
});
