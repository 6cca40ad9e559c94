/**
 * How the webview reaches its host: `postMessage` inside VS Code, a WebSocket in `serve` mode.
 * Everything above this file sees one interface and never knows which it has.
 */
import type { FromWebviewMessage, ToWebviewMessage } from '../src/shared/protocol';
import { decodeFrame, encodeFrame } from '../src/shared/wire';

/** A message channel to the host, plus a place to keep UI state across reloads. */
export interface Transport {
  send(message: FromWebviewMessage): void;
  onMessage(listener: (message: ToWebviewMessage) => void): void;
  /** Called once if the channel closes for good (serve mode: the server went away). */
  onClose(listener: (reason: string) => void): void;
  loadState<T>(): T | undefined;
  saveState(state: unknown): void;
  readonly kind: 'vscode' | 'websocket';
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Inside VS Code: typed arrays pass through postMessage as they are; state goes to getState/setState. */
function vsCodeTransport(): Transport {
  const api = acquireVsCodeApi();
  return {
    kind: 'vscode',
    send: (message) => api.postMessage(message),
    onMessage: (listener) => window.addEventListener('message', (event: MessageEvent) => listener(event.data as ToWebviewMessage)),
    onClose: () => {},
    loadState: <T>() => (api.getState() ?? undefined) as T | undefined,
    saveState: (state) => api.setState(state),
  };
}

const STATE_KEY = 'latent-explorer-state';

/** In a browser (serve mode): binary frames over a WebSocket to the page's own origin. */
function webSocketTransport(url: string): Transport {
  const socket = new WebSocket(url);
  socket.binaryType = 'arraybuffer';
  // Requests made before the socket opens (the ready handshake) wait here.
  const queued: Uint8Array[] = [];
  const closeListeners: ((reason: string) => void)[] = [];
  socket.addEventListener('open', () => {
    for (const frame of queued.splice(0)) socket.send(frame);
  });
  socket.addEventListener('close', (event) => {
    const reason = event.reason || `the connection to the latent-explorer server closed (code ${event.code})`;
    for (const listener of closeListeners) listener(reason);
  });
  return {
    kind: 'websocket',
    send(message) {
      const frame = encodeFrame(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(frame);
      else if (socket.readyState === WebSocket.CONNECTING) queued.push(frame);
      else throw new Error(`cannot send "${message.type}": the connection to the server is closed`);
    },
    onMessage(listener) {
      socket.addEventListener('message', (event: MessageEvent) => {
        if (event.data instanceof ArrayBuffer) listener(decodeFrame<ToWebviewMessage>(event.data));
      });
    },
    onClose: (listener) => closeListeners.push(listener),
    loadState<T>() {
      const stored = sessionStorage.getItem(STATE_KEY);
      return stored ? (JSON.parse(stored) as T) : undefined;
    },
    saveState: (state) => sessionStorage.setItem(STATE_KEY, JSON.stringify(state)),
  };
}

/** Picks the transport for the page the bundle finds itself in. */
export function connectTransport(): Transport {
  if (typeof acquireVsCodeApi === 'function') return vsCodeTransport();
  const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return webSocketTransport(`${protocol}//${location.host}/ws`);
}
