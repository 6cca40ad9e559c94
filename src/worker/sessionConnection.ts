/**
 * The host's handle on a session worker (used by the VS Code panels and the `serve` bridge).
 * It keeps the promise that every request ends: if the worker dies, each request still pending
 * is answered with a `session-crashed` error instead of hanging the webview.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FromWebviewMessage, ToWebviewMessage } from '../shared/protocol';
import type { FromSessionWorker, SessionOptions, ToSessionWorker } from '../shared/workerProtocol';
import type { ErrorInfo } from '../shared/types';
import { workerExecArgv } from './workerScript';

export interface Subscription {
  dispose(): void;
}

export interface SessionConnection {
  /** Forwards a webview request to the session. */
  send(message: FromWebviewMessage): void;
  onMessage(listener: (message: ToWebviewMessage) => void): Subscription;
  /** Loading stages while the session opens (reading, encoding…), for a progress notification. */
  onLoading(listener: (stage: string, fraction: number | null) => void): Subscription;
  /** Resolves when the session has opened; rejects with its error if it could not. */
  readonly opened: Promise<void>;
  dispose(): void;
}

export interface StartSessionOptions extends SessionOptions {
  /** Defaults to `sessionWorker.js` beside this bundle, or the .ts source when run by tsx. */
  workerScript?: string;
}

export class SessionOpenError extends Error {
  readonly code: string;
  readonly file?: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'SessionOpenError';
    this.code = info.code;
    this.file = info.file;
  }
}

export function startSessionWorker(options: StartSessionOptions): SessionConnection {
  const { workerScript = defaultSessionWorkerScript(), ...sessionOptions } = options;
  const worker = new Worker(workerScript, { execArgv: workerExecArgv(workerScript) });
  const messageListeners = new Set<(message: ToWebviewMessage) => void>();
  const loadingListeners = new Set<(stage: string, fraction: number | null) => void>();
  const pending = new Map<number, FromWebviewMessage>();
  let disposed = false;
  let resolveOpened!: () => void;
  let rejectOpened!: (error: Error) => void;
  const opened = new Promise<void>((resolve, reject) => {
    resolveOpened = resolve;
    rejectOpened = reject;
  });
  // A rejection nobody awaits must not crash the host: the webview hears of it through its requests.
  opened.catch(() => {});

  const deliver = (message: ToWebviewMessage) => {
    if (message.kind === 'response') pending.delete(message.id);
    for (const listener of messageListeners) listener(message);
  };
  const failPending = (error: ErrorInfo) => {
    for (const request of pending.values()) {
      deliver({ kind: 'response', id: request.id, type: request.type, ok: false, error });
    }
    rejectOpened(new SessionOpenError(error));
  };

  worker.on('message', (message: FromSessionWorker) => {
    switch (message.type) {
      case 'message':
        deliver(message.message);
        break;
      case 'loading':
        for (const listener of loadingListeners) listener(message.stage, message.fraction);
        break;
      case 'opened':
        resolveOpened();
        break;
      case 'openFailed':
        rejectOpened(new SessionOpenError(message.error));
        break;
    }
  });
  worker.on('error', (error) => failPending({ message: `the session stopped: ${error.message}`, code: 'session-crashed' }));
  worker.on('exit', (code) => {
    if (!disposed) failPending({ message: `the session stopped unexpectedly (exit code ${code})`, code: 'session-crashed' });
  });
  const open: ToSessionWorker = { type: 'open', options: sessionOptions };
  worker.postMessage(open);

  return {
    send(message) {
      if (disposed) return;
      pending.set(message.id, message);
      const forward: ToSessionWorker = { type: 'message', message };
      worker.postMessage(forward);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return { dispose: () => messageListeners.delete(listener) };
    },
    onLoading(listener) {
      loadingListeners.add(listener);
      return { dispose: () => loadingListeners.delete(listener) };
    },
    opened,
    dispose() {
      if (disposed) return;
      disposed = true;
      messageListeners.clear();
      loadingListeners.clear();
      pending.clear();
      void worker.terminate();
    },
  };
}

function defaultSessionWorkerScript(): string {
  const bundled = join(__dirname, 'sessionWorker.js');
  return existsSync(bundled) ? bundled : join(__dirname, 'sessionWorker.ts');
}
