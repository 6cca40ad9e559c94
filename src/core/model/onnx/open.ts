/**
 * Reads an ONNX file and checks what the loader relies on: a graph with its weights inside, one
 * data input with a fixed per-sample shape, and at most one more input taking a condition (a
 * one-hot label, as conditional decoders and CVAE encoders take beside the code or sample).
 */
import { readFile } from 'node:fs/promises';
import { onnx } from 'onnx-proto';
import { ModelLoadError } from '../errors';
import { product } from '../stage';
import { type ModelProto, dataInputs, declaredShape, decodeModel, elementType } from './graph';

export interface OpenedModel {
  file: string;
  model: ModelProto;
  inputName: string;
  /** Per-sample input shape (the batch axis removed). */
  inputShape: number[];
  /** The condition input's name and values per sample; null without one. */
  condition: { name: string; size: number } | null;
}

/** Input names that say "condition" rather than "sample" or "code". */
const CONDITION_NAME = /label|cond|class|one.?hot|^y$|^c$/i;

/**
 * Opens `file`. With two inputs, the main one is the one `isMain` accepts (a decoder's input of
 * the code's size), else the one not named like a condition, else the larger.
 */
export async function openModel(file: string, isMain?: (size: number) => boolean): Promise<OpenedModel> {
  let model: ModelProto;
  try {
    model = decodeModel(await readFile(file));
  } catch (error) {
    throw new ModelLoadError(file, 'model-invalid', `${file}: not a readable ONNX model (${(error as Error).message}); the file may be truncated`);
  }
  if (!model.graph) throw new ModelLoadError(file, 'model-invalid', `${file}: the ONNX model has no graph`);
  const external = (model.graph.initializer ?? []).find((tensor) => tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL);
  if (external) {
    throw new ModelLoadError(file, 'model-unsupported', `${file}: the weights are stored in a separate file (${external.externalData?.find((entry) => entry.key === 'location')?.value ?? 'external data'}); save the model with its weights inside (onnx.save(model, path, save_as_external_data=False))`);
  }
  const inputs = dataInputs(model).map((input) => ({ input, shape: sampleShape(file, input) }));
  if (inputs.length === 0 || inputs.length > 2) {
    throw new ModelLoadError(file, 'model-unsupported', `${file}: the graph takes ${inputs.length} inputs (${inputs.map(({ input }) => input.name).join(', ')}); Latent Explorer feeds a sample or code, and at most one condition beside it`);
  }
  const sized = inputs.map((entry) => ({ ...entry, size: product(entry.shape) }));
  const main =
    sized.find((entry) => isMain?.(entry.size)) ??
    (sized.length === 2 ? sized.find((entry) => !CONDITION_NAME.test(entry.input.name!)) : undefined) ??
    sized.reduce((best, entry) => (entry.size > best.size ? entry : best));
  const other = sized.find((entry) => entry !== main);
  if (other && elementType(other.input) !== onnx.TensorProto.DataType.FLOAT) {
    throw new ModelLoadError(file, 'model-unsupported', `${file}: the condition input "${other.input.name}" is not float (an integer class label?); export the model taking a one-hot float condition`);
  }
  return { file, model, inputName: main.input.name!, inputShape: main.shape, condition: other ? { name: other.input.name!, size: other.size } : null };
}

function sampleShape(file: string, input: onnx.IValueInfoProto): number[] {
  const dims = declaredShape(input).slice(1);
  const free = dims.findIndex((dim) => typeof dim !== 'number');
  if (free >= 0) {
    throw new ModelLoadError(file, 'model-unsupported', `${file}: the input "${input.name}" leaves dimension ${free + 1} free (${dims[free] ?? '?'}); export it with a fixed sample shape (only the batch axis may be dynamic)`);
  }
  return dims as number[];
}
