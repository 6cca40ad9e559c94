/**
 * What ONNX shape inference often cannot say (exporters leave symbolic or missing dims), one
 * probing run tells: every intermediate tensor is exposed as an output and a constant batch is
 * fed, which gives each tensor's per-sample shape. The same session then serves activations.
 * From those shapes `findCode` picks the code: where the network turns from encoding to decoding.
 */
import { onnx } from 'onnx-proto';
import { product } from '../stage';
import { type ModelProto, dataInputs, declaredShape, downstreamOf, extractModel, intermediateTensors, upstreamOf, withOutputs } from './graph';
import { type Part, batchFeeds, makePart, toFloat32 } from './part';
import { type OnnxRuntime, runSession } from './runtime';

export interface Probe {
  /** The model with every per-sample intermediate tensor (and its outputs) as outputs. */
  part: Part;
  /** Per-sample shapes of the graph outputs and of the intermediate tensors that depend on the input, in graph order. */
  shapes: Map<string, number[]>;
  /** Graph outputs, in declared order. */
  outputs: string[];
}

/** Value a probing batch is filled with: inside every scaling's range, and no division by zero. */
const PROBE_VALUE = 0.5;

export async function probeModel(runtime: OnnxRuntime, file: string, model: ModelProto, inputName: string, inputShape: number[]): Promise<Probe> {
  const outputs = (model.graph!.output ?? []).map((output) => output.name!);
  // Tensors that vary with the samples (a condition's own branch counts: it is per sample too).
  const fromInput = downstreamOf(model, dataInputs(model).map((input) => input.name!));
  // Graph order, the outputs last: the order layers are listed and activations shown in.
  const exposed = [...intermediateTensors(model).filter((name) => fromInput.has(name)), ...outputs];
  const part = await makePart(runtime, file, withOutputs(model, exposed), inputName, inputShape);
  // Two samples tell per-sample tensors (first axis = batch) from small constants; a fixed batch is what it is.
  const batch = part.fixedBatch ?? 2;
  const feeds = batchFeeds(runtime, part, new Float32Array(batch * product(inputShape)).fill(PROBE_VALUE), batch, null);
  const result = await runSession(runtime, file, part.session, feeds, exposed);
  const shapes = new Map<string, number[]>();
  for (const name of exposed) {
    const tensor = result[name]!;
    const numeric = tensor.type !== 'string' && tensor.type !== 'bool';
    if (numeric && tensor.dims[0] === batch && tensor.dims.length >= 2) shapes.set(name, tensor.dims.slice(1));
    // Reading the data proves the output exists and frees the runtime's copy.
    toFloat32(tensor);
    tensor.dispose();
  }
  return { part, shapes, outputs };
}

export interface CodeCut {
  code: string;
  /** Sub-model from the input to the code. */
  encoder: ModelProto;
  /** Sub-model from the code to the main output. */
  decoder: ModelProto;
}

/**
 * The code tensor of a whole autoencoder: the narrowest per-sample tensor on the path from the
 * input to `output` that every path crosses (so a decoder can start there), followed through
 * same-size unary steps (an activation or flatten right after the bottleneck belongs to it).
 */
export function findCode(model: ModelProto, probe: Probe, inputName: string, output: string): CodeCut | null {
  const onPath = upstreamOf(model, [output]);
  const candidates = [...probe.shapes.keys()].filter((name) => name !== output && !probe.outputs.includes(name) && onPath.has(name));
  const size = (name: string) => product(probe.shapes.get(name)!);
  const order = new Map(candidates.map((name, i) => [name, i]));
  candidates.sort((a, b) => size(a) - size(b) || order.get(a)! - order.get(b)!);
  const inputType = (model.graph!.input ?? []).find((value) => value.name === inputName)!;
  const fromInput = downstreamOf(model, [inputName]);
  for (const candidate of candidates) {
    const code = followUnary(model, candidate, probe, fromInput);
    const shape = probe.shapes.get(code)!;
    const decoder = extractModel(model, [{ name: code, elemType: onnx.TensorProto.DataType.FLOAT, shape: ['batch', ...shape] }], [output]);
    if (!decoder) continue;
    const encoder = extractModel(model, [{ name: inputName, elemType: inputType.type?.tensorType?.elemType ?? 1, shape: declaredShape(inputType) }], [code]);
    if (encoder) return { code, encoder, decoder };
  }
  return null;
}

/** From `name`, steps through its only consumer while that keeps the size and reads no other data. */
function followUnary(model: ModelProto, name: string, probe: Probe, fromInput: ReadonlySet<string>): string {
  let current = name;
  for (;;) {
    const consumers = (model.graph!.node ?? []).filter((node) => (node.input ?? []).includes(current));
    if (consumers.length !== 1) return current;
    const [node] = consumers;
    const next = node!.output?.[0];
    const otherData = (node!.input ?? []).some((input) => input !== current && fromInput.has(input));
    const nextShape = next ? probe.shapes.get(next) : undefined;
    if (!next || otherData || !nextShape || product(nextShape) !== product(probe.shapes.get(current)!) || (node!.output ?? []).length !== 1) return current;
    current = next;
  }
}
