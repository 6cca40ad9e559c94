/**
 * Reads model files into memory with ceilings, and unpacks a Keras 3 `.keras` zip (config.json,
 * metadata.json, model.weights.h5) without ever inflating more than those ceilings allow.
 */
import { type UnzipFileInfo, strFromU8, unzipSync } from 'fflate';
import { readFile, stat } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { zipEntryCrcs } from '../../data/zip';
import { ModelLoadError } from '../errors';
import { MAX_HDF5_BYTES } from './hdf5';

/** config.json and to_json() files: far above any real architecture, far below exhausting memory. */
const MAX_CONFIG_BYTES = 64 * 1024 * 1024;

/** The members of a `.keras` archive the explorer uses. */
export interface KerasArchive {
  config: string;
  /** `keras_version` from metadata.json, when present. */
  kerasVersion: string | null;
  weights: Uint8Array | null;
}

/** Reads `file` whole after checking its size against `limit` bytes. */
export async function readBounded(file: string, limit = MAX_HDF5_BYTES): Promise<Uint8Array> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new ModelLoadError(file, 'model-unreadable', `${file}: cannot read it: ${(error as Error).message}`);
  }
  if (size > limit) throw new ModelLoadError(file, 'model-invalid', `${file}: the file holds ${size} bytes, more than the ${limit} this tool reads`);
  return readFile(file);
}

/** Reads a Keras to_json() architecture file as text. */
export async function readConfigText(file: string): Promise<string> {
  return Buffer.from(await readBounded(file, MAX_CONFIG_BYTES)).toString('utf8');
}

const LIMITS: Record<string, number> = {
  'config.json': MAX_CONFIG_BYTES,
  'metadata.json': 1024 * 1024,
  'model.weights.h5': MAX_HDF5_BYTES,
};

/** Unpacks the three members of a `.keras` zip; each is checked against its ceiling before it is inflated. */
export function unpackKerasArchive(file: string, bytes: Uint8Array): KerasArchive {
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (entry) => wanted(file, entry) });
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    throw new ModelLoadError(
      file,
      'model-invalid',
      `${file}: the .keras archive is damaged or truncated (${(error as Error).message}); copy or save the model again`,
    );
  }
  // fflate does not verify members: a flipped byte in config.json would otherwise reach the model builder.
  const crcs = zipEntryCrcs(bytes);
  for (const [name, data] of Object.entries(members)) {
    const stored = crcs.get(name);
    if (stored !== undefined && stored !== crc32(data)) {
      throw new ModelLoadError(file, 'model-invalid', `${file}: ${name} in the .keras archive fails its CRC-32 check (the file is damaged); copy or save the model again`);
    }
  }
  const config = members['config.json'];
  if (!config) throw new ModelLoadError(file, 'model-invalid', `${file}: the .keras archive has no config.json; save the model with model.save("model.keras")`);
  const metadata = members['metadata.json'];
  return { config: strFromU8(config), kerasVersion: metadata ? versionIn(strFromU8(metadata)) : null, weights: members['model.weights.h5'] ?? null };
}

function wanted(file: string, entry: UnzipFileInfo): boolean {
  const limit = LIMITS[entry.name];
  if (limit === undefined) return false;
  if (entry.originalSize > limit) {
    throw new ModelLoadError(file, 'model-invalid', `${file}: ${entry.name} inflates to ${entry.originalSize} bytes, more than the ${limit} this tool reads`);
  }
  return true;
}

function versionIn(metadata: string): string | null {
  try {
    const version = (JSON.parse(metadata) as { keras_version?: unknown }).keras_version;
    return typeof version === 'string' ? version : null;
  } catch {
    return null;
  }
}

/** Parses a Keras config (config.json, a model_config attribute or a to_json() file). */
export function parseKerasConfig(file: string, what: string, text: string): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the text around the fault, which in a damaged file is raw bytes: give the position only.
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    throw new ModelLoadError(file, 'model-invalid-json', `${file}: ${what} is not valid JSON${position ? ` (at character ${position})` : ''}; the file is damaged`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json) || typeof (json as { class_name?: unknown }).class_name !== 'string') {
    throw new ModelLoadError(file, 'model-invalid', `${file}: ${what} is not a Keras model config (no class_name)`);
  }
  return json as Record<string, unknown>;
}
