/**
 * The hostile-input corpus of issue 16, generated into a temporary folder: model folders that
 * reach outside themselves, bombs, cycles, lies about sizes, NaNs. Each case is one CLI run that
 * must end with exit 1 and one `error:` line (or exit 0 for inputs that are odd but valid), in
 * bounded time and memory, without writing anything.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { f32, gzipBomb, idxHeader, jpegClaiming, layersOf, npyBytes, pngClaiming, tinyFunctionalModel, zipBytes } from './build';

type Json = Record<string, unknown>;

export interface HostileCase {
  name: string;
  /** The folder the case owns; nothing in it may change. */
  folder: string;
  args: string[];
  /** 'error': exit 1 with one line; 'ok': exit 0 (valid input that once failed, e.g. a BOM). */
  expect: 'error' | 'ok';
  /** What the error line must say. */
  message?: RegExp;
  /** What the error line must not reveal (e.g. an outside file's size). */
  secret?: string;
}

const repoRoot = resolve(__dirname, '..', '..');
const mnistDense = join(repoRoot, 'sample-models', 'mnist-dense');
const reiinakano = resolve(repoRoot, '..', 'shared', 'fixtures', 'models', 'reiinakano-denoising-conv-ae');

/** Writes every case under `root` and returns them. */
export async function generateCorpus(root: string): Promise<HostileCase[]> {
  const cases: HostileCase[] = [];
  const add = async (name: string, build: (folder: string) => Promise<Omit<HostileCase, 'name' | 'folder'>>): Promise<void> => {
    const folder = join(root, name.replace('/', '-'));
    await mkdir(folder, { recursive: true });
    cases.push({ name, folder, ...(await build(folder)) });
  };
  await modelCases(add);
  await datasetCases(add);
  return cases;
}

type Add = (name: string, build: (folder: string) => Promise<Omit<HostileCase, 'name' | 'folder'>>) => Promise<void>;

/** Writes the tiny model into `folder/model` after `mutate`; returns the model folder. */
async function tinyModel(folder: string, mutate: (json: Json, weights: Float32Array) => void = () => undefined): Promise<string> {
  const model = join(folder, 'model');
  await mkdir(model, { recursive: true });
  const { json, weights } = tinyFunctionalModel();
  mutate(json, weights);
  await writeFile(join(model, 'model.json'), JSON.stringify(json));
  await writeFile(join(model, 'weights.bin'), f32(weights));
  return model;
}

/** 10 samples of 4 features (the tiny model's input), as .npy. */
async function tinyData(folder: string, values?: number[]): Promise<string> {
  const file = join(folder, 'x.npy');
  await writeFile(file, npyBytes('<f4', [10, 4], f32(values ?? Array.from({ length: 40 }, (_, i) => (i % 7) / 7))));
  return file;
}

function manifestOf(json: Json): Json[] {
  return json.weightsManifest as Json[];
}

async function modelCases(add: Add): Promise<void> {
  const shardPath = (path: string) => async (folder: string) => {
    const model = await tinyModel(folder, (json) => (manifestOf(json)[0]!.paths = [path]));
    return { args: ['inspect', model], expect: 'error' as const, message: /outside the model's folder/ };
  };
  await add('model/shard-path-dev-zero', shardPath('../../../../../../../../../../dev/zero'));
  await add('model/shard-path-dev-stdin', shardPath('../../../../../../../../../../dev/stdin'));
  await add('model/shard-path-absolute', shardPath('/dev/zero'));
  await add('model/shard-path-outside-file', async (folder) => {
    await mkdir(join(folder, 'outside'));
    await writeFile(join(folder, 'outside', 'secret.txt'), 'x'.repeat(4321));
    const model = await tinyModel(folder, (json) => (manifestOf(json)[0]!.paths = ['../outside/secret.txt']));
    return { args: ['inspect', model], expect: 'error', message: /outside the model's folder/, secret: '4321' };
  });
  const shardLink = (target: (folder: string) => Promise<string>, message: RegExp) => async (folder: string) => {
    const model = await tinyModel(folder);
    const link = join(model, 'weights.bin');
    await rm(link);
    await symlink(await target(folder), link);
    return { args: ['inspect', model], expect: 'error' as const, message, secret: '4321' };
  };
  await add('model/shard-symlink-dev-zero', shardLink(async () => '/dev/zero', /outside the model's folder/));
  await add('model/shard-symlink-dev-stdin', shardLink(async () => '/dev/stdin', /outside the model's folder/));
  await add(
    'model/shard-symlink-outside-file',
    shardLink(async (folder) => {
      await mkdir(join(folder, 'outside'));
      await writeFile(join(folder, 'outside', 'secret.txt'), 'x'.repeat(4321));
      return join(folder, 'outside', 'secret.txt');
    }, /outside the model's folder/),
  );
  await add('model/shard-fifo', async (folder) => {
    const model = await tinyModel(folder);
    await rm(join(model, 'weights.bin'));
    execFileSync('mkfifo', [join(model, 'weights.bin')]);
    return { args: ['inspect', model], expect: 'error', message: /not a regular file/ };
  });
  await add('model/shard-larger-than-declared', async (folder) => {
    const model = await tinyModel(folder);
    await writeFile(join(model, 'weights.bin'), Buffer.alloc(1 << 20));
    return { args: ['inspect', model], expect: 'error', message: /larger than declared/ };
  });
  await add('model/shard-truncated', async (folder) => {
    const model = await tinyModel(folder);
    await truncate(join(model, 'weights.bin'), 10);
    return { args: ['inspect', model], expect: 'error', message: /truncated/ };
  });
  await add('model/model-json-symlink-dev-zero', async (folder) => {
    await mkdir(join(folder, 'model'));
    await symlink('/dev/zero', join(folder, 'model', 'model.json'));
    return { args: ['inspect', join(folder, 'model', 'model.json')], expect: 'error', message: /regular file|empty file|not valid|cannot/i };
  });
  await add('model/model-json-bom', async (folder) => {
    const model = await tinyModel(folder);
    const text = await readFile(join(model, 'model.json'), 'utf8');
    await writeFile(join(model, 'model.json'), `\uFEFF${text}`);
    return { args: ['inspect', model], expect: 'ok' };
  });
  await add('model/model-json-deep', async (folder) => {
    await mkdir(join(folder, 'model'));
    await writeFile(join(folder, 'model', 'model.json'), `{"modelTopology": ${'['.repeat(200000)}${']'.repeat(200000)}}`);
    return { args: ['inspect', join(folder, 'model')], expect: 'error', message: /levels deep/ };
  });
  const manifest = (name: string, mutate: (group: Json) => void, message: RegExp) =>
    add(name, async (folder) => {
      const model = await tinyModel(folder, (json) => mutate(manifestOf(json)[0]!));
      return { args: ['inspect', model], expect: 'error', message };
    });
  await manifest('model/manifest-paths-not-list', (group) => (group.paths = 'weights.bin'), /paths is not a list/);
  await manifest('model/manifest-weights-not-list', (group) => (group.weights = { name: 'x' }), /weights is not a list/);
  await manifest('model/manifest-shape-not-list', (group) => ((group.weights as Json[])[0]!.shape = 8), /shape is not a list/);
  await manifest('model/manifest-huge-shape', (group) => ((group.weights as Json[])[0]!.shape = [100000, 100000]), /weight values, more than/);
  const graph = (name: string, mutate: (layers: Json[]) => void, message: RegExp) =>
    add(name, async (folder) => {
      const model = await tinyModel(folder, (json) => mutate(layersOf(json)));
      return { args: ['inspect', model], expect: 'error', message };
    });
  await graph('model/graph-cycle', (layers) => (layers[1]!.inbound_nodes = [[['output', 0, 0, {}]]]), /cycle/);
  await graph('model/graph-self-loop', (layers) => (layers[1]!.inbound_nodes = [[['code', 0, 0, {}]]]), /self-loop/);
  await graph('model/graph-missing-layer', (layers) => (layers[1]!.inbound_nodes = [[['input_9', 0, 0, {}]]]), /does not have/);
  await graph('model/graph-bad-call-index', (layers) => (layers[2]!.inbound_nodes = [[['code', 7, 0, {}]]]), /call 7/);
  await graph('model/units-huge-without-weights', (layers) => (((layers[1]!.config as Json).units = 2 ** 22)), /declares units/);
  await add('model/fixture-one-byte-in-layer-name', async (folder) => {
    await mkdir(join(folder, 'model'));
    const text = await readFile(join(reiinakano, 'model.json'), 'utf8');
    await writeFile(join(folder, 'model', 'model.json'), text.replace('"encoder", 1', '"encodfr", 1'));
    for (const shard of ['group1-shard1of1', 'group2-shard1of1']) await writeFile(join(folder, 'model', shard), await readFile(join(reiinakano, shard)));
    return { args: ['inspect', join(folder, 'model')], expect: 'error', message: /does not have/ };
  });
  await add('model/units-1000000-with-real-weights', async (folder) => {
    await mkdir(join(folder, 'model'));
    const json = JSON.parse(await readFile(join(mnistDense, 'model.json'), 'utf8')) as Json;
    ((((json.modelTopology as Json).config as Json).layers as Json[])[0]!.config as Json).units = 1000000;
    await writeFile(join(folder, 'model', 'model.json'), JSON.stringify(json));
    await writeFile(join(folder, 'model', 'weights.bin'), await readFile(join(mnistDense, 'weights.bin')));
    return { args: ['inspect', join(folder, 'model')], expect: 'error', message: /declares units 1000000/ };
  });
  await add('model/nan-weights-encode', async (folder) => {
    const model = await tinyModel(folder, (_, weights) => weights.fill(NaN));
    return { args: ['encode', model, await tinyData(folder)], expect: 'error', message: /NaN or infinite/ };
  });
  await add('model/inf-weights-project', async (folder) => {
    const model = await tinyModel(folder, (_, weights) => weights.fill(Infinity, 0, 8));
    return { args: ['project', model, await tinyData(folder), '--method', 'pca'], expect: 'error', message: /NaN or infinite/ };
  });
  await add('model/constant-codes-project', async (folder) => {
    const model = await tinyModel(folder, (_, weights) => weights.fill(0, 0, 10));
    return { args: ['project', model, await tinyData(folder), '--method', 'pca'], expect: 'error', message: /identical/ };
  });
}

async function datasetCases(add: Add): Promise<void> {
  const file = (name: string, fileName: string, bytes: () => Buffer | Uint8Array | string, message: RegExp, args: (path: string) => string[] = (path) => ['data', path]) =>
    add(name, async (folder) => {
      const path = join(folder, fileName);
      await writeFile(path, bytes());
      return { args: args(path), expect: 'error', message };
    });
  await file('data/idx-gzip-header-over-budget', 'images-idx3-ubyte.gz', () => gzipBomb(idxHeader([4000000, 28, 28]), 1 << 22), /memory budget/);
  await file('data/idx-gzip-inflates-past-header', 'images-idx3-ubyte.gz', () => gzipBomb(idxHeader([10, 28, 28]), 64 << 20), /more than .* its IDX header declares/);
  await file('data/idx-gzip-truncated', 'images-idx3-ubyte.gz', () => gzipBomb(idxHeader([1000, 28, 28]), 100), /truncated/);
  await file('data/idx-gzip-damaged', 'images-idx3-ubyte.gz', () => gzipBomb(idxHeader([1000, 28, 28]), 1000).subarray(0, 40), /damaged|truncated/);
  await file('data/idx-zero-items', 'images-idx3-ubyte', () => idxHeader([0, 28, 28]), /0 samples/);
  const x = npyBytes('<f4', [10, 4], f32(new Float32Array(40)));
  await file('data/npz-declared-bomb', 'data.npz', () => zipBytes([{ name: 'x.npy', data: x, deflate: true, declaredSize: 0xfff00000 }]), /memory budget/);
  await file('data/npz-understated-size', 'data.npz', () => zipBytes([{ name: 'x.npy', data: npyBytes('<f4', [100000, 4], new Uint8Array(1600000)), deflate: true, declaredSize: 200 }]), /./);
  await file('data/npz-crc-mismatch', 'data.npz', () => zipBytes([{ name: 'x.npy', data: x, deflate: false, crc: 0x12345678 }]), /CRC-32/);
  await file('data/npz-no-arrays', 'data.npz', () => zipBytes([{ name: 'readme.txt', data: Buffer.from('hello'), deflate: false }]), /no .npy arrays/);
  await file('data/npz-zero-items', 'data.npz', () => zipBytes([{ name: 'x.npy', data: npyBytes('<f4', [0, 4], new Uint8Array(0)), deflate: true }]), /0 samples/);
  await file('data/npy-zero-items', 'x.npy', () => npyBytes('<f4', [0, 784], new Uint8Array(0)), /0 samples/);
  await file('data/npy-negative-shape', 'x.npy', () => npyBytes('<f4', [-1, 4], new Uint8Array(16)), /bad .npy shape/);
  await file('data/npy-escape-in-header', 'x.npy', () => npyBytes('<f4\u001b]0;pwned\u0007\u001b[2J', [1, 4], new Uint8Array(16)), /dtype/);
  await file('data/json-deep-arrays', 'data.json', () => '['.repeat(300000), /levels deep/);
  await file('data/json-deep-objects', 'data.json', () => `{"meta": ${'{"a":'.repeat(300000)}`, /levels deep/);
  await file('data/labels-json-not-data', 'data.json', () => '{"labels": [1, 2, 3]}', /./);
  await add('data/csv-over-size-limit', async (folder) => {
    const path = join(folder, 'table.csv');
    await writeFile(path, 'a,b\n1,2\n');
    await truncate(path, 300 * 2 ** 20); // sparse: costs no disk
    return { args: ['data', path], expect: 'error', message: /text datasets over/ };
  });
  await add('data/png-30000x30000', async (folder) => {
    await writeFile(join(folder, 'a.png'), pngClaiming(30000, 30000));
    return { args: ['data', folder], expect: 'error', message: /30000x30000 pixels/ };
  });
  await add('data/jpeg-60000x60000', async (folder) => {
    await writeFile(join(folder, 'a.jpg'), jpegClaiming(60000, 60000));
    return { args: ['data', folder], expect: 'error', message: /pixels a dataset image may have/ };
  });
  await add('data/png-folder-over-budget', async (folder) => {
    // 5000 × 5000 passes the per-image limit; 12 such RGB images exceed the test's 256 MB budget.
    for (let i = 0; i < 12; i++) await writeFile(join(folder, `${i}.png`), pngClaiming(5000, 5000));
    return { args: ['data', folder], expect: 'error', message: /memory budget|cannot decode/ };
  });
  await add('data/npy-nan-cells-encode', async (folder) => {
    const model = await tinyModel(folder);
    const values = Array.from({ length: 40 }, (_, i) => (i % 9 === 0 ? NaN : i / 40));
    return { args: ['encode', model, await tinyData(folder, values)], expect: 'error', message: /5 of 40 input values are NaN/ };
  });
  await add('data/npy-shape-mismatch-encode', async (folder) => {
    const model = await tinyModel(folder);
    const path = join(folder, 'x.npy');
    await writeFile(path, npyBytes('<f4', [10, 5], new Uint8Array(200)));
    return { args: ['encode', model, path], expect: 'error', message: /expects/ };
  });
  await add('data/npy-4gb-sparse-mismatch', async (folder) => {
    const path = join(folder, 'x.npy');
    await writeFile(path, npyBytes('<f4', [1000000, 1000], new Uint8Array(0)));
    await truncate(path, 128 + 4e9);
    return { args: ['encode', mnistDense, path], expect: 'error', message: /expects|memory budget/ };
  });
  await add('data/npy-5m-limit-over-budget', async (folder) => {
    const path = join(folder, 'x.npy');
    await writeFile(path, npyBytes('|u1', [5000000, 784], new Uint8Array(0)));
    await truncate(path, 128 + 5000000 * 784);
    return { args: ['encode', mnistDense, path, '--limit', '1000000'], expect: 'error', message: /use --limit \d+/ };
  });
  await add('data/npy-fortran-uint8', async (folder) => {
    const path = join(folder, 'x.npy');
    const bytes = npyBytes('|u1', [3, 4], Uint8Array.from({ length: 12 }, (_, i) => i));
    await writeFile(path, Buffer.from(bytes.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "), 'latin1'));
    return { args: ['data', path], expect: 'ok' };
  });
}
