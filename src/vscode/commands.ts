/**
 * The palette and context-menu commands. Each runs inside `guarded`, so a failure becomes an
 * error notification and a log entry, never an exception in the extension host.
 */
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SAMPLE_MODEL, listBundledDatasets, sampleModelPath } from './catalog';
import { COMMANDS, COMPARE_SELECTION_CONTEXT, VIEW_TYPES } from './ids';
import { guarded } from './log';
import { readSessionFile } from '../core/sessionFile';
import { SESSION_FILE_SUFFIX } from '../shared/sessionFile';
import { resolveModelFiles } from '../core/model/resolve';
import { showSessionPanel } from './panels';
import { modelLabel } from '../host/panelState';
import { localPath, manifestDataset, pickDataset, pickModel, rememberedDataset, workspaceFolderPaths, type PickerHost } from './pickers';
import type { SessionHost } from './sessionWebview';

/** What the commands need from the extension. */
export interface CommandHost extends SessionHost, PickerHost {}

/** Opens the explorer on `modelPath` with `dataPath`, asking for the dataset when none is given. */
export async function openExplorerOn(host: CommandHost, modelPath: string, dataPath?: string): Promise<void> {
  const data = dataPath ?? (await pickDataset(host, modelPath, `Open latent explorer: data for ${modelLabel(modelPath)}`));
  if (!data) return;
  await host.memory.remember(modelPath, data);
  showSessionPanel(host, { view: 'explorer', modelPaths: [modelPath], dataPath: data });
}

/**
 * With no workspace: the bundled default sample with the data used last, its manifest's
 * default, or the first bundled dataset. Null when the sample is not bundled.
 */
async function defaultSample(host: CommandHost): Promise<{ modelPath: string; dataPath?: string } | null> {
  const modelPath = sampleModelPath(join(host.samplesRoot, DEFAULT_SAMPLE_MODEL));
  if (!modelPath) return null;
  const dataPath =
    rememberedDataset(host, modelPath) ??
    (await manifestDataset(host.log, modelPath)) ??
    (await listBundledDatasets(host.samplesRoot))[0]?.path;
  return { modelPath, dataPath };
}

async function open(host: CommandHost, target: unknown): Promise<void> {
  if (target instanceof vscode.Uri) return openExplorerOn(host, localPath(target));
  if (workspaceFolderPaths().length === 0) {
    const sample = await defaultSample(host);
    if (sample) return openExplorerOn(host, sample.modelPath, sample.dataPath);
    host.log.warn(`no workspace and no bundled ${DEFAULT_SAMPLE_MODEL} sample under ${host.samplesRoot}; asking for a model`);
  }
  const modelPath = await pickModel(host, 'Open latent explorer (1/2): model');
  if (!modelPath) return;
  const dataPath = await pickDataset(host, modelPath, `Open latent explorer (2/2): data for ${modelLabel(modelPath)}`);
  if (dataPath) await openExplorerOn(host, modelPath, dataPath);
}

/** The model file (model.json, .onnx, .keras, .h5) in the active text editor, if that is what it shows. */
function activeModelJson(): vscode.Uri | undefined {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri && uri.scheme === 'file' && /^model\.json$|\.(onnx|keras|h5)$/.test(basename(uri.fsPath)) ? uri : undefined;
}

async function inspect(host: CommandHost, target: unknown): Promise<void> {
  let uri = target instanceof vscode.Uri ? target : activeModelJson();
  if (!uri) {
    const modelPath = await pickModel(host, 'Inspect autoencoder');
    if (!modelPath) return;
    // The editor opens files; a folder (a pair, or one model file) is inspected through its main file.
    uri = vscode.Uri.file((await resolveModelFiles(modelPath)).primary);
  }
  await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPES.inspector);
}

async function compare(host: CommandHost, modelA: string, modelB: string, step: string): Promise<void> {
  const dataPath = await pickDataset(host, modelA, `${step}: data for ${modelLabel(modelA)} ↔ ${modelLabel(modelB)}`);
  if (!dataPath) return;
  showSessionPanel(host, { view: 'compare', modelPaths: [modelA, modelB], dataPath });
}

/** Reopens a saved view: the file from the explorer's context menu, or one the user picks. */
async function openSavedSession(host: CommandHost, target: unknown): Promise<void> {
  let file = target instanceof vscode.Uri ? localPath(target) : undefined;
  if (!file) {
    const picked = await vscode.window.showOpenDialog({
      title: 'Open saved Latent Explorer session',
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'Latent Explorer session': [SESSION_FILE_SUFFIX.slice(1)], JSON: ['json'] },
    });
    if (!picked?.[0]) return;
    file = localPath(picked[0]);
  }
  const saved = await readSessionFile(file);
  host.log.info(`reopening the ${saved.view} saved in ${file}`);
  showSessionPanel(host, {
    view: saved.view,
    modelPaths: saved.models,
    dataPath: saved.data,
    restore: { ui: saved.ui, selection: saved.selection, sampleLimit: saved.sampleLimit, seed: saved.seed },
  });
}

/** Registers every command; the returned disposables belong to the extension context. */
export function registerCommands(host: CommandHost): vscode.Disposable[] {
  let selectedForCompare: string | null = null;
  const register = (id: string, what: string, run: (target: unknown) => Promise<void>): vscode.Disposable =>
    vscode.commands.registerCommand(id, (target: unknown) => guarded(host.log, what, () => run(target)));

  return [
    register(COMMANDS.open, 'Could not open the latent explorer', (target) => open(host, target)),
    register(COMMANDS.openModel, 'Could not open the latent explorer', (target) => open(host, target)),
    register(COMMANDS.inspect, 'Could not inspect the model', (target) => inspect(host, target)),
    register(COMMANDS.compare, 'Could not compare checkpoints', async () => {
      const modelA = await pickModel(host, 'Compare checkpoints (1/3): model A');
      if (!modelA) return;
      const modelB = await pickModel(host, `Compare checkpoints (2/3): model B, compared with ${modelLabel(modelA)}`, [modelA]);
      if (modelB) await compare(host, modelA, modelB, 'Compare checkpoints (3/3)');
    }),
    register(COMMANDS.selectForCompare, 'Could not select the model for compare', async (target) => {
      if (!(target instanceof vscode.Uri)) throw new Error('"Select checkpoint for compare" needs a model.json from the explorer');
      selectedForCompare = localPath(target);
      await vscode.commands.executeCommand('setContext', COMPARE_SELECTION_CONTEXT, true);
      vscode.window.setStatusBarMessage(`Latent Explorer: ${modelLabel(selectedForCompare)} selected for compare`, 5000);
    }),
    register(COMMANDS.compareWithSelected, 'Could not compare with the selected model', async (target) => {
      if (!(target instanceof vscode.Uri)) throw new Error('"Compare checkpoint with selected" needs a model.json from the explorer');
      if (!selectedForCompare) {
        void vscode.window.showInformationMessage('Choose "Select checkpoint for compare" on a model.json first.');
        return;
      }
      await compare(host, selectedForCompare, localPath(target), 'Compare checkpoint with selected');
    }),
    register(COMMANDS.openSession, 'Could not open the saved session', (target) => openSavedSession(host, target)),
  ];
}
