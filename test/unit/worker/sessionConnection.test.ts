// A session worker that dies ends every open request with an error instead of leaving the webview
// waiting: the host's connection answers each pending request with `session-crashed`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSessionWorker } from '../../../src/worker/sessionConnection';
import type { ToWebviewMessage } from '../../../src/shared/protocol';

// Stands in for sessionWorker.js: opens at once, answers request 1, and exits (as an out-of-memory
// kill or a native crash would) when request 4 arrives, with requests 2 and 3 still running.
const CRASHING_WORKER = `
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => {
  if (message.type === 'open') return parentPort.postMessage({ type: 'opened' });
  const { id, type } = message.message;
  if (id === 1) parentPort.postMessage({ type: 'message', message: { kind: 'response', id, type, ok: true, body: {} } });
  if (id === 4) process.exit(7);
});
`;

describe('startSessionWorker', () => {
  let folder: string;
  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'latent-explorer-crash-'));
    writeFileSync(join(folder, 'crashingWorker.js'), CRASHING_WORKER);
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  test('a session worker that exits ends every open request with session-crashed, once each', async () => {
    const connection = startSessionWorker({ view: 'explorer', modelPaths: ['unused'], workerScript: join(folder, 'crashingWorker.js') });
    const responses: ToWebviewMessage[] = [];
    const allAnswered = new Promise<void>((resolve) =>
      connection.onMessage((message) => {
        responses.push(message);
        if (responses.length === 4) resolve();
      }),
    );
    await connection.opened;
    connection.send({ kind: 'request', id: 1, type: 'ready', body: {} });
    connection.send({ kind: 'request', id: 2, type: 'project', body: { slot: 'a', method: 'umap', dims: 2, seed: 1, params: {} } });
    connection.send({ kind: 'request', id: 3, type: 'samples', body: { slot: 'a', indices: Int32Array.of(0), includeReconstruction: false } });
    connection.send({ kind: 'request', id: 4, type: 'column', body: { column: { kind: 'label' } } });
    await allAnswered;
    // Nothing more arrives: each request ended exactly once.
    await new Promise((resolve) => setTimeout(resolve, 200));
    connection.dispose();
    const crashed = { message: 'the session stopped unexpectedly (exit code 7)', code: 'session-crashed' };
    assert.deepEqual(responses, [
      { kind: 'response', id: 1, type: 'ready', ok: true, body: {} },
      { kind: 'response', id: 2, type: 'project', ok: false, error: crashed },
      { kind: 'response', id: 3, type: 'samples', ok: false, error: crashed },
      { kind: 'response', id: 4, type: 'column', ok: false, error: crashed },
    ]);
  });
});
