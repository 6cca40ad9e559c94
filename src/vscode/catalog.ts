/**
 * The models and datasets the pickers offer: the bundled samples under the extension's
 * `sample-models/`, and the workspace's model.json files, turned into plain pick items.
 * No `vscode` import: pickers.ts maps these items onto QuickPickItems.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { encoderDecoderPair } from '../core/model/resolve';
import { modelLabel } from '../host/panelState';

/** Folder of `sample-models/` holding the bundled datasets rather than a model. */
export const SAMPLE_DATA_FOLDER = 'data';
/** The sample the open command shows when there is no workspace. */
export const DEFAULT_SAMPLE_MODEL = 'mnist-dense';

/** A bundled sample: a model.json, or a folder with encoder/ and decoder/ models. */
export interface BundledModel {
  name: string;
  /** model.json, or the sample folder for an encoder/decoder pair. */
  path: string;
  /** First line of the sample's README, without Markdown heading marks; null without one. */
  description: string | null;
}

/** A bundled dataset: a file or folder under `sample-models/data/`. */
export interface BundledDataset {
  name: string;
  path: string;
  description: string | null;
}

/** One row of a quick pick, or a separator row when `separator` is set. */
export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  separator?: true;
  /** What choosing the row means; absent on separators. */
  value?: T;
}

/** A dataset row's meaning: a path, or "ask with the open dialog". */
export type DatasetChoice = { kind: 'path'; path: string } | { kind: 'browse' };

/** First non-empty line of a README, without leading `#` marks; null when the file is missing or empty. */
export async function readmeFirstLine(folder: string): Promise<string | null> {
  for (const name of ['README.md', 'README.txt', 'README']) {
    let text: string;
    try {
      text = await readFile(join(folder, name), 'utf8');
    } catch {
      continue;
    }
    const line = text.split(/\r?\n/).find((l) => l.trim().length > 0);
    return line ? line.replace(/^\s*#+\s*/, '').trim() : null;
  }
  return null;
}

/** The model a sample folder holds: its model.json, the folder itself for an encoder/decoder pair, or null. */
export function sampleModelPath(folder: string): string | null {
  const modelJson = join(folder, 'model.json');
  if (existsSync(modelJson)) return modelJson;
  if (existsSync(join(folder, 'encoder', 'model.json')) && existsSync(join(folder, 'decoder', 'model.json'))) {
    return folder;
  }
  return null;
}

/** "mnist-dense: deep dense autoencoder" → "deep dense autoencoder": the pick row already shows the name. */
function withoutNamePrefix(description: string | null, name: string): string | null {
  if (description === null || !description.startsWith(`${name}:`)) return description;
  return description.slice(name.length + 1).trim() || null;
}

async function subfolders(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** The bundled samples under `samplesRoot`, sorted by name; folders holding no model are skipped. */
export async function listBundledModels(samplesRoot: string): Promise<BundledModel[]> {
  const models: BundledModel[] = [];
  for (const name of await subfolders(samplesRoot)) {
    if (name === SAMPLE_DATA_FOLDER) continue;
    const folder = join(samplesRoot, name);
    const path = sampleModelPath(folder);
    if (path) models.push({ name, path, description: withoutNamePrefix(await readmeFirstLine(folder), name) });
  }
  return models;
}

/** The bundled datasets: every file or folder under `samplesRoot/data/` except READMEs and hidden files. */
export async function listBundledDatasets(samplesRoot: string): Promise<BundledDataset[]> {
  const dataRoot = join(samplesRoot, SAMPLE_DATA_FOLDER);
  let entries;
  try {
    entries = await readdir(dataRoot, { withFileTypes: true });
  } catch {
    return [];
  }
  const datasets: BundledDataset[] = [];
  for (const entry of entries.sort((x, y) => x.name.localeCompare(y.name))) {
    if (entry.name.startsWith('.') || /^readme(\.|$)/i.test(entry.name)) continue;
    const path = join(dataRoot, entry.name);
    const description = entry.isDirectory() ? withoutNamePrefix(await readmeFirstLine(path), entry.name) : null;
    datasets.push({ name: entry.name, path, description });
  }
  return datasets;
}

/**
 * Workspace models from the found model files: an `encoder/model.json` and a `decoder/model.json`
 * in the same folder become one pair entry (that folder), and so do two files of a folder named
 * as an encoder and a decoder (`ae_encoder.onnx` + `ae_decoder.onnx`) unless a whole autoencoder
 * lies beside them; the rest stay files.
 */
export function groupWorkspaceModels(modelPaths: string[]): string[] {
  const modelJsonPaths = modelPaths.filter((file) => basename(file) === 'model.json');
  const found = new Set(modelJsonPaths);
  const models = new Set<string>(modelPaths.filter((file) => basename(file) !== 'model.json'));
  const byFolder = new Map<string, string[]>();
  for (const file of models) byFolder.set(dirname(file), [...(byFolder.get(dirname(file)) ?? []), basename(file)]);
  for (const [folder, names] of byFolder) {
    const pair = names.some((name) => /autoencoder/i.test(name)) ? null : encoderDecoderPair(names);
    if (!pair) continue;
    for (const name of pair) models.delete(join(folder, name));
    models.add(folder);
  }
  for (const file of modelJsonPaths) {
    const part = basename(dirname(file));
    const parent = dirname(dirname(file));
    const other = join(parent, part === 'encoder' ? 'decoder' : 'encoder', 'model.json');
    const isPairHalf = (part === 'encoder' || part === 'decoder') && found.has(other);
    models.add(isPairHalf ? parent : file);
  }
  return [...models].sort();
}

/** Path relative to the first workspace folder containing it, else the absolute path. */
export function displayPath(path: string, workspaceFolders: readonly string[]): string {
  for (const folder of workspaceFolders) {
    const rel = relative(folder, path);
    if (rel && !rel.startsWith('..') && !isAbsolute(rel)) {
      return workspaceFolders.length > 1 ? join(basename(folder), rel) : rel;
    }
  }
  return path;
}

/** Quick-pick rows for choosing a model: the workspace's models, then the bundled samples. */
export function modelPickItems(
  workspaceModels: string[],
  bundled: BundledModel[],
  workspaceFolders: readonly string[],
  exclude: readonly string[] = [],
): PickItem<string>[] {
  const items: PickItem<string>[] = [];
  const shown = workspaceModels.filter((p) => !exclude.includes(p));
  if (shown.length > 0) {
    items.push({ label: 'Workspace', separator: true });
    for (const path of shown) {
      items.push({ label: modelLabel(path), description: displayPath(path, workspaceFolders), value: path });
    }
  }
  const samples = bundled.filter((m) => !exclude.includes(m.path));
  if (samples.length > 0) {
    items.push({ label: 'Bundled samples', separator: true });
    for (const model of samples) {
      const item: PickItem<string> = { label: model.name, description: 'sample', value: model.path };
      if (model.description) item.detail = model.description;
      items.push(item);
    }
  }
  return items;
}

/** Label of the row that opens the file dialog. */
export const BROWSE_LABEL = 'Choose a folder or file…';

/**
 * Quick-pick rows for choosing a dataset, best guess first: the one last used with this model,
 * the model's manifest default, the bundled datasets, then the file dialog. Each path appears once.
 */
export function datasetPickItems(options: {
  remembered?: string;
  manifestDefault?: string;
  bundled: BundledDataset[];
  workspaceFolders: readonly string[];
}): PickItem<DatasetChoice>[] {
  const items: PickItem<DatasetChoice>[] = [];
  const seen = new Set<string>();
  const add = (path: string, description: string, detail: string | null): void => {
    if (seen.has(path)) return;
    seen.add(path);
    const item: PickItem<DatasetChoice> = { label: basename(path), description, value: { kind: 'path', path } };
    if (detail) item.detail = detail;
    items.push(item);
  };
  const bundledPaths = new Map(options.bundled.map((d) => [d.path, d]));
  // Bundled data is described by its README; anything else by where it lives.
  const detailOf = (path: string): string | null =>
    bundledPaths.has(path) ? (bundledPaths.get(path)?.description ?? null) : displayPath(path, options.workspaceFolders);
  if (options.remembered) add(options.remembered, 'last used with this model', detailOf(options.remembered));
  if (options.manifestDefault) add(options.manifestDefault, "model's default", detailOf(options.manifestDefault));
  for (const dataset of options.bundled) add(dataset.path, 'sample data', dataset.description);
  items.push({ label: BROWSE_LABEL, value: { kind: 'browse' } });
  return items;
}
