/// <reference types="mocha" />
/**
 * Runs inside a real VS Code extension host: code-server's (npm run test:integration) or a
 * downloaded VS Code's (npm run test:vscode). Checks what only a real host can: activation, the
 * contributed commands, the model.json custom editor and the explorer panel.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, VIEW_TYPES } from '../../../src/vscode/ids';

const EXTENSION_ID = 'latent-explorer.latent-explorer';
// Bundled by esbuild into out/integration/suite/, three levels below the repository root.
const repoRoot = resolve(__dirname, '../../..');
const sampleModelJson = join(repoRoot, 'sample-models', 'mnist-dense', 'model.json');

/** Resolves once `predicate` holds, polling; fails with `what` after `timeoutMs`. */
async function waitFor(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

/** Every open tab across the editor groups. */
function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs);
}

/** Webview panels' tab inputs carry the panel's viewType, prefixed by the workbench in some hosts. */
function isWebviewTabOf(tab: vscode.Tab, viewType: string): boolean {
  return tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith(viewType);
}

function isCustomEditorTabOf(tab: vscode.Tab, viewType: string, uri: vscode.Uri): boolean {
  return tab.input instanceof vscode.TabInputCustom && tab.input.viewType === viewType && tab.input.uri.fsPath === uri.fsPath;
}

describe('Latent Explorer in a real VS Code extension host', function () {
  // Loading a model and encoding the sample data runs in the host: give it room on a 2-core machine.
  this.timeout(120_000);

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('vscode.extensions.getExtension(id).activate() activates the extension', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this host`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('vscode.commands.getCommands() lists every contributed Latent Explorer command', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = Object.values(COMMANDS).filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('package.json contributes exactly the commands the code registers', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const contributed = (extension.packageJSON.contributes?.commands ?? []).map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, Object.values(COMMANDS).sort());
  });

  it(`vscode.openWith(model.json, '${VIEW_TYPES.inspector}') opens the model inspector custom editor`, async () => {
    assert.ok(existsSync(sampleModelJson), `bundled sample missing: ${sampleModelJson}`);
    const uri = vscode.Uri.file(sampleModelJson);
    await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPES.inspector);
    await waitFor('the inspector tab', () => allTabs().some((tab) => isCustomEditorTabOf(tab, VIEW_TYPES.inspector, uri)));
  });

  it(`${COMMANDS.inspect} with a model.json Uri opens the same custom editor`, async () => {
    const uri = vscode.Uri.file(sampleModelJson);
    await vscode.commands.executeCommand(COMMANDS.inspect, uri);
    await waitFor('the inspector tab', () => allTabs().some((tab) => isCustomEditorTabOf(tab, VIEW_TYPES.inspector, uri)));
  });

  it(`${COMMANDS.open} with no workspace opens an explorer panel on the bundled sample`, async () => {
    assert.equal(vscode.workspace.workspaceFolders, undefined, 'this suite runs without a workspace folder');
    await vscode.commands.executeCommand(COMMANDS.open);
    await waitFor('the explorer panel', () => allTabs().some((tab) => isWebviewTabOf(tab, VIEW_TYPES.explorer)));
    const tab = allTabs().find((t) => isWebviewTabOf(t, VIEW_TYPES.explorer));
    assert.match(tab?.label ?? '', /mnist-dense/);
  });
});
