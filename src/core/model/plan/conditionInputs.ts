/** Which input of a model is a condition (a one-hot label) and which the sample or code. */
import type { LoadedModel } from '../load';
import { product } from '../../../shared/numeric';
import { graphInputs } from '../stage';
import type { ConditionPlace } from './plan';

/** Names authors give a condition input (a CVAE's one-hot label). */
const CONDITION_NAME = /label|cond|class|one_?hot|target|(^|_)y($|_)/i;

/** A model input as the pairing sees it. */
export interface NamedInput {
  name: string;
  shape: number[];
}

export function inputsOf(loaded: LoadedModel): NamedInput[] {
  if (loaded.format === 'graph-model') return graphInputs(loaded.model);
  return loaded.model.inputs.map((input) => ({ name: input.sourceLayer.name, shape: input.shape.slice(1).map((dim) => dim ?? 1) }));
}

/**
 * Of two inputs, which is the condition: the one named like a label, else the smaller one (a
 * label is shorter than an image or a code), else the second. Null for one input.
 */
export function conditionInput(inputs: NamedInput[]): number | null {
  if (inputs.length !== 2) return null;
  const named = inputs.findIndex((input) => CONDITION_NAME.test(input.name));
  if (named >= 0 && !CONDITION_NAME.test(inputs[1 - named]!.name)) return named;
  const [first, second] = inputs.map((input) => product(input.shape));
  return first! < second! ? 0 : 1;
}

export const placeOf = (index: number | null): ConditionPlace => (index === null ? null : index === 0 ? 'first' : 'last');
