// A session that fails to open after its dataset is open (the data does not fit the model) closes
// the dataset's file: Node would otherwise print "Closing file descriptor N on garbage collection"
// after the CLI's one error line.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExplorerSession } from '../../../../src/core/session';
import { encodeNpy } from '../../../../src/core/export';
import { bundledSamplesRoot } from '../../../../src/cli/samples';

const FD_FOLDER = '/proc/self/fd';

function openFiles(): number {
  return readdirSync(FD_FOLDER).length;
}

describe('ExplorerSession.open on data that does not fit the model', () => {
  let scratch: string;
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'latent-explorer-open-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  for (const [format, write] of [
    ['NPY', (path: string) => writeFile(path, encodeNpy(Float32Array.from({ length: 40 * 13 }, (_, i) => i / 520), [40, 13]))],
    ['IDX', (path: string) => writeFile(path, Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, 40, 0, 0, 0, 10, 0, 0, 0, 10]), Buffer.alloc(40 * 100, 7)]))],
  ] as const) {
    test(`a ${format} file of the wrong item size is refused naming both sizes, and its file is closed`, async (t) => {
      if (!existsSync(FD_FOLDER)) {
        t.skip('no /proc/self/fd here to count open files');
        return;
      }
      const dataPath = join(scratch, `wrong.${format.toLowerCase()}`);
      await write(dataPath);
      const open = () => ExplorerSession.open({ view: 'explorer', modelPaths: [join(bundledSamplesRoot(), 'mnist-dense')], dataPath, backend: 'cpu' });
      // The first open also starts the backend and loads libraries, which keep their own files.
      await assert.rejects(open(), /dataset items are \d+(x\d+)? \(\d+ values\) but the model expects 784 \(784 values\)/);
      const before = openFiles();
      await assert.rejects(open(), /but the model expects 784/);
      assert.equal(openFiles(), before, 'no file left open');
    });
  }
});
