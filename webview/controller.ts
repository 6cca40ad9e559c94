/**
 * The one place that talks to the host. Views call `request(type, body)` and get a promise of the
 * typed response body; ids, progress routing, cancellation, latest-wins and error reporting live here.
 */
import type { EventMessage, RequestBody, RequestType, ResponseBody, ToWebviewMessage } from '../src/shared/protocol';
import type { ErrorInfo } from '../src/shared/types';
import type { Transport } from './transport';

/** A progress event for one request, as the host sent it. */
export type Progress = Extract<EventMessage, { type: 'progress' }>;

/** A failed request: the host's error, or `cancelled` when the caller (or a newer request) stopped it. */
export class RequestError extends Error {
  readonly code: string;
  readonly file?: string;
  constructor(readonly info: ErrorInfo) {
    super(info.message);
    this.name = 'RequestError';
    this.code = info.code;
    this.file = info.file;
  }
}

/** True for the rejection a cancelled request ends with: callers usually ignore it. */
export function isCancelled(error: unknown): boolean {
  return error instanceof RequestError && error.code === 'cancelled';
}

export interface RequestOptions {
  onProgress?: (progress: Progress) => void;
  /** Aborting sends `cancel` to the host; the promise then rejects with code `cancelled`. */
  signal?: AbortSignal;
  /** Latest wins: a new request with the same key cancels the one still running. */
  key?: string;
  /** Errors the caller shows itself are not put in the banner. */
  silent?: boolean;
}

interface Pending {
  type: RequestType;
  resolve(body: unknown): void;
  reject(error: RequestError): void;
  onProgress?: (progress: Progress) => void;
}

export interface Controller {
  request<K extends RequestType>(type: K, body: RequestBody<K>, options?: RequestOptions): Promise<ResponseBody<K>>;
  /** Requests sent and not yet answered. */
  readonly pendingCount: number;
}

/** Wires a transport to promises; `reportError` receives every failure worth showing the user. */
export function createController(transport: Transport, reportError: (error: ErrorInfo, requestType?: RequestType) => void): Controller {
  let nextId = 1;
  const pending = new Map<number, Pending>();
  const byKey = new Map<string, AbortController>();

  const sendCancel = (target: number) => {
    if (!pending.has(target)) return;
    transport.send({ kind: 'request', id: nextId++, type: 'cancel', body: { target } });
  };

  transport.onMessage((message: ToWebviewMessage) => {
    if (message.kind === 'event') {
      if (message.type === 'progress') pending.get(message.requestId)?.onProgress?.(message);
      else reportError(message.error);
      return;
    }
    const entry = pending.get(message.id);
    if (!entry) return; // the answer to a cancel, or to a request already abandoned
    pending.delete(message.id);
    if (message.ok) entry.resolve(message.body);
    else entry.reject(new RequestError(message.error));
  });
  transport.onClose((reason) => {
    const error = new RequestError({ message: reason, code: 'disconnected' });
    for (const entry of pending.values()) entry.reject(error);
    pending.clear();
    reportError(error.info);
  });

  return {
    get pendingCount() {
      return pending.size;
    },
    request<K extends RequestType>(type: K, body: RequestBody<K>, options: RequestOptions = {}): Promise<ResponseBody<K>> {
      const id = nextId++;
      let signal = options.signal;
      if (options.key) {
        byKey.get(options.key)?.abort();
        const own = new AbortController();
        byKey.set(options.key, own);
        signal = signal ? AbortSignal.any([signal, own.signal]) : own.signal;
      }
      const promise = new Promise<ResponseBody<K>>((resolve, reject) => {
        if (signal?.aborted) {
          reject(new RequestError({ message: 'cancelled', code: 'cancelled' }));
          return;
        }
        pending.set(id, { type, resolve: resolve as (body: unknown) => void, reject, onProgress: options.onProgress });
        signal?.addEventListener('abort', () => sendCancel(id), { once: true });
        try {
          transport.send({ kind: 'request', id, type, body } as never);
        } catch (error) {
          pending.delete(id);
          reject(new RequestError({ message: error instanceof Error ? error.message : String(error), code: 'disconnected' }));
        }
      });
      return promise.catch((error: unknown) => {
        const failure =
          error instanceof RequestError ? error : new RequestError({ message: String(error), code: 'internal' });
        if (!isCancelled(failure) && !options.silent && failure.code !== 'disconnected') reportError(failure.info, type);
        throw failure;
      });
    },
  };
}
