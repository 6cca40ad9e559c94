/**
 * Errors cross boundaries (worker → session → webview, core → CLI) as plain ErrorInfo. Core error
 * classes carry `file` and `code`; they are read structurally so this module depends on none of them.
 */
import type { ErrorInfo } from '../shared/types';
import { printable } from './printable';

/** Longest message shown: past it, a message is a dump (a TF.js config, a file's contents), not an explanation. */
const MAX_MESSAGE_LENGTH = 1000;

/**
 * Turns anything thrown into ErrorInfo, keeping the file and a stable code when the error has them.
 * Every error on its way to a terminal or the webview passes here, so this is where text taken
 * from files (header fields, member names) is made printable: one line, control characters escaped.
 */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof Error) {
    const { file, code } = error as Error & { file?: unknown; code?: unknown };
    const info: ErrorInfo = { message: printable(error.message, MAX_MESSAGE_LENGTH), code: typeof code === 'string' ? code : codeFromName(error.name) };
    if (typeof file === 'string') info.file = printable(file);
    return info;
  }
  return { message: printable(String(error), MAX_MESSAGE_LENGTH), code: 'internal' };
}

function codeFromName(name: string): string {
  switch (name) {
    case 'CancelledError':
    case 'AbortError':
      return 'cancelled';
    case 'ManifestError':
      return 'manifest';
    case 'RangeError':
      return 'invalid-argument';
    default:
      return 'internal';
  }
}

/** An Error rebuilt from ErrorInfo, so callers on the far side of a boundary can throw it again. */
export class RemoteError extends Error {
  readonly code: string;
  readonly file?: string;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.code === 'cancelled' ? 'CancelledError' : 'RemoteError';
    this.code = info.code;
    this.file = info.file;
  }
}

/** `<file>: <message>` when the error names a file, else the message: the CLI's one-line form. */
export function describeError(error: unknown): string {
  const info = toErrorInfo(error);
  return info.file && !info.message.includes(info.file) ? `${info.file}: ${info.message}` : info.message;
}
