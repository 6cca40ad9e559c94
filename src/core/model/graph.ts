/**
 * A flat view of a layers model: every primitive layer, nested sub-models included, re-applied
 * to fresh symbolic inputs in execution order. The same layer objects (and so the same weights)
 * run the same kernels in the same order, so any sub-model cut from it computes bit for bit what
 * the original computes, while inner layers become addressable for splits and activations.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';

type Layer = tfl.layers.Layer;
type Kwargs = Record<string, unknown>;

/** One layer call in the flat graph. */
export interface FlatNode {
  /** Slash-separated path through nested models, e.g. `encoder/conv2d_1`. */
  path: string;
  layer: Layer;
  className: string;
  /** 0 at the top level, 1 inside a nested model, … */
  depth: number;
  /** A nested model (its own layers follow it as separate nodes) or an input placeholder. */
  kind: 'layer' | 'container' | 'input';
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
}

export interface FlatGraph {
  inputs: SymbolicTensor[];
  outputs: SymbolicTensor[];
  /** Inputs first, then every call in an order where producers precede consumers. */
  nodes: FlatNode[];
  /** Whether nested models were opened (false when their layer names clash). */
  expanded: boolean;
}

/**
 * Flattens `model`. Nested models are opened unless two of their layers share a name (a tfjs
 * model needs unique names), in which case they stay whole.
 */
export function flattenModel(model: tfl.LayersModel): FlatGraph {
  const expanded = hasUniqueLayerNames(model);
  const inputs = model.inputs.map((input) =>
    tfl.input({ batchShape: input.shape, dtype: input.dtype, name: `le_${input.sourceLayer.name}` }),
  );
  const nodes: FlatNode[] = model.inputs.map((original, i) => ({
    path: original.sourceLayer.name,
    layer: inputs[i]!.sourceLayer,
    className: 'InputLayer',
    depth: 0,
    kind: 'input',
    inputs: [],
    outputs: [inputs[i]!],
  }));
  const outputs = replay(model, inputs, '', 0, nodes, expanded);
  return { inputs, outputs, nodes, expanded };
}

/** A call of one layer in a model's own graph, as its symbolic tensors record it. */
interface Call {
  layer: Layer;
  inputs: SymbolicTensor[];
  callArgs: Kwargs;
  /** Outputs used downstream, by their index in the layer's output list. */
  outputs: SymbolicTensor[];
}

function replay(
  model: tfl.LayersModel,
  newInputs: SymbolicTensor[],
  prefix: string,
  depth: number,
  nodes: FlatNode[],
  expand: boolean,
): SymbolicTensor[] {
  const mapped = new Map<number, SymbolicTensor>();
  model.inputs.forEach((input, i) => mapped.set(input.id, newInputs[i]!));
  for (const call of callsInOrder(model)) {
    const inputs = call.inputs.map((tensor) => mapped.get(tensor.id)!);
    const path = prefix + call.layer.name;
    let outputs: SymbolicTensor[];
    if (expand && call.layer instanceof tfl.LayersModel) {
      const container: FlatNode = {
        path,
        layer: call.layer,
        className: call.layer.getClassName(),
        depth,
        kind: 'container',
        inputs,
        outputs: [],
      };
      nodes.push(container);
      outputs = replay(call.layer, inputs, `${path}/`, depth + 1, nodes, expand);
      container.outputs = outputs;
    } else {
      const result = call.layer.apply(inputs.length === 1 ? inputs[0]! : inputs, withoutMask(call.callArgs));
      outputs = (Array.isArray(result) ? result : [result]) as SymbolicTensor[];
      nodes.push({ path, layer: call.layer, className: call.layer.getClassName(), depth, kind: 'layer', inputs, outputs });
    }
    for (const original of call.outputs) mapped.set(original.id, outputs[original.tensorIndex]!);
  }
  return model.outputs.map((output) => mapped.get(output.id)!);
}

/** Masks are symbolic tensors of the original graph; Keras recomputes them on the new one. */
function withoutMask(callArgs: Kwargs | undefined): Kwargs {
  const rest = { ...callArgs };
  delete rest.mask;
  return rest;
}

/** The calls that produce `model.outputs`, producers before consumers. */
function callsInOrder(model: tfl.LayersModel): Call[] {
  const inputIds = new Set(model.inputs.map((input) => input.id));
  const calls = new Map<string, Call>();
  const order: Call[] = [];
  const visit = (tensor: SymbolicTensor): void => {
    if (inputIds.has(tensor.id)) return;
    const key = `${tensor.sourceLayer.id}:${tensor.nodeIndex}`;
    const known = calls.get(key);
    if (known) {
      if (!known.outputs.some((output) => output.id === tensor.id)) known.outputs.push(tensor);
      return;
    }
    const call: Call = { layer: tensor.sourceLayer, inputs: tensor.inputs, callArgs: tensor.callArgs, outputs: [tensor] };
    calls.set(key, call);
    tensor.inputs.forEach(visit);
    order.push(call);
  };
  model.outputs.forEach(visit);
  return order;
}

function hasUniqueLayerNames(model: tfl.LayersModel): boolean {
  const seen = new Set<string>();
  const visit = (container: tfl.LayersModel): boolean =>
    container.layers.every((layer) => {
      if (layer instanceof tfl.LayersModel) return visit(layer);
      if (layer.getClassName() === 'InputLayer') return true;
      if (seen.has(layer.name)) return false;
      seen.add(layer.name);
      return true;
    });
  return visit(model);
}

/** Values per sample of a symbolic tensor (product of its non-batch dimensions). */
export function sizeOf(tensor: SymbolicTensor): number {
  return tensor.shape.slice(1).reduce<number>((product, dim) => product * (dim ?? 1), 1);
}

/** The shape of one sample (batch dimension dropped); unknown dimensions become 1. */
export function sampleShape(tensor: SymbolicTensor): number[] {
  return tensor.shape.slice(1).map((dim) => dim ?? 1);
}
