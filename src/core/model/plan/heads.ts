/**
 * What an encoder's outputs mean: the code, and for a VAE the mean and log-variance heads, named,
 * found behind a sampling layer, or packed into one output whose halves are told apart by probing.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { type FlatGraph, sampleShape, sizeOf } from '../graph';
import type { LoadedLayersModel } from '../load';
import { SAMPLING_STAND_IN_CLASS } from '../sampling';
import { mean, product } from '../../../shared/numeric';
import { type Stage, layersStage, runBatches } from '../stage';

/** What an encoder's outputs mean: the code, and for a VAE the mean/log-variance heads. */
export interface EncoderHead {
  code: SymbolicTensor;
  distribution: { mean: SymbolicTensor; logVar: SymbolicTensor } | null;
  /** Mean and log-variance packed into one output: which half is the mean. */
  packed: { meanFirst: boolean } | null;
  warnings: string[];
}

const MEAN_OUTPUT = /z_?mean|(^|_)mu($|_)|(^|_)mean($|_)/i;
const LOG_VAR_OUTPUT = /log_?var|logvar|log_?sigma/i;

/**
 * Reads an encoder's outputs: a sampling layer (stand-in) at the end gives the VAE heads as its
 * inputs; several outputs are matched by name (z_mean, z_log_var), else the first two of equal
 * size are mean and log-variance (the Keras convention); one output is the code.
 */
export function encoderHead(graph: FlatGraph, loaded: LoadedLayersModel, decoderInputSize?: number): EncoderHead {
  const warnings: string[] = [];
  const producer = (tensor: SymbolicTensor) => graph.nodes.find((node) => node.outputs.some((output) => output.id === tensor.id));
  const outputs = graph.outputs;
  const sampling = outputs.map(producer).find((node) => node?.className === SAMPLING_STAND_IN_CLASS && node.inputs.length === 2);
  if (sampling) {
    return { code: sampling.outputs[0]!, distribution: { mean: sampling.inputs[0]!, logVar: sampling.inputs[1]! }, packed: null, warnings };
  }
  if (outputs.length > 1) {
    const name = (tensor: SymbolicTensor) => tensor.sourceLayer.name;
    const mean = outputs.find((output) => MEAN_OUTPUT.test(name(output)));
    const logVar = outputs.find((output) => LOG_VAR_OUTPUT.test(name(output)));
    if (mean && logVar) return { code: mean, distribution: { mean, logVar }, packed: null, warnings };
    const [first, second] = outputs;
    if (sizeOf(first!) === sizeOf(second!)) {
      warnings.push(`${loaded.file}: outputs "${name(first!)}" and "${name(second!)}" taken as the mean and log-variance of a VAE`);
      return { code: first!, distribution: { mean: first!, logVar: second! }, packed: null, warnings };
    }
    warnings.push(`${loaded.file}: ${outputs.length} outputs; the first, "${name(first!)}", is the code`);
  }
  const code = outputs[0]!;
  if (decoderInputSize !== undefined && sizeOf(code) === 2 * decoderInputSize) {
    return { code, distribution: null, packed: { meanFirst: true }, warnings };
  }
  return { code, distribution: null, packed: null, warnings };
}

export function encoderOnlyParts(graph: FlatGraph, head: EncoderHead, peak: number) {
  const encodeModel = tfl.model({ inputs: graph.inputs, outputs: head.code });
  const distribution = head.distribution
    ? layersStage(tfl.model({ inputs: graph.inputs, outputs: [head.distribution.mean, head.distribution.logVar] }), peak)
    : null;
  const codeNode = graph.nodes.find((node) => node.outputs.some((output) => output.id === head.code.id));
  return {
    latentShape: sampleShape(head.code),
    latentLayer: codeNode?.path ?? head.code.sourceLayer.name,
    encode: layersStage(encodeModel, peak),
    distribution,
  };
}

// ---------------------------------------------------------------- packed VAE heads

/**
 * Decides which half of a packed [a | b] encoder output is the mean. A trained VAE's posterior is
 * narrower than its N(0, 1) prior, so the log-variance half is negative for any input while the
 * mean half takes both signs. Probing with constant and seeded random inputs tells them apart;
 * when the probe is inconclusive the TensorFlow tutorial's order (mean first) is assumed.
 */
export async function packedHalves(stage: Stage): Promise<{ meanFirst: boolean; warning: string }> {
  const size = product(stage.inputShape);
  const probes = [0, 0.5, 1].map((value) => new Float32Array(size).fill(value));
  let seed = 12345;
  for (let i = 0; i < 5; i++) {
    probes.push(Float32Array.from({ length: size }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647)));
  }
  const inputs = new Float32Array(probes.length * size);
  probes.forEach((probe, i) => inputs.set(probe, i * size));
  const [outputs] = await runBatches(stage, inputs, probes.length);
  const half = stage.outputSizes[0]! / 2;
  const first: number[] = [];
  const second: number[] = [];
  outputs!.forEach((value, i) => ((i % (2 * half)) < half ? first : second).push(value));
  const allNegative = (values: number[]) => values.every((value) => value < 0);
  if (allNegative(first) && !allNegative(second)) {
    return { meanFirst: false, warning: `the encoder packs log-variance then mean in one output (the first half is negative on every probe input, as log-variances of a trained VAE are)` };
  }
  if (allNegative(second) && !allNegative(first)) {
    return { meanFirst: true, warning: `the encoder packs mean then log-variance in one output (the second half is negative on every probe input)` };
  }
  return {
    meanFirst: mean(first) >= mean(second),
    warning: `the encoder packs mean and log-variance in one output; probing could not tell the halves apart, so the ${mean(first) >= mean(second) ? 'first' : 'second'} half (larger on average) is taken as the mean`,
  };
}

/** A stage returning [half] or [mean, logVar] slices of a packed stage's single output. */
export function sliceStage(stage: Stage, meanFirst: boolean, both: boolean): Stage {
  const half = stage.outputSizes[0]! / 2;
  const meanStart = meanFirst ? 0 : half;
  const logVarStart = meanFirst ? half : 0;
  return {
    ...stage,
    outputSizes: both ? [half, half] : [half],
    run: async (batch) => {
      const [packed] = await stage.run(batch);
      try {
        return tf.tidy(() => {
          const flat = tf.reshape(packed!, [packed!.shape[0]!, 2 * half]);
          const mean = tf.slice(flat, [0, meanStart], [-1, half]);
          return both ? [mean, tf.slice(flat, [0, logVarStart], [-1, half])] : [mean];
        });
      } finally {
        packed!.dispose();
      }
    },
  };
}
