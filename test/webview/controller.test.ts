// The webview controller over a fake transport: ids, progress routing, latest wins, cancel and
// disconnect, with the host's side played as the real session plays it (a cancelled request is
// answered with a `cancelled` error; the cancel request itself is answered too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FromWebviewMessage, NeighborsResponse, RequestMessage, ToWebviewMessage } from '../../src/shared/protocol';
import type { ErrorInfo } from '../../src/shared/types';
import { createController, isCancelled, RequestError } from '../../webview/controller';
import type { Transport } from '../../webview/transport';

class FakeTransport implements Transport {
  readonly kind = 'websocket';
  readonly sent: FromWebviewMessage[] = [];
  /** Set to make `send` throw, as a closed socket does. */
  broken = false;
  private listener: (message: ToWebviewMessage) => void = () => {};
  private closeListener: (reason: string) => void = () => {};

  send(message: FromWebviewMessage): void {
    if (this.broken) throw new Error('the connection to the latent-explorer server is closed');
    this.sent.push(message);
    // The session answers a cancel at once with a `cancelled` error for its target, then the cancel.
    if (message.type === 'cancel') {
      this.deliver({ kind: 'response', id: message.body.target, type: 'neighbors', ok: false, error: { message: 'cancelled', code: 'cancelled' } });
      this.deliver({ kind: 'response', id: message.id, type: 'cancel', ok: true, body: {} });
    }
  }
  onMessage(listener: (message: ToWebviewMessage) => void): void {
    this.listener = listener;
  }
  onClose(listener: (reason: string) => void): void {
    this.closeListener = listener;
  }
  loadState<T>(): T | undefined {
    return undefined;
  }
  saveState(): void {}

  deliver(message: ToWebviewMessage): void {
    this.listener(message);
  }
  close(reason: string): void {
    this.closeListener(reason);
  }
  /** The requests of one type sent so far. */
  requests(type: string): RequestMessage[] {
    return this.sent.filter((message) => message.type === type);
  }
  answerNeighbors(id: number, index: number): void {
    const body: NeighborsResponse = { slot: 'a', index, indices: Int32Array.of(index + 1), distances: Float32Array.of(0.25) };
    this.deliver({ kind: 'response', id, type: 'neighbors', ok: true, body });
  }
}

function setUp() {
  const transport = new FakeTransport();
  const reported: { error: ErrorInfo; type?: string }[] = [];
  const controller = createController(transport, (error, type) => reported.push({ error, type }));
  return { transport, reported, controller };
}

const neighborsBody = (index: number) => ({ slot: 'a' as const, index, k: 1, metric: 'euclidean' as const });

test('a request resolves with the answer carrying its id, its progress goes to its own listener, and answers to unknown ids are ignored', async () => {
  const { transport, controller, reported } = setUp();
  const stages: string[] = [];
  const first = controller.request('neighbors', neighborsBody(3), { onProgress: (progress) => stages.push(`${progress.stage} ${progress.fraction}`) });
  const second = controller.request('neighbors', neighborsBody(5));
  const [a, b] = transport.requests('neighbors');
  assert.notEqual(a.id, b.id);
  assert.equal(controller.pendingCount, 2);
  transport.deliver({ kind: 'event', type: 'progress', requestId: a.id, stage: 'searching', fraction: 0.5 });
  transport.deliver({ kind: 'event', type: 'progress', requestId: 9999, stage: 'elsewhere', fraction: null });
  transport.answerNeighbors(b.id, 5);
  transport.answerNeighbors(a.id, 3);
  transport.answerNeighbors(12345, 0);
  assert.equal((await first).index, 3);
  assert.deepEqual(Array.from((await second).indices), [6]);
  assert.deepEqual(stages, ['searching 0.5']);
  assert.equal(controller.pendingCount, 0);
  assert.deepEqual(reported, []);
});

test('latest wins: a second request under the same key cancels the first, which rejects as cancelled without a banner', async () => {
  const { transport, controller, reported } = setUp();
  const first = controller.request('neighbors', neighborsBody(1), { key: 'neighbors-a' });
  const other = controller.request('neighbors', neighborsBody(2), { key: 'neighbors-b' });
  const second = controller.request('neighbors', neighborsBody(3), { key: 'neighbors-a' });
  const [firstMessage, otherMessage, secondMessage] = transport.requests('neighbors');
  const cancels = transport.requests('cancel');
  assert.equal(cancels.length, 1, 'only the request under the same key is cancelled');
  assert.deepEqual(cancels[0].body, { target: firstMessage.id });
  await assert.rejects(first, (error) => isCancelled(error));
  transport.answerNeighbors(secondMessage.id, 3);
  transport.answerNeighbors(otherMessage.id, 2);
  assert.equal((await second).index, 3);
  assert.equal((await other).index, 2);
  assert.deepEqual(reported, [], 'a cancellation is not an error to show');
});

test('aborting a signal sends one cancel naming the request; a signal already aborted sends nothing', async () => {
  const { transport, controller, reported } = setUp();
  const abort = new AbortController();
  const running = controller.request('neighbors', neighborsBody(4), { signal: abort.signal });
  abort.abort();
  abort.abort();
  await assert.rejects(running, (error) => error instanceof RequestError && error.code === 'cancelled');
  const [message] = transport.requests('neighbors');
  assert.deepEqual(transport.requests('cancel').map((cancel) => cancel.body), [{ target: message.id }]);
  assert.equal(controller.pendingCount, 0);

  const before = transport.sent.length;
  await assert.rejects(controller.request('neighbors', neighborsBody(5), { signal: AbortSignal.abort() }), (error) => isCancelled(error));
  assert.equal(transport.sent.length, before, 'nothing sent for a request cancelled before it started');
  assert.deepEqual(reported, []);
});

test('a host error rejects with its code and file and goes to the banner with the request type, unless the caller is silent', async () => {
  const { transport, controller, reported } = setUp();
  const shown = controller.request('neighbors', neighborsBody(1));
  const silent = controller.request('neighbors', neighborsBody(2), { silent: true });
  const [a, b] = transport.requests('neighbors');
  const error = { message: 'error: codes.npy: 3 rows, expected 10', code: 'data-fit', file: 'codes.npy' };
  transport.deliver({ kind: 'response', id: a.id, type: 'neighbors', ok: false, error });
  transport.deliver({ kind: 'response', id: b.id, type: 'neighbors', ok: false, error });
  await assert.rejects(shown, (failure) => failure instanceof RequestError && failure.code === 'data-fit' && failure.file === 'codes.npy');
  await assert.rejects(silent, /3 rows, expected 10/);
  assert.deepEqual(reported, [{ error, type: 'neighbors' }]);
});

test('a disconnect rejects every open request as disconnected and reports the reason once; a send on a closed channel rejects at once', async () => {
  const { transport, controller, reported } = setUp();
  const open = [1, 2, 3].map((index) => controller.request('neighbors', neighborsBody(index)));
  assert.equal(controller.pendingCount, 3);
  transport.close('the connection to the latent-explorer server closed (code 1006)');
  for (const request of open) await assert.rejects(request, (error) => error instanceof RequestError && error.code === 'disconnected');
  assert.equal(controller.pendingCount, 0);
  assert.deepEqual(reported, [{ error: { message: 'the connection to the latent-explorer server closed (code 1006)', code: 'disconnected' }, type: undefined }]);

  transport.broken = true;
  await assert.rejects(controller.request('neighbors', neighborsBody(4)), (error) => error instanceof RequestError && error.code === 'disconnected' && /is closed/.test(error.message));
  assert.equal(controller.pendingCount, 0);
  assert.equal(reported.length, 1, 'the failed send is not reported again: the disconnect already was');
});
