// The session's router: one handler per session request type, host requests refused, unknown
// types refused, every request answered exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { HANDLERS, type ExplorerSession } from '../../../../src/core/session';
import { WorkerProjectionRunner } from '../../../../src/worker/projectionRunner';
import { openMnistDense } from './openSample';
import { isSessionRequestType, type FromWebviewMessage, type ToWebviewMessage } from '../../../../src/shared/protocol';

/** Sends one message through a fresh channel and resolves with the response. */
async function answer(session: ExplorerSession, message: FromWebviewMessage): Promise<ToWebviewMessage> {
  return new Promise((resolve) => {
    const channel = session.attach((reply) => {
      if (reply.kind === 'response') {
        channel.dispose();
        resolve(reply);
      }
    });
    channel.receive(message);
  });
}

describe('session router', () => {
  let session: ExplorerSession;
  before(async () => {
    // t-SNE/UMAP off this thread, so a cancel can arrive while one runs.
    session = await openMnistDense(200, new WorkerProjectionRunner(resolve(__dirname, '..', '..', '..', '..', 'src', 'worker', 'projectionWorker.ts')));
  });
  after(() => session.dispose());

  test('HANDLERS answers every request the host does not, and none it does', () => {
    const handled = Object.keys(HANDLERS);
    assert.equal(handled.length, 18);
    for (const type of handled) assert.equal(isSessionRequestType(type), true, type);
    for (const type of ['saveFile', 'openExplorer']) assert.equal(type in HANDLERS || isSessionRequestType(type), false, type);
  });

  test('saveFile and openExplorer reaching the session end with unsupported: the host answers them', async () => {
    const reply = await answer(session, { kind: 'request', id: 3, type: 'saveFile', body: { fileName: 'x.png', data: new Uint8Array(1) } });
    assert.deepEqual(reply, { kind: 'response', id: 3, type: 'saveFile', ok: false, error: { message: '"saveFile" is handled by the host, not the session', code: 'unsupported' } });
  });

  test('an unknown request type ends with unsupported, naming it', async () => {
    const unknown = JSON.parse('{"kind":"request","id":4,"type":"formatDisk","body":{}}');
    const reply = await answer(session, unknown);
    assert.equal(reply.kind === 'response' && !reply.ok && reply.error.message, 'unknown request type "formatDisk"');
  });

  test('a handler\'s error becomes the error response; a valid request its body', async () => {
    const failed = await answer(session, { kind: 'request', id: 6, type: 'column', body: { column: { kind: 'latentDimension', slot: 'a', index: 99 } } });
    assert.deepEqual(failed.kind === 'response' && !failed.ok && failed.error, { message: 'latent dimension 99 out of range 0–15', code: 'invalid-argument' });
    const ok = await answer(session, { kind: 'request', id: 7, type: 'column', body: { column: { kind: 'latentDimension', slot: 'a', index: 2 } } });
    assert.ok(ok.kind === 'response' && ok.ok && 'values' in ok.body && ok.body.values.length === 200);
  });

  test('cancel aborts the request it names, which ends with cancelled; cancel itself answers at once', async () => {
    const replies: ToWebviewMessage[] = [];
    const done = new Promise<void>((resolve) => {
      const channel = session.attach((reply) => {
        replies.push(reply);
        if (replies.filter((r) => r.kind === 'response').length === 2) {
          channel.dispose();
          resolve();
        }
      });
      channel.receive({ kind: 'request', id: 10, type: 'project', body: { slot: 'a', method: 'umap', dims: 2, seed: 1, params: {} } });
      channel.receive({ kind: 'request', id: 11, type: 'cancel', body: { target: 10 } });
    });
    await done;
    const responses = replies.filter((r) => r.kind === 'response');
    assert.deepEqual(responses[0], { kind: 'response', id: 11, type: 'cancel', ok: true, body: {} });
    assert.deepEqual(responses[1], { kind: 'response', id: 10, type: 'project', ok: false, error: { message: 'cancelled', code: 'cancelled' } });
  });
});
