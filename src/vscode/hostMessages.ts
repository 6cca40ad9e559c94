/**
 * The host's side of the webview protocol, as plain functions: checking what arrives from the
 * webview, building the responses the host answers itself, and turning the session's loading
 * fractions into notification-area progress. No `vscode` import.
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
 * VS Code's progress takes increments that sum to 100 while the session reports a fraction per
 * loading stage; this keeps the running total. Stages may restart at 0: the bar never moves back.
 */
export class ProgressIncrements {
  private reportedPercent = 0;

  /** The increment that brings the bar to `fraction` (0–1); 0 for an unknown (null) or lower fraction. */
  next(fraction: number | null): number {
    if (fraction === null || !Number.isFinite(fraction)) return 0;
    const percent = Math.min(100, Math.max(0, fraction * 100));
    const increment = Math.max(0, percent - this.reportedPercent);
    this.reportedPercent += increment;
    return increment;
  }
}
