/**
 * The quick picks and dialogs that choose models and datasets. The lists themselves are built by
 * catalog.ts; this file only shows them.
 */
import { existsSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import * as vscode from 'vscode';
import { readManifestNear } from '../core/manifest';
import { resolveModelFiles } from '../core/model/resolve';
import {
  datasetPickItems,
  groupWorkspaceModels,
  listBundledDatasets,
  listBundledModels,
  modelPickItems,
  type DatasetChoice,
  type PickItem,
} from './catalog';
import type { DatasetMemory } from './datasetMemory';
import { modelLabel } from '../host/panelState';

/** What the pickers need from the extension. */
export interface PickerHost {
  readonly log: vscode.LogOutputChannel;
  readonly memory: DatasetMemory;
  /** The extension's `sample-models/` folder. */
  readonly samplesRoot: string;
}

/** The local file path of `uri`; the engine reads models and data with Node's fs, so other schemes are refused. */
export function localPath(uri: vscode.Uri): string {
  if (uri.scheme !== 'file') {
    throw new Error(`Latent Explorer reads models and data from local files; ${uri.toString()} is not one`);
  }
  return uri.fsPath;
}

/** Local paths of the open workspace folders. */
export function workspaceFolderPaths(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

/** True when `path` lies inside an open workspace folder. */
export function isInWorkspace(path: string): boolean {
  return vscode.workspace.getWorkspaceFolder(vscode.Uri.file(path)) !== undefined;
}

type QuickItem<T> = vscode.QuickPickItem & { value?: T };

function toQuickItems<T>(items: PickItem<T>[]): QuickItem<T>[] {
  return items.map((item) =>
    item.separator
      ? { label: item.label, kind: vscode.QuickPickItemKind.Separator }
      : { label: item.label, description: item.description, detail: item.detail, value: item.value },
  );
}

/** Every model file (model.json, .onnx, .keras, .h5) in the workspace outside node_modules, encoder/decoder pairs joined. */
async function findWorkspaceModels(): Promise<string[]> {
  const files = await vscode.workspace.findFiles('**/{model.json,*.onnx,*.keras,*.h5}', '**/node_modules/**');
  return groupWorkspaceModels(files.filter((uri) => uri.scheme === 'file').map((uri) => uri.fsPath));
}

/** Asks for a model among the workspace's and the bundled ones; undefined when dismissed or when there is none. */
export async function pickModel(host: PickerHost, title: string, exclude: readonly string[] = []): Promise<string | undefined> {
  const [workspace, bundled] = await Promise.all([findWorkspaceModels(), listBundledModels(host.samplesRoot)]);
  const items = toQuickItems(modelPickItems(workspace, bundled, workspaceFolderPaths(), exclude));
  if (items.length === 0) {
    const besides = exclude.length > 0 ? ` besides ${exclude.map(modelLabel).join(', ')}` : '';
    void vscode.window.showInformationMessage(`Latent Explorer found no model (model.json, .onnx, .keras, .h5)${besides} in the workspace and no bundled sample.`);
    return undefined;
  }
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Choose a model (TF.js model.json, ONNX, Keras .keras/.h5, or a folder with an encoder and a decoder)',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return choice?.value;
}

/** The dataset the model's latent-explorer.json names, if any; a broken manifest is logged, not fatal here. */
export async function manifestDataset(log: vscode.LogOutputChannel, modelPath: string): Promise<string | undefined> {
  try {
    // readManifestNear looks beside the model's main file and in the folder above (a pair's folder).
    return (await readManifestNear((await resolveModelFiles(modelPath)).primary))?.datasetPath;
  } catch (error) {
    log.warn(`ignoring the manifest near ${modelPath}: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Asks for the dataset to open `modelPath` with: the one used last, the manifest's default, the
 * bundled datasets, or any file or folder. Remembers the answer for the model.
 */
export async function pickDataset(host: PickerHost, modelPath: string, title: string): Promise<string | undefined> {
  const items = Promise.all([manifestDataset(host.log, modelPath), listBundledDatasets(host.samplesRoot)]).then(
    ([manifestDefault, bundled]) =>
      toQuickItems(
        datasetPickItems({ remembered: rememberedDataset(host, modelPath), manifestDefault, bundled, workspaceFolders: workspaceFolderPaths() }),
      ),
  );
  const choice = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: `Choose the data to encode with ${modelLabel(modelPath)}`,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  const dataPath = choice?.value ? await resolveChoice(choice.value, modelPath) : undefined;
  if (dataPath) await host.memory.remember(modelPath, dataPath);
  return dataPath;
}

/** The dataset last used with the model, while it still exists. */
export function rememberedDataset(host: PickerHost, modelPath: string): string | undefined {
  const remembered = host.memory.recall(modelPath);
  return remembered && existsSync(remembered) ? remembered : undefined;
}

async function resolveChoice(choice: DatasetChoice, modelPath: string): Promise<string | undefined> {
  if (choice.kind === 'path') return choice.path;
  // Native dialogs on Windows and Linux cannot offer files and folders at once and show a folder
  // picker then; VS Code's own dialog (and macOS) offer both.
  const picked = await vscode.window.showOpenDialog({
    title: 'Dataset: a folder (IDX, images) or a file (.npy, .npz, .csv, .json, IDX)',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(extname(modelPath) ? dirname(modelPath) : modelPath),
    openLabel: 'Use as dataset',
  });
  return picked?.[0] ? localPath(picked[0]) : undefined;
}
