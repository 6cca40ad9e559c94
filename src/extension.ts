/**
 * Latent Explorer's VS Code entry point: registers the commands, the model.json inspector and the
 * panel serializers. Everything else happens when one of those is used.
 */
import * as vscode from 'vscode';
import { openExplorerOn, registerCommands, type CommandHost } from './vscode/commands';
import { DatasetMemory } from './vscode/datasetMemory';
import { createLog } from './vscode/log';
import { ModelInspectorProvider } from './vscode/modelEditor';
import { registerPanels } from './vscode/panels';
import { isInWorkspace } from './vscode/pickers';
import { readHostSettings, SETTINGS_SECTION } from './vscode/settings';

/** Called by VS Code on the first command, custom editor or panel restore. */
export function activate(context: vscode.ExtensionContext): void {
  const log = createLog();
  const host: CommandHost = {
    extensionUri: context.extensionUri,
    log,
    memory: new DatasetMemory(context.workspaceState, context.globalState, isInWorkspace),
    samplesRoot: vscode.Uri.joinPath(context.extensionUri, 'sample-models').fsPath,
    settings: () => readHostSettings(vscode.workspace.getConfiguration(SETTINGS_SECTION)),
    openExplorer: (modelPath, dataPath) => openExplorerOn(host, modelPath, dataPath),
  };
  context.subscriptions.push(log, ...registerCommands(host), ModelInspectorProvider.register(host), registerPanels(host));
}

/** Nothing to do: every resource is owned by `context.subscriptions`. */
export function deactivate(): void {}
