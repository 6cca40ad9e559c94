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
import type { ExplorerSettings, FromWebviewMessage, ToWebviewMessage, ViewKind } from '../shared/protocol';
import type { BackendPreference } from '../shared/types';
import { decodeFrame, encodeFrame } from '../shared/wire';
import { startSessionWorker, type SessionConnection, type StartSessionOptions } from '../worker/sessionConnection';
import type { SessionRestore } from '../shared/sessionFile';
import { createNonce, renderWebviewPage } from '../vscode/html';
import { panelTitle, type PanelSessionState } from '../vscode/panelState';

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
  /** From a saved session: its sample (size and seed), view choices and selection. */
  restore?: SessionRestore;
  /** Starts the session behind one browser tab; the session worker unless a test gives its own. */
  startSession?: (options: StartSessionOptions) => SessionConnection;
}

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

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

  /** Refuses requests whose Host is not this server (DNS rebinding) and sockets from other origins. */
  const trusted = (request: IncomingMessage, checkOrigin: boolean) => {
    if (!allowedHosts.has(request.headers.host ?? '')) return false;
    if (!checkOrigin) return true;
    const from = request.headers.origin;
    return from !== undefined && [...allowedHosts].some((host) => from === `http://${host}`);
  };

  const answer = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', origin).pathname;
    if (!trusted(request, false)) {
      response.writeHead(403).end('forbidden');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/') {
      // The VS Code page, with the WebSocket back to this server as its one allowed connection.
      const page = renderWebviewPage({
        cspSource: origin,
        scriptUri: '/webview.js',
        connectSources: [origin.replace(/^http/, 'ws')],
        host: 'browser',
        nonce: createNonce(),
        title: panelTitle(session),
        session,
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
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
  const sockets = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', origin).pathname;
    if (path !== '/ws' || !trusted(request, true)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => connectClient(client));
  });

  const connections = new Set<SessionConnection>();
  const connectClient = (client: WebSocket) => {
    log(`serve: browser connected; opening ${view} on ${options.modelPaths.join(' and ')}`);
    const connection = startSession({
      view,
      modelPaths: options.modelPaths,
      dataPath: options.dataPath,
      settings,
      backend: options.backend,
    });
    connections.add(connection);
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
      if (!isBinary) return;
      let message: FromWebviewMessage;
      try {
        message = decodeFrame<FromWebviewMessage>(toBytes(data));
      } catch (error) {
        log(`serve: dropped a malformed frame: ${error instanceof Error ? error.message : String(error)}`);
        return;
      }
      if (message.type === 'ready') {
        readyId = message.id;
        if (currentStage) deliver({ kind: 'event', type: 'progress', requestId: readyId, ...currentStage });
      }
      if (message.type === 'openExplorer') {
        deliver({ kind: 'response', id: message.id, type: message.type, ok: true, body: {} });
        return; // the browser already shows this model's explorer once the page reloads in that view
      }
      connection.send(message);
    });
    client.on('close', () => {
      log('serve: browser disconnected; session closed');
      loading.dispose();
      messages.dispose();
      connection.dispose();
      connections.delete(connection);
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
  const url = `${origin}/`;
  log(`serve: listening on ${url}`);
  if (options.open) openInBrowser(url, log);

  return {
    url,
    close: () =>
      new Promise<void>((resolveClose) => {
        for (const client of sockets.clients) client.terminate();
        for (const connection of connections) connection.dispose();
        connections.clear();
        sockets.close();
        server.closeAllConnections();
        server.close(() => resolveClose());
      }),
  };
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function openInBrowser(url: string, log: (line: string) => void): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', (error) => log(`serve: could not open a browser (${command}: ${error.message}); open ${url} yourself`));
    child.unref();
  } catch (error) {
    log(`serve: could not open a browser: ${error instanceof Error ? error.message : String(error)}`);
  }
}
