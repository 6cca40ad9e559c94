/**
 * The host's side of the webview protocol, as plain functions: checking what arrives from the
 * webview, building the responses the host answers itself, and turning the session's loading
 * stages into notification-area progress. No `vscode` import.
 */
import type { RequestMessage, RequestType, ResponseBody, ResponseMessage } from '../shared/protocol';
import type { ErrorInfo } from '../shared/types';

/** True for a well-formed request from the webview; anything else is dropped (and logged) by the host. */
export function isRequestMessage(value: unknown): value is RequestMessage {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return (
    m.kind === 'request' &&
    Number.isSafeInteger(m.id) &&
    typeof m.type === 'string' &&
    typeof m.body === 'object' &&
    m.body !== null
  );
}

/** A successful response to request `id`. */
export function okResponse<K extends RequestType>(id: number, type: K, body: ResponseBody<K>): ResponseMessage<K> {
  return { kind: 'response', id, type, ok: true, body };
}

/** A failed response to request `id`. */
export function errorResponse<K extends RequestType>(id: number, type: K, error: ErrorInfo): ResponseMessage<K> {
  return { kind: 'response', id, type, ok: false, error };
}

/**
 * The notification text for a loading stage. The session's fractions are per stage (encoding
 * goes 0→1, then reconstructing starts afresh), so they are shown in the text and the bar stays
 * indeterminate rather than filling up and then sitting full.
 */
export function loadingMessage(stage: string, fraction: number | null): string {
  if (fraction === null || !Number.isFinite(fraction)) return stage;
  return `${stage} (${Math.round(Math.min(1, Math.max(0, fraction)) * 100)}%)`;
}
