/**
 * The one answer to "which files make this model, and in which format": every entry point (the
 * CLI, the VS Code pickers and editor, sessions, `loadAutoencoder`) asks here, so a folder, a
 * pair or a renamed file means the same everywhere.
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type DetectedFormat, type ModelFileFormat, detectModelFormat } from './detect';
import { ModelLoadError } from './errors';

export { detectModelFormat, type DetectedFormat, type ModelFileFormat } from './detect';

export interface ResolvedModel {
  /** Format of `primary` (and of `decoder`, which must run on the same runtime). */
  format: Exclude<ModelFileFormat, 'unknown' | 'pytorch'>;
  /** The whole model, or the encoder of a pair. */
  primary: string;
  decoder?: string;
  /** Choices the user should know of (e.g. a pair left aside for the whole autoencoder). */
  warnings: string[];
}

/** Extensions a folder is searched for; PyTorch files are listed so that they get their message. */
const MODEL_FILE = /\.(onnx|keras|h5|hdf5|pt|pth)$/i;
const OPENS = 'Latent Explorer opens TF.js model.json, ONNX, Keras .keras/.h5';

/**
 * Resolves `modelPath` (a file, or a folder holding model.json, one model file, `encoder/` +
 * `decoder/` folders, or an encoder/decoder file pair) and optionally a separate `decoderPath`.
 */
export async function resolveModelFiles(modelPath: string, decoderPath?: string): Promise<ResolvedModel> {
  const path = resolve(modelPath);
  if (decoderPath !== undefined) {
    const [encoder, decoder] = await Promise.all([resolveOne(path), resolveOne(resolve(decoderPath))]);
    return pair(encoder, decoder, []);
  }
  if (!(await isDirectory(path))) return checked(path, await detect(path));
  return resolveFolder(path);
}

async function resolveFolder(folder: string): Promise<ResolvedModel> {
  if (await isFile(join(folder, 'model.json'))) return resolveModelFiles(join(folder, 'model.json'));
  const entries = await readdir(folder, { withFileTypes: true });
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const files = entries.filter((entry) => entry.isFile() && MODEL_FILE.test(entry.name)).map((entry) => entry.name).sort();
  const whole = files.filter((name) => /autoencoder/i.test(name));
  const halves = encoderDecoderPair(folders);
  const filePair = encoderDecoderPair(files);
  if (whole.length === 1) {
    const left = halves ?? filePair;
    const warnings = left ? [`${folder} also holds ${left.join(' + ')}; opened the whole ${whole[0]} (name the pair to open it instead)`] : [];
    return resolveModelFiles(join(folder, whole[0]!)).then((found) => ({ ...found, warnings: [...warnings, ...found.warnings] }));
  }
  if (halves) {
    const [encoder, decoder] = await Promise.all([resolveOne(join(folder, halves[0])), resolveOne(join(folder, halves[1]))]);
    return pair(encoder, decoder, []);
  }
  if (filePair) {
    const [encoder, decoder] = await Promise.all([resolveOne(join(folder, filePair[0])), resolveOne(join(folder, filePair[1]))]);
    const others = files.filter((name) => !filePair.includes(name));
    return pair(encoder, decoder, others.length ? [`${folder} also holds ${others.join(', ')}; opened the pair ${filePair.join(' + ')}`] : []);
  }
  if (files.length === 1) return resolveModelFiles(join(folder, files[0]!));
  // A lone encoder/ or decoder/ folder: the half that is there (encoder-only or decoder-only).
  const half = files.length ? undefined : folders.find((name) => name === 'encoder' || name === 'decoder');
  if (half) return resolveOne(join(folder, half));
  throw new ModelLoadError(
    folder,
    'model-unreadable',
    files.length
      ? `${folder}: holds ${files.length} model files (${files.join(', ')}); name the one to open, or an encoder and a decoder`
      : `${folder}: holds no model.json, .onnx, .keras or .h5 file, nor encoder/ and decoder/ folders`,
  );
}

/** The encoder and decoder among `names`: exactly one of each, "autoencoder" not counting as an encoder. */
export function encoderDecoderPair(names: string[]): [string, string] | null {
  const encoders = names.filter((name) => /encoder/i.test(name.replace(/autoencoder/gi, '')) && !/decoder/i.test(name));
  const decoders = names.filter((name) => /decoder/i.test(name) && !/encoder/i.test(name.replace(/autoencoder/gi, '')));
  return encoders.length === 1 && decoders.length === 1 ? [encoders[0]!, decoders[0]!] : null;
}

/** One half of a pair: a file, or a folder holding exactly one model. */
async function resolveOne(path: string): Promise<ResolvedModel> {
  const found = await resolveModelFiles(path);
  if (found.decoder) throw new ModelLoadError(path, 'model-unreadable', `${path}: holds an encoder and a decoder itself; name one model file for each half`);
  return found;
}

function pair(encoder: ResolvedModel, decoder: ResolvedModel, warnings: string[]): ResolvedModel {
  const onnx = (found: ResolvedModel) => found.format === 'onnx';
  if (onnx(encoder) !== onnx(decoder)) {
    throw new ModelLoadError(
      encoder.primary,
      'model-format',
      `${encoder.primary}: the encoder is ${encoder.format} but the decoder ${decoder.primary} is ${decoder.format}; export both halves in one format`,
    );
  }
  return { format: encoder.format, primary: encoder.primary, decoder: decoder.primary, warnings: [...warnings, ...encoder.warnings, ...decoder.warnings] };
}

async function detect(file: string): Promise<DetectedFormat> {
  try {
    return await detectModelFormat(file);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (error as Error).message;
    throw new ModelLoadError(file, 'model-unreadable', `${file}: ${reason}`);
  }
}

/** Turns the formats that cannot be opened into their one-line error. */
function checked(file: string, detected: DetectedFormat): ResolvedModel {
  const { format } = detected;
  if (format === 'pytorch') throw new ModelLoadError(file, 'model-format', pytorchMessage(file));
  if (format === 'unknown') throw new ModelLoadError(file, 'model-format', `${file}: this is ${detected.description}; ${OPENS}`);
  return { format, primary: file, warnings: [] };
}

function pytorchMessage(file: string): string {
  return (
    `${file}: this is a PyTorch checkpoint (${basename(file)} holds weights without the architecture), which cannot be opened; ` +
    'export the model to ONNX in Python: torch.onnx.export(model.eval(), torch.randn(1, *input_shape), "model.onnx", ' +
    'input_names=["input"], output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})'
  );
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isDirectory(), () => false);
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false);
}
