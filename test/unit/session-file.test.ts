/**
 * Saved sessions (`*.latent-session.json`): what the webview writes is read back with paths
 * resolved against the file's folder, and every malformed field is named in the error.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseSessionFile, readSessionFile, SessionFileError } from '../../src/core/sessionFile';
import { SESSION_FILE_FORMAT } from '../../src/shared/sessionFile';

const saved = {
  format: SESSION_FILE_FORMAT,
  version: 1,
  view: 'compare',
  models: ['checkpoints/epoch1/model.json', '/abs/final/model.json'],
  data: '../data/mnist',
  sampleLimit: 2000,
  seed: 7,
  ui: { method: 'umap', dims: 2, seed: 3, nNeighbors: 30, minDist: 0.2, colorBy: 'drift', baseline: false },
  selection: [12, 5, 5, 1999],
  savedAt: '2026-11-23T18:00:00.000Z',
};

describe('session files', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-session-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  test('a saved compare session reads back with relative paths resolved against its folder', () => {
    const file = '/work/project/views/pair.latent-session.json';
    const session = parseSessionFile(JSON.stringify(saved), file);
    assert.equal(session.view, 'compare');
    assert.deepEqual(session.models, ['/work/project/views/checkpoints/epoch1/model.json', '/abs/final/model.json']);
    assert.equal(session.data, '/work/project/data/mnist');
    assert.equal(session.sampleLimit, 2000);
    assert.equal(session.seed, 7);
    assert.deepEqual(session.ui, saved.ui);
    assert.deepEqual(session.selection, [5, 12, 1999], 'sorted, each sample once');
  });

  test('each malformed field gets an error naming the file and the field', () => {
    const file = '/x/broken.latent-session.json';
    const cases: [unknown, RegExp][] = [
      ['{"format": "latent-explorer-sess', /not valid JSON/],
      [[1, 2], /expected a JSON object/],
      [{ ...saved, format: 'tensorboard' }, /not a Latent Explorer session \(format is "tensorboard"/],
      [{ ...saved, version: 2 }, /version 2 is not supported/],
      [{ ...saved, view: 'inspect' }, /"view" must be "explorer" or "compare"/],
      [{ ...saved, view: 'explorer' }, /"models" must list 1 model path\(s\) for the explorer view/],
      [{ ...saved, data: '' }, /"data" must be the dataset's path/],
      [{ ...saved, sampleLimit: 0 }, /"sampleLimit" must be a positive integer/],
      [{ ...saved, seed: 'x' }, /"seed" must be an integer/],
      [{ ...saved, selection: [2000] }, /"selection" must be positions in the shown sample \(integers from 0 to 1999\)/],
      [{ ...saved, ui: { method: 'isomap' } }, /"ui.method" must be one of pca, tsne, umap, got "isomap"/],
      [{ ...saved, ui: { dims: 4 } }, /"ui.dims" must be 2 or 3/],
      [{ ...saved, ui: { perplexity: '30' } }, /"ui.perplexity" must be a number/],
      [{ ...saved, ui: { components: [0, -1] } }, /"ui.components" must be component indices/],
    ];
    for (const [content, message] of cases) {
      const text = typeof content === 'string' ? content : JSON.stringify(content);
      assert.throws(() => parseSessionFile(text, file), (error: unknown) => {
        assert.ok(error instanceof SessionFileError, String(error));
        assert.ok(error.message.startsWith(`${file}: `), error.message);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  test('readSessionFile reads from disk, and says when the file, a model or the data is not there', async () => {
    const file = join(scratch, 'explorer.latent-session.json');
    await writeFile(file, JSON.stringify({ ...saved, view: 'explorer', models: ['m/model.json'], data: 'data.npy', selection: [] }));
    await assert.rejects(readSessionFile(file), { message: `${file}: ${join(scratch, 'm', 'model.json')} does not exist; ${join(scratch, 'data.npy')} does not exist` });
    await mkdir(join(scratch, 'm'));
    await writeFile(join(scratch, 'm', 'model.json'), '{}');
    await writeFile(join(scratch, 'data.npy'), '');
    const session = await readSessionFile(file);
    assert.deepEqual(session.models, [join(scratch, 'm', 'model.json')]);
    await assert.rejects(readSessionFile(join(scratch, 'missing.latent-session.json')), /missing\.latent-session\.json: cannot read the session file \(ENOENT\)/);
  });
});
