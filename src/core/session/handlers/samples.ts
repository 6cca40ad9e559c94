/** Looking at individual samples: originals and reconstructions, denoising, and layer activations. */
import type {
  ActivationsRequest,
  ActivationsResponse,
  DenoiseRequest,
  DenoiseResponse,
  SamplesRequest,
  SamplesResponse,
} from '../../../shared/protocol';
import { addNoise } from '../../data';
import { meanSquaredErrorPerSample } from '../../compute/metrics';
import { activationStats } from '../../model/activationStats';
import { checkIndices, errorsOf, gatherRows, slotOf, withData, SessionError, type SessionState } from '../state';
import { placeCodes } from './projection';

export async function samples(session: SessionState, request: SamplesRequest): Promise<SamplesResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const indices = checkIndices(state, request.indices);
  const originals = gatherRows(slot.inputs, slot.inputSize, indices);
  let reconstructions: Float32Array | null = null;
  let errors: Float32Array | null = null;
  if (request.includeReconstruction && slot.errors) {
    reconstructions = await slot.model.reconstruct(originals, indices.length);
    errors = meanSquaredErrorPerSample(originals, reconstructions, indices.length, slot.inputSize);
  }
  const { display, itemShape } = state.data.info;
  return { slot: request.slot, indices, display, itemShape, originals, reconstructions, errors };
}

export async function denoise(session: SessionState, request: DenoiseRequest): Promise<DenoiseResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  errorsOf(slot, 'this model cannot reconstruct its input, so it cannot denoise');
  const indices = checkIndices(state, request.indices);
  const m = indices.length;
  const clean = gatherRows(slot.inputs, slot.inputSize, indices);
  const noisy = addNoise(clean, request.noise, request.seed, slot.inputRange ?? undefined);
  const denoised = await slot.model.reconstruct(noisy, m);
  const noisyError = meanSquaredErrorPerSample(noisy, clean, m, slot.inputSize);
  const denoisedError = meanSquaredErrorPerSample(denoised, clean, m, slot.inputSize);
  let noisyPositions: Float32Array | null = null;
  if (slot.current) {
    const noisyCodes = await slot.model.encode(noisy, m);
    noisyPositions = placeCodes(state, slot, slot.current, noisyCodes, m);
  }
  return { slot: request.slot, indices, itemShape: state.data.info.itemShape, clean, noisy, denoised, noisyError, denoisedError, noisyPositions };
}

export async function activations(session: SessionState, request: ActivationsRequest): Promise<ActivationsResponse> {
  const state = withData(session);
  const slot = slotOf(state, request.slot);
  const indices = checkIndices(state, request.indices);
  const inputs = gatherRows(slot.inputs, slot.inputSize, indices);
  const [activation] = await slot.model.activations(inputs, indices.length, [request.layer]);
  if (!activation) throw new SessionError('invalid-argument', `the model has no layer "${request.layer}"`);
  return {
    slot: request.slot,
    layer: request.layer,
    shape: activation.shape,
    values: activation.values,
    ...activationStats(activation.values, activation.shape, indices.length),
  };
}
