/**
 * Errors raised while reading, normalising or splitting a model. Each carries the file it
 * concerns and a stable `code`, which `util/errors.toErrorInfo` forwards to the CLI and webview.
 */

/** Stable machine-readable reasons a model could not be loaded or used. */
export type ModelErrorCode =
  /** The file cannot be read (missing, a folder, no permission). */
  | 'model-unreadable'
  /** The file is not a model format the explorer opens (PyTorch, an image, data…); the message says what it is. */
  | 'model-format'
  /** model.json is not valid JSON. */
  | 'model-invalid-json'
  /** Valid JSON, but not a TensorFlow.js model (no modelTopology, or an unknown format). */
  | 'model-not-tfjs'
  /** A weight file the manifest lists is absent. */
  | 'model-shard-missing'
  /** The weight files of a group hold a different number of bytes than the manifest describes. */
  | 'model-shard-size'
  /** The topology names a layer class tfjs does not know and the engine has no stand-in for. */
  | 'model-unknown-layer'
  /** tfjs rejected the topology or weights for another reason. */
  | 'model-invalid'
  /** No way to split the model into encoder and decoder (or the requested code layer is unusable). */
  | 'model-split'
  /** The operation needs a part of the model that is absent (e.g. decode without a decoder). */
  | 'model-unsupported'
  /** Inputs given to encode/decode/activations do not match the model. */
  | 'model-input';

/** A problem with a model file; `file` is the model.json (or weight file) concerned. */
export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    readonly code: ModelErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/**
 * The part of a model an operation needs, or the error it gets: the model was disposed, or a model
 * of its kind has no such part (decoding with an encoder alone). Both model classes ask here.
 */
export function requirePart<T>(part: T | null, action: string, disposed: boolean, model: { files: string[]; kind: string }): T {
  if (disposed) throw new ModelLoadError(model.files[0]!, 'model-unsupported', `cannot ${action}: the model has been disposed`);
  if (part === null) {
    throw new ModelLoadError(model.files[0]!, 'model-unsupported', `cannot ${action} with a ${model.kind} model (${model.files.join(' + ')})`);
  }
  return part;
}

/** The layer paths asked for, when the model reports every one of them; else the error naming those it lacks and those it has. */
export function checkLayerPaths(file: string, wanted: string[], known: string[]): string[] {
  const unknown = wanted.filter((path) => !known.includes(path));
  if (unknown.length) throw new ModelLoadError(file, 'model-input', `unknown layer path(s) ${unknown.map((path) => `"${path}"`).join(', ')}; known: ${known.join(', ')}`);
  return wanted;
}
