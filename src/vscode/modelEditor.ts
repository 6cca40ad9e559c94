/**
 * "Inspect autoencoder": a read-only custom editor for model.json showing the architecture (the
 * webview's inspect view) with a button that opens the explorer. VS Code restores custom editors
 * itself after a reload, so no serializer is needed here.
 */
import * as vscode from 'vscode';
import { VIEW_TYPES } from './ids';
import { reportError } from './log';
import { localPath } from './pickers';
import { SessionWebview, type SessionHost } from './sessionWebview';

/** Opens model.json files in the inspect view, one session per editor. */
export class ModelInspectorProvider implements vscode.CustomReadonlyEditorProvider {
  /** Registers the provider under `latentExplorer.modelInspector`. */
  static register(host: SessionHost): vscode.Disposable {
    const provider = new ModelInspectorProvider(host);
    const registration = vscode.window.registerCustomEditorProvider(VIEW_TYPES.inspector, provider, {
      supportsMultipleEditorsPerDocument: true,
    });
    return new vscode.Disposable(() => {
      registration.dispose();
      for (const editor of [...provider.editors]) editor.dispose();
    });
  }

  private readonly editors = new Set<SessionWebview>();

  private constructor(private readonly host: SessionHost) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    try {
      const editor = new SessionWebview(panel, { view: 'inspect', modelPaths: [localPath(document.uri)] }, this.host);
      this.editors.add(editor);
      panel.onDidDispose(() => this.editors.delete(editor));
    } catch (error) {
      reportError(this.host.log, `Could not inspect ${document.uri.fsPath}`, error);
    }
  }
}
