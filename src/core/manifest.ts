/**
 * `latent-explorer.json`: the optional manifest beside a model.json that overrides what the
 * engine would otherwise detect (code layer, input scaling, default dataset, label names).
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export const MANIFEST_FILE = 'latent-explorer.json';

/** How raw dataset values map to the model's input. */
export type InputScaling =
  /** Raw values used as they are. */
  | { kind: 'none' }
  /** Divide by 255 (uint8 images → [0, 1]). */
  | { kind: 'divide255' }
  /** Per-feature (x − mean) / std, one entry per feature column. */
  | { kind: 'standardize'; mean: number[]; std: number[] }
  /** Per-feature (x − min) / (max − min). */
  | { kind: 'minmax'; min: number[]; max: number[] };

export interface ExplorerManifest {
  /** Name of the bottleneck layer (the last encoder layer); overrides automatic detection. */
  codeLayer?: string;
  /** Input scaling; when absent the data layer chooses (uint8 → divide255, else none). */
  inputScaling?: InputScaling;
  /** Default dataset, relative to the manifest's folder (a file or folder). */
  dataset?: string;
  /** Labels file, relative to the manifest's folder, when not found beside the dataset. */
  labels?: string;
  /** Name of the label column for CSV/TSV datasets. */
  labelColumn?: string;
  /** Display names of the label codes 0..K−1. */
  labelNames?: string[];
  /** Noise the model was trained to remove (denoising autoencoders); the denoise panel's default. */
  trainingNoise?: { type: 'gaussian' | 'saltpepper' | 'mask'; level: number };
  /** Free text shown in the inspect view. */
  description?: string;
}

/** A manifest whose relative paths are resolved against its folder. */
export interface ResolvedManifest extends ExplorerManifest {
  /** Absolute path of the manifest file itself. */
  file: string;
  /** Absolute dataset path, if the manifest names one. */
  datasetPath?: string;
  /** Absolute labels path, if the manifest names one. */
  labelsPath?: string;
}

export class ManifestError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * Reads `latent-explorer.json` from the folder of `modelJsonPath` (or, for an encoder/decoder
 * pair, from their parent folder). Returns null when there is none; throws ManifestError when
 * it exists but is not valid.
 */
export async function readManifestNear(modelJsonPath: string): Promise<ResolvedManifest | null> {
  const folder = dirname(resolve(modelJsonPath));
  for (const candidate of [join(folder, MANIFEST_FILE), join(dirname(folder), MANIFEST_FILE)]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch {
      continue;
    }
    return parseManifest(candidate, text);
  }
  return null;
}

/** Validates manifest text; every problem names the field and the value found. */
export function parseManifest(file: string, text: string): ResolvedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ManifestError(file, `${MANIFEST_FILE} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ManifestError(file, `${MANIFEST_FILE} must hold a JSON object`);
  }
  const m = raw as Record<string, unknown>;
  const folder = dirname(file);
  const optionalString = (key: string): string | undefined => {
    const value = m[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.length === 0) {
      throw new ManifestError(file, `"${key}" must be a non-empty string, found ${JSON.stringify(value)}`);
    }
    return value;
  };
  const manifest: ResolvedManifest = { file };
  manifest.codeLayer = optionalString('codeLayer');
  manifest.dataset = optionalString('dataset');
  manifest.labels = optionalString('labels');
  manifest.labelColumn = optionalString('labelColumn');
  manifest.description = optionalString('description');
  if (manifest.dataset) manifest.datasetPath = resolve(folder, manifest.dataset);
  if (manifest.labels) manifest.labelsPath = resolve(folder, manifest.labels);
  if (m.labelNames !== undefined) {
    if (!Array.isArray(m.labelNames) || !m.labelNames.every((name) => typeof name === 'string')) {
      throw new ManifestError(file, `"labelNames" must be an array of strings, found ${JSON.stringify(m.labelNames)}`);
    }
    manifest.labelNames = m.labelNames as string[];
  }
  if (m.inputScaling !== undefined) manifest.inputScaling = parseScaling(file, m.inputScaling);
  if (m.trainingNoise !== undefined) {
    const noise = m.trainingNoise as Record<string, unknown>;
    const validType = noise?.type === 'gaussian' || noise?.type === 'saltpepper' || noise?.type === 'mask';
    if (!validType || typeof noise.level !== 'number' || !(noise.level >= 0)) {
      throw new ManifestError(
        file,
        `"trainingNoise" must be {"type": "gaussian"|"saltpepper"|"mask", "level": number ≥ 0}, found ${JSON.stringify(m.trainingNoise)}`,
      );
    }
    manifest.trainingNoise = { type: noise.type as 'gaussian' | 'saltpepper' | 'mask', level: noise.level as number };
  }
  return manifest;
}

function parseScaling(file: string, value: unknown): InputScaling {
  const scaling = value as Record<string, unknown>;
  const numbers = (key: string): number[] => {
    const list = scaling[key];
    if (!Array.isArray(list) || list.length === 0 || !list.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ManifestError(file, `"inputScaling.${key}" must be a non-empty array of finite numbers`);
    }
    return list as number[];
  };
  switch (scaling?.kind) {
    case 'none':
      return { kind: 'none' };
    case 'divide255':
      return { kind: 'divide255' };
    case 'standardize': {
      const mean = numbers('mean');
      const std = numbers('std');
      if (mean.length !== std.length) {
        throw new ManifestError(file, `"inputScaling" has ${mean.length} means but ${std.length} standard deviations`);
      }
      if (std.some((s) => s <= 0)) throw new ManifestError(file, `"inputScaling.std" must be positive`);
      return { kind: 'standardize', mean, std };
    }
    case 'minmax': {
      const min = numbers('min');
      const max = numbers('max');
      if (min.length !== max.length) {
        throw new ManifestError(file, `"inputScaling" has ${min.length} minima but ${max.length} maxima`);
      }
      return { kind: 'minmax', min, max };
    }
    default:
      throw new ManifestError(
        file,
        `"inputScaling.kind" must be "none", "divide255", "standardize" or "minmax", found ${JSON.stringify(scaling?.kind)}`,
      );
  }
}
