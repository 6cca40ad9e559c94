/**
 * `latent-explorer serve`: the explorer webview in a browser. An HTTP server on 127.0.0.1 sends the
 * page and the webview bundle; each browser tab opens a WebSocket and gets its own session worker,
 * disposed when the tab goes. Messages cross as binary frames (`shared/wire.ts`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { isHostRequest, type ExplorerSettings, type FromWebviewMessage, type ToWebviewMessage, type ViewKind } from '../shared/protocol';
import type { BackendPreference } from '../shared/types';
import { decodeFrame, encodeFrame } from '../shared/wire';
import { startSessionWorker, type SessionConnection, type StartSessionOptions } from '../worker/sessionConnection';
import type { SessionOptions } from '../shared/workerProtocol';
import type { SessionRestore } from '../shared/sessionFile';
import { contentSecurityPolicy, createNonce, renderWebviewPage } from '../host/html';
import { accessCheck, createAccessToken, FORBIDDEN_PAGE, PROTECTIVE_HEADERS, type AccessCheck } from './serveAccess';
import { panelTitle, type PanelSessionState } from '../host/panelState';

export interface ServeOptions {
  modelPaths: string[];
  dataPath?: string;
  /** 0 (the default) picks any free port. */
  port?: number;
  /** Only loopback: the page gives whoever reaches it the models and data. */
  host?: '127.0.0.1';
  view?: ViewKind;
  /** Open the page in the default browser. */
  open?: boolean;
  log?: (line: string) => void;
  settings?: Partial<ExplorerSettings>;
  backend?: BackendPreference;
  /** CSV label column, overriding the manifest's. */
  labelColumn?: string;
  /** Embeddings opened without a model (`serve --codes FILE`); `modelPaths` is then empty. */
  embeddings?: Pick<SessionOptions, 'codesPath' | 'metadataPath' | 'embeddingColumn' | 'embeddingColumns'>;
  /** From a saved session: its sample (size and seed), view choices and selection. */
  restore?: SessionRestore;
  /** Starts the session behind one browser tab; the session worker unless a test gives its own. */
  startSession?: (options: StartSessionOptions) => SessionConnection;
  /** Ask every request for the token (the default); false only for `--no-token`. */
  requireToken?: boolean;
  /** Browser tabs with a session at once; opening one more closes the oldest. */
  maxSessions?: number;
}

export interface RunningServer {
  /** The page's address, with `?token=…` unless the token is off: the one URL to open. */
  url: string;
  /** `http://127.0.0.1:PORT`, without the token. */
  origin: string;
  /** null when the token is off. */
  token: string | null;
  close(): Promise<void>;
}

/**
 * Sessions at once: each holds a worker, the model and the dataset's codes (80 MB or more), so
 * pages opened in a loop (40 iframes reached 3.2 GB and 91 threads) must not add up without limit.
 */
export const DEFAULT_MAX_SESSIONS = 4;

/**
 * The largest frame a page may send. Requests are small except their index lists: 16 MiB holds a
 * selection of 4M samples, past any layout the explorer draws; `ws` refuses larger frames before
 * buffering them (its default, 100 MiB, or the 256 MiB used before, let one frame cost that much).
 */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** WebSocket close code (application range) for a tab closed because a newer one took its place. */
export const CLOSED_FOR_NEWER_TAB = 4001;

/** Where the built webview bundle lies: beside this file in dist/, or in dist/ when run from source. */
function webviewBundlePath(): string {
  const candidates = [join(__dirname, 'webview.js'), resolve(__dirname, '../../dist/webview.js')];
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error(`the webview bundle is missing (looked for ${candidates.join(' and ')}): run \`npm run build\``);
  return found;
}

/** The bundle carries its CSS (injected as a stylesheet), so these two files are all the page loads. */
const STATIC_FILES: Record<string, { suffix: string; type: string }> = {
  '/webview.js': { suffix: '', type: 'text/javascript; charset=utf-8' },
  '/webview.js.map': { suffix: '.map', type: 'application/json; charset=utf-8' },
};

/** Starts the server; resolves once it listens. */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? (() => {});
  const view = options.view ?? (options.modelPaths.length === 2 ? 'compare' : 'explorer');
  const session: PanelSessionState = { view, modelPaths: options.modelPaths, dataPath: options.dataPath, ...(options.restore ? { restore: options.restore } : {}) };
  const settings = options.restore ? { ...options.settings, sampleLimit: options.restore.sampleLimit, seed: options.restore.seed } : options.settings;
  const startSession = options.startSession ?? startSessionWorker;
  const bundle = webviewBundlePath();
  let origin = '';
  const allowedHosts = new Set<string>();
  const token = options.requireToken === false ? null : createAccessToken();
  // Made once the port is known (the cookie's name carries it).
  let access: AccessCheck | null = null;
  const maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;

  /** Refuses requests whose Host is not this server (DNS rebinding) and sockets from other origins. */
  const trusted = (request: IncomingMessage, checkOrigin: boolean) => {
    if (!allowedHosts.has(request.headers.host ?? '')) return false;
    if (!checkOrigin) return true;
    const from = request.headers.origin;
    return from !== undefined && [...allowedHosts].some((host) => from === `http://${host}`);
  };

  /** Whether the request shows the token (always, when it is off); sets the cookie on a page load that brought it in the URL. */
  const admitted = (request: IncomingMessage, query: URLSearchParams, response?: ServerResponse) => {
    if (!access) return token === null;
    const grantedBy = access.grantedBy(request, query);
    if (grantedBy !== null && grantedBy !== 'cookie') response?.setHeader('set-cookie', access.cookie);
    return grantedBy !== null;
  };

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    for (const [name, value] of Object.entries(PROTECTIVE_HEADERS)) if (value !== undefined) response.setHeader(name, value);
    const target = requestTarget(request.url);
    if (!target) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('bad request');
      return;
    }
    const path = target.pathname;
    if (!trusted(request, false)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    if (!admitted(request, target.searchParams, response)) {
      response.writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(FORBIDDEN_PAGE);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/') {
      // The VS Code page, with the WebSocket back to this server as its one allowed connection.
      const nonce = createNonce();
      const connectSources = [origin.replace(/^http/, 'ws')];
      const page = renderWebviewPage({ cspSource: origin, scriptUri: '/webview.js', connectSources, host: 'browser', nonce, title: panelTitle(session), session });
      // The page's policy again as a header, now with frame-ancestors (ignored in <meta>; VS Code frames its webviews, so only here).
      const policy = `${contentSecurityPolicy(origin, nonce, connectSources)}; frame-ancestors 'none'`;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-security-policy': policy }).end(page);
      return;
    }
    if (path === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const file = STATIC_FILES[path];
    if (file) {
      try {
        const body = await readFile(bundle + file.suffix);
        response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' }).end(body);
      } catch {
        response.writeHead(404).end('not found');
      }
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end(`not found: ${path}`);
  };

  const server = createServer((request, response) => {
    answer(request, response).catch((error: unknown) => {
      log(`serve: ${request.url}: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
    });
  });
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  server.on('upgrade', (request, socket, head) => {
    // A reset before `ws` takes the socket over must not become an unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    try {
      const target = requestTarget(request.url);
      if (target?.pathname !== '/ws' || !trusted(request, true) || !admitted(request, target.searchParams)) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(request, socket, head, (client) => connectClient(client));
    } catch (error) {
      log(`serve: refused an upgrade: ${error instanceof Error ? error.message : String(error)}`);
      socket.destroy();
    }
  });

  /** Open tabs, oldest first, each with the function that ends its session. */
  const tabs = new Map<WebSocket, () => void>();
  const connectClient = (client: WebSocket) => {
    for (const [oldest, end] of tabs) {
      if (tabs.size < maxSessions) break;
      end();
      // The page shows the close reason (webview/transport.ts); at most 123 bytes.
      oldest.close(CLOSED_FOR_NEWER_TAB, `closed: the explorer opened in a newer tab (at most ${maxSessions} at once); reload to use it here`);
    }
    log(`serve: browser connected; opening ${view} on ${options.embeddings?.codesPath ?? options.modelPaths.join(' and ')}`);
    const connection = startSession({
      view,
      modelPaths: options.modelPaths,
      dataPath: options.dataPath,
      settings,
      backend: options.backend,
      labelColumn: options.labelColumn,
      ...options.embeddings,
    });
    const deliver = (message: ToWebviewMessage) => {
      if (client.readyState === client.OPEN) client.send(encodeFrame(message));
    };
    // Loading (reading, encoding…) happens before `ready` can be answered: show it as that request's
    // progress, starting with the stage already under way when the page asks.
    let readyId: number | null = null;
    let currentStage: { stage: string; fraction: number | null } | null = null;
    const loading = connection.onLoading((stage, fraction) => {
      currentStage = { stage, fraction };
      if (readyId !== null) deliver({ kind: 'event', type: 'progress', requestId: readyId, stage, fraction });
    });
    const messages = connection.onMessage((message) => {
      if (message.kind === 'response' && message.id === readyId) readyId = null;
      deliver(message);
    });
    connection.opened.then(
      () => {
        currentStage = null;
        log('serve: session ready');
      },
      (error: unknown) => log(`serve: the session could not open: ${error instanceof Error ? error.message : String(error)}`),
    );
    client.on('message', (data: RawData, isBinary: boolean) => {
      if (!isBinary) {
        client.close(1003, 'binary frames only');
        return;
      }
      const message = readRequest(toBytes(data));
      if (typeof message === 'string') {
        log(`serve: dropped a malformed frame: ${message}`);
        deliver({ kind: 'event', type: 'error', error: { message: `the server dropped a malformed message: ${message}`, code: 'invalid-argument' } });
        return;
      }
      if (message.type === 'ready') {
        readyId = message.id;
        if (currentStage) deliver({ kind: 'event', type: 'progress', requestId: readyId, ...currentStage });
      }
      if (isHostRequest(message)) {
        // openExplorer: the browser already shows this model's explorer once the page reloads in that
        // view. saveFile: the page downloads files itself; there is no save dialog here to answer it.
        if (message.type === 'openExplorer') deliver({ kind: 'response', id: message.id, type: message.type, ok: true, body: {} });
        else deliver({ kind: 'response', id: message.id, type: message.type, ok: false, error: { message: 'saveFile: serve has no save dialog; the page downloads files itself', code: 'unsupported' } });
        return;
      }
      connection.send(message);
    });
    const end = () => {
      if (!tabs.delete(client)) return;
      loading.dispose();
      messages.dispose();
      connection.dispose();
      log('serve: browser disconnected; session closed');
    };
    tabs.set(client, end);
    client.on('close', end);
    // `ws` reports a bad frame (too large, invalid UTF-8, bad opcode) here, then closes the socket.
    client.on('error', (error) => {
      log(`serve: closing a WebSocket: ${error.message}`);
      end();
    });
  };

  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  origin = `http://${host}:${actualPort}`;
  allowedHosts.add(`${host}:${actualPort}`).add(`localhost:${actualPort}`);
  if (token !== null) access = accessCheck(token, actualPort);
  const url = token === null ? `${origin}/` : `${origin}/?token=${token}`;
  log(`serve: listening on ${origin}/`);
  if (options.open) openInBrowser(url, log);

  return {
    url,
    origin,
    token,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const end of [...tabs.values()]) end();
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

/** The request's path and query, or null when its target is not a URL at all (`//[`). */
function requestTarget(target: string | undefined): URL | null {
  try {
    // Resolved against a fixed base: only the path and query are read, never the host.
    return new URL(target ?? '/', 'http://serve.invalid');
  } catch {
    return null;
  }
}

/** A frame's request, or why it is not one. Only the envelope is checked here; the session checks bodies. */
function readRequest(bytes: Uint8Array): FromWebviewMessage | string {
  let decoded: unknown;
  try {
    decoded = decodeFrame<unknown>(bytes);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  return isRequestEnvelope(decoded) ? decoded : 'expected {kind: "request", id, type, body}';
}

function isRequestEnvelope(value: unknown): value is FromWebviewMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { kind, id, type, body } = value as Record<string, unknown>;
  return kind === 'request' && Number.isSafeInteger(id) && typeof type === 'string' && typeof body === 'object' && body !== null && !Array.isArray(body);
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/**
 * The system's opener (xdg-open, open, explorer), when a browser can be shown: on Linux without a
 * display (a server, ssh, a container) xdg-open would fall back to a text browser in this terminal
 * or fail, so the URL printed on stdout is the way in there.
 */
function openInBrowser(url: string, log: (line: string) => void): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const yourself = `open ${url} yourself`;
  if (command === 'xdg-open' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY && !process.env.BROWSER) {
    log(`serve: --open: no display to show a browser on (DISPLAY and WAYLAND_DISPLAY unset); ${yourself}`);
    return;
  }
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', (error) => log(`serve: could not open a browser (${command}: ${error.message}); ${yourself}`));
    child.on('exit', (code) => {
      if (code) log(`serve: could not open a browser (${command} exited with status ${code}); ${yourself}`);
    });
    child.unref();
  } catch (error) {
    log(`serve: could not open a browser: ${error instanceof Error ? error.message : String(error)}; ${yourself}`);
  }
}
