/**
 * The extension's one log channel and its error boundary: whatever fails in a command, a panel or
 * the editor is logged with its stack and shown once as an error notification, never thrown into
 * the extension host.
 */
import * as vscode from 'vscode';
import { toErrorInfo } from '../util/errors';
import { LOG_CHANNEL_NAME } from './ids';

/** Creates the "Latent Explorer" LogOutputChannel (owned by the extension context). */
export function createLog(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}

/** Logs `error` (with its stack) and shows `what: message` with a button that opens the log. */
export function reportError(log: vscode.LogOutputChannel, what: string, error: unknown): void {
  const info = toErrorInfo(error);
  const where = info.file && !info.message.includes(info.file) ? ` (${info.file})` : '';
  log.error(`${what}: ${info.message}${where}`);
  if (error instanceof Error && error.stack) log.debug(error.stack);
  void vscode.window.showErrorMessage(`${what}: ${info.message}${where}`, 'Show Log').then(
    (choice) => {
      if (choice) log.show();
    },
    () => undefined,
  );
}

/** Runs `action`, reporting any failure instead of letting it escape into VS Code. */
export async function guarded<T>(log: vscode.LogOutputChannel, what: string, action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (error) {
    reportError(log, what, error);
    return undefined;
  }
}
