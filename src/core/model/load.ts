/**
 * Loads one model.json (layers model or graph model) from disk through the file IOHandler,
 * normalising the dialects tfjs 4.22 would refuse.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tfconv from '@tensorflow/tfjs-converter';
import type { ModelDialect } from '../../shared/types';
import { ModelLoadError } from './errors';
import { readModelJson, readWeights } from './fileIO';
import { normalizeModelJson, type NormalizeOptions } from './normalize';
import './sampling';
import { executeGraph, graphInputShape } from './stage';
import { validateLayersTopology } from './validate';
import { detectModelFormat } from './detect';
import { type KerasFileFormat, readKerasArtifacts } from './keras';

interface LoadedBase {
  /** Absolute path of the model.json. */
  file: string;
  dialect: ModelDialect;
  /** Rewrites applied in memory and other facts the user should know. */
  warnings: string[];
}
export interface LoadedLayersModel extends LoadedBase {
  format: 'layers-model';
  model: tfl.LayersModel;
}
/** One operation of a graph model's topology. */
export interface GraphNodeInfo {
  name: string;
  op: string;
  inputs: string[];
}
export interface LoadedGraphModel extends LoadedBase {
  format: 'graph-model';
  model: tfconv.GraphModel;
  /** The graph's operations in file order (tfjs keeps them private). */
  nodes: GraphNodeInfo[];
  /** Per-sample input shape (unknown dimensions read as 1; several inputs: their values side by side). */
  inputShape: number[];
  /** Per-sample shape of each output, learnt by running one zero sample. */
  outputShapes: number[][];
}
export type LoadedModel = LoadedLayersModel | LoadedGraphModel;

export interface LoadModelOptions extends NormalizeOptions {
  /** Apply the in-memory normalisation (default true); false shows what tfjs says of the raw file. */
  normalize?: boolean;
}

/** Reads, normalises and builds the model in `file` (a model.json path). */
export async function loadModelFile(file: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  // An unreadable file falls through to readModelJson, whose error says why.
  const detected = await detectModelFormat(file).catch(() => null);
  const format = detected?.format;
  if (format === 'keras-zip' || format === 'keras-h5' || format === 'keras-json') return loadKerasModel(file, format, options);
  // Binary files (a damaged zip, an image) are named for what they are, never parsed as JSON.
  if (detected?.format === 'unknown' && !/JSON/.test(detected.description)) {
    throw new ModelLoadError(file, 'model-format', `${file}: this is ${detected.description}; Latent Explorer opens TF.js model.json, ONNX, Keras .keras/.h5`);
  }
  const raw = await readModelJson(file);
  const normalized =
    options.normalize === false ? { json: raw, dialect: null, changes: [] } : normalizeModelJson(file, raw, options);
  const json = normalized.json;
  validateLayersTopology(file, json);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, (manifest) => readWeights(file, manifest, normalized.changes));
  const handler: tf.io.IOHandler = { load: async () => artifacts };
  const isGraph = json.format === 'graph-model' || Array.isArray((json.modelTopology as { node?: unknown }).node);
  try {
    if (isGraph) {
      const model = await tfconv.loadGraphModel(handler);
      const nodes = ((json.modelTopology as { node?: { name: string; op: string; input?: string[] }[] }).node ?? []).map(
        (node) => ({ name: node.name, op: node.op, inputs: node.input ?? [] }),
      );
      const inputShape = graphInputShape(model);
      // Converted graphs rarely record output shapes; one zero sample reveals them.
      const probe = tf.zeros([1, ...inputShape]);
      const outputs = await executeGraph(model, probe);
      const outputShapes = outputs.map((output) => output.shape.slice(1));
      tf.dispose([probe, ...outputs]);
      return { format: 'graph-model', model, nodes, inputShape, outputShapes, file, dialect: 'graph', warnings: normalized.changes };
    }
    const model = await tfl.loadLayersModel(handler);
    const dialect = normalized.dialect ?? normalizeModelJson(file, raw, { samplingStandIn: true }).dialect;
    return { format: 'layers-model', model, file, dialect, warnings: normalized.changes };
  } catch (error) {
    throw explainTfjsError(file, error);
  }
}

/** A Keras file, turned into TF.js artifacts in memory (Keras dialects always normalised) and built by tfjs. */
async function loadKerasModel(file: string, format: KerasFileFormat, options: LoadModelOptions): Promise<LoadedLayersModel> {
  const keras = await readKerasArtifacts(file, format, options);
  try {
    const model = await tfl.loadLayersModel({ load: async () => keras.artifacts });
    return { format: 'layers-model', model, file, dialect: keras.dialect, warnings: keras.warnings };
  } catch (error) {
    throw explainTfjsError(file, error);
  }
}

function explainTfjsError(file: string, error: unknown): ModelLoadError {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown layer: (\S+)/.exec(message);
  if (unknown) {
    return new ModelLoadError(
      file,
      'model-unknown-layer',
      `Unknown layer class "${unknown[1]!.replace(/\.$/, '')}" in ${file}: tfjs cannot rebuild custom layers from model.json`,
    );
  }
  return new ModelLoadError(file, 'model-invalid', `tfjs could not build the model in ${file}: ${message}`);
}
