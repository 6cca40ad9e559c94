/**
 * openDataset: decides what a path holds and opens it with the matching reader, then attaches
 * labels from a sibling file or from the file the caller names.
 *
 * A folder is judged by its files, in this order: IDX files (the images file is chosen; the test
 * split `t10k`/`test` when there are several), one `.npz`, `.npy` arrays (x/X/data/images first),
 * one CSV/TSV, JSON files (one file, or one file per class), and finally PNG/JPEG images with
 * optional class sub-folders. A file is judged by its magic bytes first, then its extension.
 */
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { DatasetFormat } from '../../shared/types';
import { formatShape, type Dataset, type StoredDataset } from './dataset';
import { openCsv } from './csv';
import { DataError } from './errors';
import { findIdxLabelsFile, isGzip, looksLikeIdx, openIdx } from './idx';
import { isImageFile, listImages, openImageFolder } from './images';
import { openJson, openJsonClassFolder } from './json';
import { readLabelsFile } from './labelFiles';
import { checkLabelCount } from './labels';
import { looksLikeNpy, looksLikeZip, npyLabelCandidates, openNpy, openNpz } from './npy';
import { isFileEntry } from './links';

/** What the caller may add to detection: a CSV label column, a labels file, and names for the codes. */
export interface OpenDatasetOptions {
  /** Label column of a CSV/TSV file (exact name, else case-insensitive). Ignored for other formats. */
  labelColumn?: string;
  /** A labels file; takes precedence over labels found in or beside the data. */
  labelsPath?: string;
  /**
   * Display names of integer label codes 0..K−1 (the codes are then the raw label values), or of
   * classes named by sub-folders or per-class files (one per class, in sorted order). String labels keep their own names.
   */
  labelNames?: string[];
}

const SUPPORTED =
  'expected IDX files (MNIST ubyte, optionally .gz), .npy, .npz, .csv, .tsv, .json, or PNG/JPEG images (sub-folders as classes)';

/** JSON files that are never datasets, so a project folder's package.json is not mistaken for one. */
const NOT_DATA_JSON = new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'latent-explorer.json', 'model.json']);

/** Opens a dataset file or folder; throws DataError naming the file and the problem. */
export async function openDataset(path: string, options: OpenDatasetOptions = {}): Promise<Dataset> {
  const absolute = resolve(path);
  let isFolder: boolean;
  try {
    isFolder = (await stat(absolute)).isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(absolute, 'data-not-found', code === 'ENOENT' ? 'no such file or folder' : `cannot read it (${code ?? (error as Error).message})`);
  }
  const { dataset, siblingLabels } = isFolder ? await openFolder(absolute, options) : await openFile(absolute, options);
  if (dataset.count === 0) {
    await dataset.close();
    throw new DataError(dataset.path, 'data-empty', `the dataset holds 0 samples (items of ${formatShape(dataset.itemShape)}); use a file with at least one sample`);
  }
  const labelsFile = options.labelsPath ? resolve(options.labelsPath) : dataset.labels ? null : siblingLabels;
  if (!labelsFile) return dataset;
  try {
    const labels = await readLabelsFile(labelsFile, options.labelNames);
    checkLabelCount(labels.labels.length, dataset.count, labelsFile, dataset.path);
    return dataset.withLabels(labels);
  } catch (error) {
    await dataset.close();
    throw error;
  }
}

interface Opened {
  dataset: StoredDataset;
  /** A labels file found beside the data, used when the data carries no labels itself. */
  siblingLabels: string | null;
}

async function openFile(path: string, options: OpenDatasetOptions): Promise<Opened> {
  const format = await detectFileFormat(path);
  const siblings = () => readdir(dirname(path));
  switch (format) {
    case 'idx':
      return { dataset: await openIdx(path), siblingLabels: findIdxLabelsFile(path, await siblings()) };
    case 'npy': {
      const names = await siblings();
      const sibling = npyLabelCandidates(path).find((name) => names.includes(name) && name !== basename(path));
      return { dataset: await openNpy(path), siblingLabels: sibling ? join(dirname(path), sibling) : null };
    }
    case 'npz':
      return { dataset: await openNpz(path, options.labelNames), siblingLabels: null };
    case 'csv':
      return { dataset: await openCsv(path, options), siblingLabels: null };
    case 'json':
      return { dataset: await openJson(path, options.labelNames), siblingLabels: null };
    case 'images':
      throw new DataError(path, 'data-unsupported', 'a single image is not a dataset; open the folder that holds the images');
    case 'jsonl':
    case 'parquet':
      // Tables of vectors and metadata are opened as embeddings (embeddings.ts), not as a model's dataset.
      throw new DataError(path, 'data-unsupported', 'a table is opened as embeddings: latent-explorer serve --codes FILE');
  }
}

async function detectFileFormat(path: string): Promise<DatasetFormat> {
  const handle = await open(path, 'r');
  const start = Buffer.alloc(8);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(start, 0, 8, 0));
  } finally {
    await handle.close();
  }
  if (bytesRead === 0) throw new DataError(path, 'data-empty', 'the file is empty');
  const bytes = start.subarray(0, bytesRead);
  if (looksLikeNpy(bytes)) return 'npy';
  if (looksLikeZip(bytes)) return 'npz';
  // gzip is only accepted as compressed IDX; openIdx checks the inflated header.
  if (looksLikeIdx(bytes) || isGzip(bytes)) return 'idx';
  if (/\.(csv|tsv|tab)$/i.test(path)) return 'csv';
  if (/\.json$/i.test(path)) return 'json';
  if (isImageFile(path)) return 'images';
  if (/\.(npy|npz)$/i.test(path)) {
    throw new DataError(path, 'data-corrupt', `not a ${path.slice(-3)} file: its magic bytes are missing (the file is damaged or misnamed)`);
  }
  if (/(idx\d|ubyte)/i.test(basename(path))) {
    return 'idx'; // parseIdxHeader reports the bad magic bytes.
  }
  throw new DataError(path, 'data-unsupported', `unrecognised dataset file: ${SUPPORTED}`);
}

const IDX_NAME = /(idx\d|ubyte)/i;
const LABELS_NAME = /label|idx1/i;
const NPY_LABEL_NAME = /^(labels|y|Y|targets)(_.*)?\.npy$|_labels\.npy$/;
const NPY_DATA_PREFERENCE = ['x.npy', 'X.npy', 'data.npy', 'images.npy'];
const PREFER_TEST_SPLIT = /t10k|test/i;

async function openFolder(folder: string, options: OpenDatasetOptions): Promise<Opened> {
  const entries = (await readdir(folder, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
  if (entries.length === 0) throw new DataError(folder, 'data-empty', `the folder is empty; ${SUPPORTED}`);
  const isFile = await Promise.all(entries.map((entry) => isFileEntry(folder, entry)));
  const files = entries
    .filter((_, i) => isFile[i])
    .map((entry) => entry.name)
    .sort();
  const withExtension = (pattern: RegExp) => files.filter((name) => pattern.test(name));

  const idxImages = files.filter((name) => IDX_NAME.test(name) && !LABELS_NAME.test(name));
  if (idxImages.length > 0) {
    const chosen = idxImages.find((name) => PREFER_TEST_SPLIT.test(name)) ?? idxImages[0];
    return openFile(join(folder, chosen), options);
  }
  const npz = withExtension(/\.npz$/i);
  if (npz.length > 0) return openFile(join(folder, pickOne(npz, folder, '.npz archives')), options);
  const npyData = withExtension(/\.npy$/i).filter((name) => !NPY_LABEL_NAME.test(name));
  if (npyData.length > 0) {
    const preferred = NPY_DATA_PREFERENCE.find((name) => npyData.includes(name));
    return openFile(join(folder, preferred ?? pickOne(npyData, folder, '.npy arrays')), options);
  }
  const tables = withExtension(/\.(csv|tsv|tab)$/i);
  if (tables.length > 0) return openFile(join(folder, pickOne(tables, folder, 'CSV/TSV files')), options);
  const jsonFiles = withExtension(/\.json$/i).filter((name) => !NOT_DATA_JSON.has(name));
  if (jsonFiles.length === 1) return openFile(join(folder, jsonFiles[0]), options);
  if (jsonFiles.length > 1) return { dataset: await openJsonClassFolder(folder, jsonFiles, options.labelNames), siblingLabels: null };
  if (await listImages(folder)) return { dataset: await openImageFolder(folder, options.labelNames), siblingLabels: null };
  const shown = entries.slice(0, 5).map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name));
  throw new DataError(folder, 'data-unsupported', `no dataset found in this folder (it holds ${shown.join(', ')}${entries.length > 5 ? ', …' : ''}); ${SUPPORTED}`);
}

function pickOne(names: string[], folder: string, what: string): string {
  const preferred = names.filter((name) => PREFER_TEST_SPLIT.test(name));
  if (names.length === 1) return names[0];
  if (preferred.length === 1) return preferred[0];
  throw new DataError(folder, 'data-unsupported', `the folder holds several ${what} (${names.join(', ')}); open one of them directly`);
}

/** The CLI's `data --json` object. */
export function describeDataset(dataset: Dataset): {
  format: DatasetFormat;
  count: number;
  itemShape: number[];
  labels: { count: number; classes: string[] } | null;
} {
  return {
    format: dataset.format,
    count: dataset.count,
    itemShape: [...dataset.itemShape],
    labels: dataset.labels && dataset.classNames ? { count: dataset.labels.length, classes: [...dataset.classNames] } : null,
  };
}
