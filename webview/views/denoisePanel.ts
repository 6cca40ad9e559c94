/**
 * Denoise panel: corrupt the selected samples (Gaussian σ, salt-and-pepper, masking), show
 * clean → noisy → reconstructed-from-noisy with both errors, and hand the noisy codes' positions
 * to the plot so one sees where corruption moves a sample in latent space.
 */
import { mean } from '../../src/shared/numeric';
import type { DenoiseResponse } from '../../src/shared/protocol';
import type { ModelSlot, NoiseType } from '../../src/shared/types';
import { isCancelled } from '../controller';
import { spread, type ViewContext } from './context';
import { sampleCanvas, sharedRange } from './sampleRender';
import { button, dropdown, el, field, formatNumber, numberField } from './ui';

const MAX_ROWS = 16;
const DEFAULT_LEVEL: Record<NoiseType, number> = { gaussian: 0.3, saltpepper: 0.1, mask: 0.25 };

export interface DenoisePanel {
  readonly element: HTMLElement;
  /** The samples the next run corrupts. */
  setSelection(indices: Int32Array | null): void;
}

export function denoisePanel(
  context: ViewContext,
  slot: ModelSlot,
  onNoisyPositions: (indices: Int32Array, positions: Float32Array | null) => void,
): DenoisePanel {
  const { controller, ready } = context;
  const element = el('div', 'denoise-panel');
  let noiseType: NoiseType = 'gaussian';
  let level = DEFAULT_LEVEL.gaussian;
  let seed = ready.settings.seed;
  let selection: Int32Array | null = null;
  const levelBox = el('span');
  const renderLevel = () =>
    levelBox.replaceChildren(
      field(noiseType === 'gaussian' ? 'σ' : noiseType === 'mask' ? 'masked share' : 'probability', numberField(level, { min: 0, max: noiseType === 'gaussian' ? 5 : 1, step: 0.05, name: 'level' }, (v) => (level = v))),
    );
  const typeSelect = dropdown<NoiseType>(
    [
      { value: 'gaussian', label: 'Gaussian' },
      { value: 'saltpepper', label: 'salt & pepper' },
      { value: 'mask', label: 'masking' },
    ],
    noiseType,
    (value) => {
      noiseType = value;
      level = DEFAULT_LEVEL[value];
      renderLevel();
    },
    'noise',
  );
  renderLevel();
  const status = el('div', 'panel-note', 'Select points, then add noise to see how the model reconstructs them.');
  const rows = el('div', 'denoise-rows');
  const run = button('Add noise & reconstruct', () => void denoise(), { name: 'denoise' });
  const controls = el('div', 'panel-controls');
  controls.append(field('noise', typeSelect), levelBox, field('seed', numberField(seed, { min: 0, max: 2 ** 31 - 1, step: 1 }, (v) => (seed = Math.round(v)))), run);
  element.append(controls, status, rows);

  const draw = (response: DenoiseResponse) => {
    const range = sharedRange(response.clean, response.noisy, response.denoised);
    const display = ready.dataset?.display ?? 'image';
    const header = el('div', 'denoise-row denoise-head');
    header.append(el('span', undefined, 'clean'), el('span', undefined, 'noisy'), el('span', undefined, 'recon.'), el('span', undefined, 'MSE noisy → recon.'));
    rows.replaceChildren(header);
    for (let k = 0; k < response.indices.length; k++) {
      const row = el('div', 'denoise-row');
      row.dataset.index = String(response.indices[k]);
      const improvement = response.denoisedError[k] < response.noisyError[k];
      row.append(
        sampleCanvas(response.clean, k, response.itemShape, display, range, 48),
        sampleCanvas(response.noisy, k, response.itemShape, display, range, 48),
        sampleCanvas(response.denoised, k, response.itemShape, display, range, 48),
        el('span', `denoise-errors ${improvement ? 'better' : 'worse'}`, `${formatNumber(response.noisyError[k])} → ${formatNumber(response.denoisedError[k])}`),
      );
      rows.append(row);
    }
  };

  const denoise = async () => {
    if (!selection || selection.length === 0) {
      status.textContent = 'Select some points first (box or lasso in the plot).';
      return;
    }
    const indices = spread(selection, MAX_ROWS);
    run.disabled = true;
    status.textContent = `corrupting ${indices.length} samples…`;
    try {
      const response = await controller.request('denoise', { slot, indices, noise: { type: noiseType, level }, seed }, { key: `denoise-${slot}` });
      status.textContent = `${response.indices.length} samples · mean MSE noisy ${formatNumber(mean(response.noisyError))} → reconstructed ${formatNumber(mean(response.denoisedError))}${response.noisyPositions ? ' · crosses in the plot mark where the noisy codes land' : ''}`;
      draw(response);
      onNoisyPositions(response.indices, response.noisyPositions);
    } catch (error) {
      if (!isCancelled(error)) status.textContent = 'denoising failed (see the message above)';
    } finally {
      run.disabled = false;
    }
  };

  return {
    element,
    setSelection(indices) {
      selection = indices;
    },
  };
}
