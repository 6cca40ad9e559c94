/**
 * `latent-explorer serve` against hostile clients on loopback: the real CLI on the bundled MNIST
 * sample, poked with what a page on another origin or a local process could send. Every check
 * ends by asking whether the server still answers, since "no input may end the process" is the point.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { resolve } from 'node:path';
import WebSocket from 'ws';
import { serve, CLOSED_FOR_NEWER_TAB, DEFAULT_MAX_SESSIONS, MAX_FRAME_BYTES } from '../../src/cli/serve';
import { startSessionWorker } from '../../src/worker/sessionConnection';

const repoRoot = resolve(__dirname, '..', '..');
const cli = resolve(repoRoot, 'src', 'cli', 'main.ts');
const model = resolve(repoRoot, 'sample-models', 'mnist-dense');
const data = resolve(repoRoot, 'sample-models', 'data', 'mnist-test-2000');

interface Served {
  child: ChildProcess;
  origin: string;
  token: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts the CLI's `serve --json` on a free port and reads the URL it prints. */
async function startServe(...extra: string[]): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', model, data, '--json', ...extra], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 30 s; stderr: ${stderr}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((each) => each.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolveUrl((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before printing its URL: ${stderr}`)));
  });
  const parsed = new URL(url);
  return {
    child,
    origin: parsed.origin,
    token: parsed.searchParams.get('token') ?? '',
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET on loopback, bounded by a 10 s timeout. */
function get(origin: string, path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolveReply, reject) => {
    const target = new URL(origin);
    const request = httpRequest({ hostname: target.hostname, port: target.port, path, headers, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolveReply({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
    request.end();
  });
}

/** Opens a WebSocket; resolves with it once open, or with why it was refused. */
function openSocket(url: string, options: WebSocket.ClientOptions): Promise<WebSocket | string> {
  return new Promise((resolveSocket) => {
    const socket = new WebSocket(url, { ...options, handshakeTimeout: 10_000 });
    socket.on('open', () => resolveSocket(socket));
    socket.on('unexpected-response', (_request, response) => resolveSocket(`status ${response.statusCode}`));
    socket.on('error', (error) => resolveSocket(error.message));
  });
}

/** The close code and reason a socket ends with (10 s at most). */
function closed(socket: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolveClose, reject) => {
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), 10_000);
    socket.on('error', () => {});
    socket.once('close', (code, reason) => {
      clearTimeout(timer);
      resolveClose({ code, reason: reason.toString('utf8') });
    });
  });
}

/** A frame whose JSON header is `header`, as `shared/wire.ts` lays frames out. */
function rawFrame(header: string): Buffer {
  const json = Buffer.from(header, 'utf8');
  const frame = Buffer.alloc(Math.ceil((4 + json.length) / 8) * 8);
  frame.writeUInt32LE(json.length, 0);
  json.copy(frame, 4);
  return frame;
}

describe('latent-explorer serve against hostile clients', () => {
  let served: Served;
  const wsUrl = () => `${served.origin.replace('http', 'ws')}/ws`;
  const stillServing = async () => {
    assert.equal(served.child.exitCode, null, `serve exited; stderr: ${served.stderr()}`);
    assert.equal((await get(served.origin, `/?token=${served.token}`)).status, 200);
  };

  before(async () => {
    served = await startServe();
  });
  after(async () => {
    await served.stop();
  });

  test('the printed URL carries a 256-bit url-safe token; without it, HTTP answers 403 with a page pointing at that URL', async () => {
    assert.match(served.token, /^[A-Za-z0-9_-]{43}$/);
    for (const path of ['/', '/webview.js', '/ws', '/nothing-here']) {
      const reply = await get(served.origin, path);
      assert.equal(reply.status, 403, path);
      assert.match(reply.body, /URL that <code>latent-explorer serve<\/code> printed/);
    }
  });

  test('a wrong token of the same length, a shorter one or an empty one is refused; the right one sets an HttpOnly SameSite=Strict cookie named for the port', async () => {
    const sameLength = served.token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    for (const wrong of [sameLength, served.token.slice(0, 10), '', `${served.token}x`]) {
      assert.equal((await get(served.origin, `/?token=${encodeURIComponent(wrong)}`)).status, 403, wrong);
      assert.equal((await get(served.origin, '/', { cookie: `latent-explorer-token-${new URL(served.origin).port}=${wrong}` })).status, 403, wrong);
    }
    const page = await get(served.origin, `/?token=${served.token}`);
    assert.equal(page.status, 200);
    const cookie = String(page.headers['set-cookie']);
    const port = new URL(served.origin).port;
    assert.match(cookie, new RegExp(`^latent-explorer-token-${port}=${served.token}; Path=/; HttpOnly; SameSite=Strict$`));
    const script = await get(served.origin, '/webview.js', { cookie: cookie.split(';')[0] });
    assert.equal(script.status, 200);
    assert.equal((await get(served.origin, '/webview.js', { authorization: `token ${served.token}` })).status, 200);
  });

  test('every response forbids framing and sniffing; the page sends its whole policy with frame-ancestors as a header', async () => {
    for (const path of ['/', `/?token=${served.token}`, `/webview.js?token=${served.token}`, `/missing?token=${served.token}`]) {
      const reply = await get(served.origin, path);
      assert.equal(reply.headers['x-frame-options'], 'DENY', path);
      assert.equal(reply.headers['x-content-type-options'], 'nosniff', path);
      assert.match(String(reply.headers['content-security-policy']), /frame-ancestors 'none'/, path);
    }
    const page = await get(served.origin, `/?token=${served.token}`);
    assert.match(String(page.headers['content-security-policy']), /^default-src 'none'; script-src 'nonce-[\w-]+'.*; frame-ancestors 'none'$/);
  });

  test('a WebSocket needs the token (query or cookie) as well as the right Origin', async () => {
    assert.equal(await openSocket(wsUrl(), { origin: served.origin }), 'status 403');
    assert.equal(await openSocket(`${wsUrl()}?token=${served.token.slice(1)}`, { origin: served.origin }), 'status 403');
    assert.equal(await openSocket(`${wsUrl()}?token=${served.token}`, { origin: 'http://evil.example' }), 'status 403');
    const port = new URL(served.origin).port;
    const socket = await openSocket(wsUrl(), { origin: served.origin, headers: { cookie: `latent-explorer-token-${port}=${served.token}` } });
    assert.ok(socket instanceof WebSocket, String(socket));
    socket.close();
    await closed(socket);
  });

  test('an upgrade to `//[` (a target new URL cannot parse) and a socket reset mid-upgrade leave the server running', async () => {
    const { port } = new URL(served.origin);
    for (const target of ['//[', '//[::1', 'http://%']) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => {});
      await once(socket, 'connect');
      socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${served.origin}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      await Promise.race([once(socket, 'close'), new Promise((done) => setTimeout(done, 2000))]);
      socket.destroy();
    }
    const reset = connect(Number(port), '127.0.0.1');
    reset.on('error', () => {});
    await once(reset, 'connect');
    reset.write(`GET /ws HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n`);
    reset.resetAndDestroy();
    assert.equal((await get(served.origin, `//[?token=${served.token}`)).status, 400);
    await stillServing();
  });

  test('frames that are not requests (null, an array, a number, a bad body, bad JSON, text) are answered or closed, and the server keeps running', async () => {
    const socket = await openSocket(`${wsUrl()}?token=${served.token}`, { origin: served.origin });
    assert.ok(socket instanceof WebSocket, String(socket));
    const errors: string[] = [];
    socket.on('message', (data: Buffer) => {
      const header = data.subarray(4, 4 + data.readUInt32LE(0)).toString('utf8');
      if (header.includes('"type":"error"')) errors.push(header);
    });
    const hostile = ['null', '[]', '42', '"ready"', '{"kind":"request","id":1,"type":"ready","body":null}', '{"kind":"request","id":"1","type":"ready","body":{}}', '{"kind":', '{"a":{"$typed":"constructor","offset":0,"length":1}}', '{"a":{"$typed":"Float32Array","offset":0,"length":-1}}'];
    for (const header of hostile) socket.send(rawFrame(header));
    socket.send(Buffer.from([1, 2]));
    const deadline = Date.now() + 10_000;
    while (errors.length < hostile.length + 1 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
    assert.equal(errors.length, hostile.length + 1, `one error event per malformed frame: ${errors.join(' | ')}`);
    assert.match(errors[0], /malformed message/);
    socket.send('{"kind":"request"}');
    assert.equal((await closed(socket)).code, 1003);
    await stillServing();
  });

  test(`a frame over ${MAX_FRAME_BYTES / 1024 / 1024} MiB closes its socket (1009) before it is buffered, and the server keeps running`, async () => {
    const socket = await openSocket(`${wsUrl()}?token=${served.token}`, { origin: served.origin });
    assert.ok(socket instanceof WebSocket, String(socket));
    const ending = closed(socket);
    socket.send(Buffer.alloc(MAX_FRAME_BYTES + 8));
    assert.equal((await ending).code, 1009);
    await stillServing();
  });
});

test('serve --no-token answers without a token and says on stderr what that exposes', async () => {
  const served = await startServe('--no-token');
  try {
    assert.equal(served.token, '');
    assert.match(served.stderr(), /^warning: --no-token: any program or web page on this machine can use this explorer/m);
    assert.equal((await get(served.origin, '/')).status, 200);
  } finally {
    await served.stop();
  }
});

test(`serve() keeps at most ${DEFAULT_MAX_SESSIONS} sessions: one more tab closes the oldest with a reason, and every closed socket disposes its worker`, async () => {
  let started = 0;
  let disposed = 0;
  const server = await serve({
    modelPaths: [model],
    dataPath: data,
    startSession: (options) => {
      started++;
      const connection = startSessionWorker(options);
      return { ...connection, opened: connection.opened, dispose: () => (disposed++, connection.dispose()) };
    },
  });
  const sockets: WebSocket[] = [];
  try {
    const url = `${server.origin.replace('http', 'ws')}/ws?token=${server.token}`;
    for (let i = 0; i < DEFAULT_MAX_SESSIONS; i++) {
      const socket = await openSocket(url, { origin: server.origin });
      assert.ok(socket instanceof WebSocket, String(socket));
      sockets.push(socket);
    }
    const oldestClosed = closed(sockets[0]);
    const newest = await openSocket(url, { origin: server.origin });
    assert.ok(newest instanceof WebSocket, String(newest));
    sockets.push(newest);
    const { code, reason } = await oldestClosed;
    assert.equal(code, CLOSED_FOR_NEWER_TAB);
    assert.match(reason, /newer tab \(at most 4 at once\); reload/);
    assert.equal(started, DEFAULT_MAX_SESSIONS + 1);
    assert.equal(disposed, 1);
    const secondClosed = closed(sockets[1]);
    sockets[1].close();
    await secondClosed;
    const deadline = Date.now() + 5000;
    while (disposed < 2 && Date.now() < deadline) await new Promise((done) => setTimeout(done, 20));
    assert.equal(disposed, 2, 'a tab that goes disposes its session');
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.close();
  }
  assert.equal(disposed, started, 'closing the server disposes every session');
});
