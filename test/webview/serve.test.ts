import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import type { ReadyResponse, ToWebviewMessage } from '../../src/shared/protocol';
import { decodeFrame, encodeFrame } from '../../src/shared/wire';
import { startHarnessServer } from './browser';

/** GET with an arbitrary Host header (fetch does not allow setting it). */
function get(url: string, host?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest({ hostname: target.hostname, port: target.port, path: target.pathname + target.search, headers: host ? { host } : {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

test('serve() answers on 127.0.0.1 with the webview page: nonce-only scripts, a WebSocket connect-src, the session in data-session', async () => {
  const server = await startHarnessServer({}, ['/models/a/model.json']);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    const page = await get(server.url);
    assert.equal(page.status, 200);
    const nonce = /<script nonce="([^"]+)" src="\/webview\.js">/.exec(page.body)?.[1];
    assert.ok(nonce, 'the bundle is loaded with a nonce');
    const policy = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(page.body)?.[1].replace(/&#39;/g, "'") ?? '';
    assert.match(policy, new RegExp(`script-src 'nonce-${nonce}'`));
    assert.match(policy, new RegExp(`connect-src ${server.origin.replace('http', 'ws')}`));
    assert.match(policy, /default-src 'none'/);
    assert.match(page.body, /data-session="\{&#34;view&#34;:&#34;explorer&#34;,&#34;modelPaths&#34;:\[&#34;\/models\/a\/model.json&#34;\]/);
    const script = await get(`${server.origin}/webview.js?token=${server.token}`);
    assert.equal(script.status, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal((await get(`${server.origin}/../../etc/passwd?token=${server.token}`)).status, 404);
  } finally {
    await server.close();
  }
});

test('serve() refuses a foreign Host header (DNS rebinding) and WebSockets from another origin', async () => {
  const server = await startHarnessServer();
  try {
    assert.equal((await get(server.url, 'evil.example:80')).status, 403);
    const socketUrl = `${server.origin.replace('http', 'ws')}/ws?token=${server.token}`;
    const refused = await new Promise<string>((resolve) => {
      const socket = new WebSocket(socketUrl, { origin: 'http://evil.example' });
      socket.on('open', () => resolve('open'));
      socket.on('error', (error) => resolve(error.message));
      socket.on('unexpected-response', (_request, response) => resolve(`status ${response.statusCode}`));
    });
    assert.notEqual(refused, 'open');
  } finally {
    await server.close();
  }
});

test('serve() relays requests over the WebSocket as binary frames: ready answers with typed labels, unknown requests with an error', async () => {
  const server = await startHarnessServer();
  const origin = server.origin;
  const socket = new WebSocket(`${origin.replace('http', 'ws')}/ws?token=${server.token}`, { origin });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.on('open', () => resolve());
      socket.on('error', reject);
    });
    const responses = new Map<number, ToWebviewMessage>();
    const waitFor = (id: number) =>
      new Promise<ToWebviewMessage>((resolve) => {
        const check = () => (responses.has(id) ? resolve(responses.get(id)!) : setTimeout(check, 20));
        check();
      });
    socket.on('message', (data: Buffer) => {
      const message = decodeFrame<ToWebviewMessage>(data);
      if (message.kind === 'response') responses.set(message.id, message);
    });
    socket.send(encodeFrame({ kind: 'request', id: 1, type: 'ready', body: {} }));
    const ready = await waitFor(1);
    assert.ok(ready.kind === 'response' && ready.ok);
    const body = (ready as { body: ReadyResponse }).body;
    assert.ok(body.labels instanceof Int32Array);
    assert.equal(body.labels.length, body.dataset?.shownCount);

    socket.send(encodeFrame({ kind: 'request', id: 2, type: 'samples', body: { slot: 'a', indices: Int32Array.of(0, 5), includeReconstruction: true } }));
    const samples = await waitFor(2);
    assert.ok(samples.kind === 'response' && samples.ok && samples.type === 'samples');
    const sampleBody = samples.body as { originals: Float32Array; errors: Float32Array };
    assert.equal(sampleBody.originals.length, 2 * 784);
    assert.ok(sampleBody.errors[0] > 0);

    socket.send(encodeFrame({ kind: 'request', id: 3, type: 'project', body: { slot: 'a', method: 'umap', dims: 2, seed: 1, params: {} } }));
    const failed = await waitFor(3);
    assert.ok(failed.kind === 'response' && !failed.ok);
    assert.match((failed as { error: { message: string } }).error.message, /PCA only, not umap/);
  } finally {
    socket.close();
    await server.close();
  }
});
