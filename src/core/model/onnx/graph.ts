/**
 * Graph surgery on ONNX models with onnx-proto (protobufjs): list the intermediate tensors,
 * expose some of them as outputs, and cut out the sub-graph between chosen inputs and outputs,
 * what Python's `onnx.utils.extract_model` does.
 */
import { onnx } from 'onnx-proto';

export type ModelProto = onnx.ModelProto;

/** A protobuf int64 (a number, or a Long when long.js is loaded) as a number. */
export function toNumber(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** The graph's inputs that are data, not initializers listed as inputs (older exporters do that). */
export function dataInputs(model: ModelProto): onnx.IValueInfoProto[] {
  const graph = model.graph!;
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  return (graph.input ?? []).filter((input) => !initializers.has(input.name));
}

/** Declared dimensions of a value: numbers, or the symbolic name (or null) of a free one. */
export function declaredShape(value: onnx.IValueInfoProto): (number | string | null)[] {
  const dims = value.type?.tensorType?.shape?.dim ?? [];
  return dims.map((dim) => (dim.dimValue !== null && dim.dimValue !== undefined && toNumber(dim.dimValue) > 0 ? toNumber(dim.dimValue) : dim.dimParam || null));
}

/** Element type of a value (onnx.TensorProto.DataType), 0 when undeclared. */
export function elementType(value: onnx.IValueInfoProto): number {
  return value.type?.tensorType?.elemType ?? 0;
}

/** Outputs of every node, in the graph's (topological) order, that are not graph outputs. */
export function intermediateTensors(model: ModelProto): string[] {
  const graph = model.graph!;
  const outputs = new Set((graph.output ?? []).map((output) => output.name));
  return (graph.node ?? []).flatMap((node) => (node.output ?? []).filter((name) => name && !outputs.has(name)));
}

/** Tensors computed from `sources` (data flows forward through nodes). */
export function downstreamOf(model: ModelProto, sources: readonly string[]): Set<string> {
  const reached = new Set(sources);
  for (const node of model.graph!.node ?? []) {
    if ((node.input ?? []).some((name) => reached.has(name))) for (const name of node.output ?? []) reached.add(name);
  }
  return reached;
}

/** Tensors that `targets` depend on, walking backward and stopping at `stops`. */
export function upstreamOf(model: ModelProto, targets: readonly string[], stops: ReadonlySet<string> = new Set()): Set<string> {
  const producer = producers(model);
  const reached = new Set<string>();
  const pending = [...targets];
  while (pending.length) {
    const name = pending.pop()!;
    if (reached.has(name)) continue;
    reached.add(name);
    if (stops.has(name)) continue;
    const node = producer.get(name);
    if (node) pending.push(...(node.input ?? []).filter((input) => input));
  }
  return reached;
}

function producers(model: ModelProto): Map<string, onnx.INodeProto> {
  const map = new Map<string, onnx.INodeProto>();
  for (const node of model.graph!.node ?? []) for (const name of node.output ?? []) map.set(name, node);
  return map;
}

/** A copy of `model` whose outputs are `outputs` (original outputs keep their declared types). */
export function withOutputs(model: ModelProto, outputs: readonly string[]): ModelProto {
  const declared = new Map((model.graph!.output ?? []).map((output) => [output.name, output]));
  const graph = onnx.GraphProto.create({
    ...model.graph!,
    output: outputs.map((name) => declared.get(name) ?? onnx.ValueInfoProto.create({ name })),
  });
  return onnx.ModelProto.create({ ...model, graph });
}

/**
 * The sub-model from `inputs` to `outputs`: the nodes the outputs need, walking back until an
 * input; the initializers those nodes read; the inputs declared with `inputTypes` when they are
 * not graph inputs already. Returns null when the outputs need a graph input other than `inputs`
 * (a skip connection around the cut), which makes the cut unusable.
 */
export function extractModel(
  model: ModelProto,
  inputs: readonly { name: string; elemType: number; shape: (number | string | null)[] }[],
  outputs: readonly string[],
): ModelProto | null {
  const graph = model.graph!;
  const inputNames = new Set(inputs.map((input) => input.name));
  const needed = upstreamOf(model, outputs, inputNames);
  const otherInputs = dataInputs(model).filter((input) => !inputNames.has(input.name!) && needed.has(input.name!));
  if (otherInputs.length) return null;
  const nodes = (graph.node ?? []).filter((node) => (node.output ?? []).some((name) => needed.has(name) && !inputNames.has(name)));
  const initializers = (graph.initializer ?? []).filter((tensor) => needed.has(tensor.name!) && !inputNames.has(tensor.name!));
  const declaredOutputs = new Map((graph.output ?? []).map((output) => [output.name, output]));
  const valueInfo = (graph.valueInfo ?? []).filter((info) => needed.has(info.name!) && !inputNames.has(info.name!));
  const sub = onnx.GraphProto.create({
    name: `${graph.name || 'graph'}_extracted`,
    node: nodes,
    initializer: initializers,
    sparseInitializer: graph.sparseInitializer,
    input: inputs.map((input) => valueInfoOf(input.name, input.elemType, input.shape)),
    output: outputs.map((name) => declaredOutputs.get(name) ?? onnx.ValueInfoProto.create({ name })),
    valueInfo,
  });
  return onnx.ModelProto.create({ ...model, graph: sub });
}

export function valueInfoOf(name: string, elemType: number, shape: (number | string | null)[]): onnx.ValueInfoProto {
  const dim = shape.map((value) => (typeof value === 'number' ? { dimValue: value } : { dimParam: value ?? 'batch' }));
  return onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, shape: { dim } } } });
}

/** Node that produces each tensor: op type and name, for layer summaries. */
export function producerInfo(model: ModelProto): Map<string, { op: string; node: string; params: number }> {
  const sizes = new Map((model.graph!.initializer ?? []).map((tensor) => [tensor.name!, (tensor.dims ?? []).reduce<number>((total, dim) => total * toNumber(dim), 1)]));
  const info = new Map<string, { op: string; node: string; params: number }>();
  for (const node of model.graph!.node ?? []) {
    const params = (node.input ?? []).reduce((total, name) => total + (sizes.get(name) ?? 0), 0);
    for (const name of node.output ?? []) info.set(name, { op: node.opType ?? '', node: node.name || name, params });
  }
  return info;
}
