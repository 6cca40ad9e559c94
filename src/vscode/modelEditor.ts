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
    // Open editors are not closed on disposal (host shutdown), so that VS Code restores them.
    return vscode.window.registerCustomEditorProvider(VIEW_TYPES.inspector, new ModelInspectorProvider(host), {
      supportsMultipleEditorsPerDocument: true,
    });
  }

  private constructor(private readonly host: SessionHost) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    try {
      // The view owns itself from here: it is disposed with the editor's panel.
      new SessionWebview(panel, { view: 'inspect', modelPaths: [localPath(document.uri)] }, this.host);
    } catch (error) {
      reportError(this.host.log, `Could not inspect ${document.uri.fsPath}`, error);
    }
  }
}
