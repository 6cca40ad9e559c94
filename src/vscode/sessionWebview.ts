/**
 * One webview bound to one session: the shared base of the explorer and comparison panels and of
 * the model inspector editor. It writes the page (html.ts), starts the session worker, relays
 * messages both ways (typed arrays as they are), answers `openExplorer` and `saveFile` itself,
 * shows loading in the notification area, and disposes the session together with the webview.
 */
import { homedir } from 'node:os';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isHostRequest, type RequestMessage, type ToWebviewMessage } from '../shared/protocol';
import { Disposable, toDisposable } from '../util/dispose';
import { RemoteError, toErrorInfo } from '../util/errors';
import { startSessionWorker, type SessionConnection } from '../worker/sessionConnection';
import { createNonce, renderWebviewPage, WEBVIEW_RESOURCE_FOLDERS, WEBVIEW_SCRIPT } from '../host/html';
import { errorResponse, isRequestMessage, loadingMessage, okResponse } from '../host/hostMessages';
import { reportError } from './log';
import { panelTitle, validateSession, type PanelSessionState } from '../host/panelState';
import type { HostSettings } from './settings';

/** What a session webview needs from the extension. */
export interface SessionHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  /** Current settings, read when a session starts. */
  settings(): HostSettings;
  /** Opens the explorer on a model (the inspect view's button); asks for a dataset when none is given. */
  openExplorer(modelPath: string, dataPath: string | undefined): Promise<void>;
}

/** Webview options for every Latent Explorer page: scripts on, local files only from dist/ and media/. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: WEBVIEW_RESOURCE_FOLDERS.map((folder) => vscode.Uri.joinPath(extensionUri, folder)),
  };
}

/** A webview panel (or custom editor) showing one session; disposing either disposes both. */
export class SessionWebview extends Disposable {
  private readonly connection: SessionConnection;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly session: PanelSessionState,
    private readonly host: SessionHost,
  ) {
    super();
    try {
      validateSession(session);
      this._register(panel);
      this._register(panel.onDidDispose(() => this.dispose()));
      this.showPage();
      const { settings: current, backend, problems } = host.settings();
      // A saved session redraws the sample it was saved with, whatever the settings say now.
      const settings = session.restore ? { ...current, sampleLimit: session.restore.sampleLimit, seed: session.restore.seed } : current;
      for (const problem of problems) host.log.warn(problem);
      host.log.info(`opening ${session.view} on ${session.modelPaths.join(' and ')}${session.dataPath ? ` with ${session.dataPath}` : ''}`);
      this.connection = this._register(
        startSessionWorker({ view: session.view, modelPaths: session.modelPaths, dataPath: session.dataPath, settings, backend }),
      );
      this._register(this.connection.onMessage((message) => this.toWebview(message)));
      this._register(panel.webview.onDidReceiveMessage((message: unknown) => this.fromWebview(message)));
      this.showLoadingProgress();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  private showPage(): void {
    const { webview } = this.panel;
    const extensionUri = this.host.extensionUri;
    webview.options = webviewOptions(extensionUri);
    webview.html = renderWebviewPage({
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_SCRIPT)).toString(),
      nonce: createNonce(),
      title: panelTitle(this.session),
      session: this.session,
    });
  }

  private fromWebview(message: unknown): void {
    if (this.isDisposed) return;
    if (!isRequestMessage(message)) {
      this.host.log.warn(`ignored a malformed message from the webview: ${JSON.stringify(message)?.slice(0, 200)}`);
      return;
    }
    this.host.log.trace(`webview → ${message.type} #${message.id}`);
    if (isHostRequest(message)) {
      void (message.type === 'openExplorer' ? this.answerOpenExplorer(message) : this.answerSaveFile(message));
      return;
    }
    this.connection.send(message);
  }

  private async answerOpenExplorer(request: RequestMessage<'openExplorer'>): Promise<void> {
    const slot: unknown = request.body.slot;
    const modelPath = this.session.modelPaths[slot === 'a' ? 0 : slot === 'b' ? 1 : -1];
    if (modelPath === undefined) {
      const message = `openExplorer: no model in slot ${JSON.stringify(slot)} (this ${this.session.view} view has ${this.session.modelPaths.length})`;
      this.host.log.warn(message);
      this.post(errorResponse(request.id, 'openExplorer', { message, code: 'invalid-argument' }));
      return;
    }
    try {
      await this.host.openExplorer(modelPath, this.session.dataPath);
      this.post(okResponse(request.id, 'openExplorer', {}));
    } catch (error) {
      reportError(this.host.log, `Could not open the explorer on ${modelPath}`, error);
      this.post(errorResponse(request.id, 'openExplorer', toErrorInfo(error)));
    }
  }

  /**
   * Saves bytes the webview made (a plot, exported codes) where the user chooses: VS Code's save
   * dialog, starting in the model's workspace folder (else the first one, else home) with the
   * name the webview proposed, then the workspace file system (local or remote alike).
   */
  private async answerSaveFile(request: RequestMessage<'saveFile'>): Promise<void> {
    const { fileName, data }: { fileName?: unknown; data?: unknown } = request.body;
    if (typeof fileName !== 'string' || !(data instanceof Uint8Array)) {
      const message = 'saveFile: the request needs a fileName (string) and data (Uint8Array)';
      this.host.log.warn(message);
      this.post(errorResponse(request.id, 'saveFile', { message, code: 'invalid-argument' }));
      return;
    }
    // Only a name is proposed: where it goes is the user's choice in the dialog.
    const name = basename(fileName);
    const modelFolder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(this.session.modelPaths[0]));
    const folder = (modelFolder ?? vscode.workspace.workspaceFolders?.[0])?.uri ?? vscode.Uri.file(homedir());
    try {
      const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(folder, name), title: `Save ${name}` });
      if (!target) {
        this.post(okResponse(request.id, 'saveFile', { path: null }));
        return;
      }
      await vscode.workspace.fs.writeFile(target, data);
      this.host.log.info(`saved ${data.length} bytes to ${target.fsPath}`);
      this.post(okResponse(request.id, 'saveFile', { path: target.fsPath }));
    } catch (error) {
      // The webview shows the failure inline; the log keeps the detail.
      const info = toErrorInfo(error);
      this.host.log.warn(`saveFile ${name} failed [${info.code}]: ${info.message}`);
      this.post(errorResponse(request.id, 'saveFile', info));
    }
  }

  private toWebview(message: ToWebviewMessage): void {
    if (this.isDisposed) return;
    this.logMessage(message);
    this.post(message);
  }

  private logMessage(message: ToWebviewMessage): void {
    const { log } = this.host;
    if (message.kind === 'event') {
      if (message.type === 'error') reportError(log, panelTitle(this.session), new RemoteError(message.error));
      return;
    }
    if (message.ok) {
      log.trace(`session → ${message.type} #${message.id}`);
    } else if (message.error.code === 'cancelled') {
      log.debug(`${message.type} #${message.id} cancelled`);
    } else {
      // The webview shows failed requests inline; the log keeps the detail.
      log.warn(`${message.type} #${message.id} failed [${message.error.code}]: ${message.error.message}`);
    }
  }

  private post(message: ToWebviewMessage): void {
    // A hidden webview drops messages and asks again with `ready` when shown; a closed one fails.
    const failed = (error: unknown) => {
      if (!this.isDisposed) this.host.log.warn(`could not post ${message.type} to the webview: ${String(error)}`);
    };
    try {
      this.panel.webview.postMessage(message).then(undefined, failed);
    } catch (error) {
      failed(error);
    }
  }

  /**
   * Notification-area progress while the session loads the model and encodes the data; cancelling
   * closes the panel. A session that cannot open is reported here once (the webview shows it inline).
   */
  private showLoadingProgress(): void {
    const title = `Loading ${panelTitle(this.session)}`;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
      const loading = this._register(
        this.connection.onLoading((stage, fraction) => progress.report({ message: loadingMessage(stage, fraction) })),
      );
      const cancel = token.onCancellationRequested(() => {
        this.host.log.info(`loading cancelled: ${panelTitle(this.session)}`);
        this.dispose();
      });
      // Closing the panel while loading ends the notification too.
      const closed = new Promise<void>((resolve) => this._register(toDisposable(resolve)));
      const opened = this.connection.opened.then(
        () => this.host.log.info(`opened ${panelTitle(this.session)}`),
        (error: unknown) => {
          if (!this.isDisposed) reportError(this.host.log, `Could not open ${panelTitle(this.session)}`, error);
        },
      );
      return Promise.race([opened, closed]).finally(() => {
        loading.dispose();
        cancel.dispose();
      });
    });
  }
}
