/**
 * A plan says how each part of an autoencoder runs (encoder, decoder, whole model, activations)
 * once the loaders and the split have decided what the model is.
 */
import type { AutoencoderKind, LayerSummary, ModelCondition, ModelSummary } from '../../../shared/types';
import type { ActivationSource } from '../activations';
import type { LoadedModel } from '../load';
import type { Stage } from '../stage';

/** How the parts of an autoencoder are run; every field that is null is unsupported. */
export interface Plan {
  kind: AutoencoderKind;
  files: string[];
  format: ModelSummary['format'];
  dialect: ModelSummary['dialect'];
  inputShape: number[];
  latentShape: number[];
  latentLayer: string;
  outputShape: number[] | null;
  encode: Stage | null;
  distribution: Stage | null;
  decode: Stage | null;
  reconstruct: Stage | null;
  /** Activation sources in execution order; a 'code' source is fed the encoder's codes. */
  activationSources: { source: ActivationSource; feed: 'input' | 'code' }[];
  layers: LayerSummary[];
  warnings: string[];
  /** A conditional model's condition and where it joins the encoder's and decoder's inputs. */
  condition?: PlanCondition;
  dispose: () => void;
}

/** Where a condition sits among a stage's joined inputs; null when that part does not take it. */
export interface PlanCondition extends ModelCondition {
  encoder: ConditionPlace;
  decoder: ConditionPlace;
}

export type ConditionPlace = 'first' | 'last' | null;

/** Frees a loaded tfjs model's weights. */
export function disposeLoaded(loaded: LoadedModel): void {
  if (loaded.format === 'graph-model') {
    loaded.model.dispose();
    return;
  }
  // The split and activation models re-apply the same layers, raising tfjs' per-layer reference
  // counts, so LayersModel.dispose() would keep the weights alive: free the variables directly.
  for (const weight of new Set(loaded.model.weights)) weight.dispose();
}
