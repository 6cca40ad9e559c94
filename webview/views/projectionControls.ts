/**
 * Projection controls: method, 2-D/3-D, the method's parameters (perplexity; nNeighbors and
 * minDist; which PCs), seed, and Run. It only gathers the choice; the view runs it.
 */
import type { ProjectionMethod, ProjectionParams } from '../../src/shared/types';
import type { UiState } from './context';
import { button, dropdown, el, field, numberField, segmented } from './ui';

export interface ProjectionChoice {
  method: ProjectionMethod;
  dims: 2 | 3;
  seed: number;
  params: ProjectionParams;
}

export const METHOD_NAMES: Record<ProjectionMethod, string> = { pca: 'PCA', tsne: 't-SNE', umap: 'UMAP' };

export interface ProjectionControls {
  readonly element: HTMLElement;
  choice(): ProjectionChoice;
  setBusy(busy: boolean): void;
}

/** `latentSize` bounds the PC choice; `onRun` fires with the current choice. */
export function projectionControls(
  initial: UiState,
  defaults: { method: ProjectionMethod; seed: number },
  latentSize: number,
  onRun: (choice: ProjectionChoice) => void,
  onChange: (patch: Partial<UiState>) => void,
): ProjectionControls {
  const state = {
    method: initial.method ?? defaults.method,
    dims: initial.dims ?? 2,
    perplexity: initial.perplexity ?? 30,
    nNeighbors: initial.nNeighbors ?? 15,
    minDist: initial.minDist ?? 0.1,
    components: initial.components ?? [0, 1, 2],
    seed: initial.seed ?? defaults.seed,
  };
  const element = el('div', 'projection-controls');
  const paramsBox = el('div', 'params');
  const maxPc = Math.max(0, latentSize - 1);
  const update = (patch: Partial<typeof state>) => {
    Object.assign(state, patch);
    onChange(patch);
    renderParams();
  };
  const renderParams = () => {
    const fields: HTMLElement[] = [];
    if (state.method === 'tsne') {
      fields.push(field('perplexity', numberField(state.perplexity, { min: 2, max: 100, name: 'perplexity' }, (v) => update({ perplexity: v }))));
    } else if (state.method === 'umap') {
      fields.push(field('neighbours', numberField(state.nNeighbors, { min: 2, max: 200, step: 1, name: 'nNeighbors' }, (v) => update({ nNeighbors: Math.round(v) }))));
      fields.push(field('min dist', numberField(state.minDist, { min: 0, max: 1, step: 0.05, name: 'minDist' }, (v) => update({ minDist: v }))));
    } else {
      const axes = state.dims === 3 ? ['x', 'y', 'z'] : ['x', 'y'];
      axes.forEach((axis, c) => {
        const pc = Math.min(state.components[c] ?? c, maxPc);
        fields.push(
          field(
            `PC ${axis}`,
            numberField(pc + 1, { min: 1, max: maxPc + 1, step: 1, name: `pc-${axis}` }, (v) => {
              const components = state.components.slice();
              components[c] = Math.round(v) - 1;
              update({ components });
            }),
          ),
        );
      });
    }
    fields.push(field('seed', numberField(state.seed, { min: 0, max: 2 ** 31 - 1, step: 1, name: 'seed' }, (v) => update({ seed: Math.round(v) }))));
    paramsBox.replaceChildren(...fields);
  };
  const methodSelect = dropdown(
    (['pca', 'tsne', 'umap'] as const).map((value) => ({ value, label: METHOD_NAMES[value] })),
    state.method,
    (method) => update({ method }),
    'method',
  );
  const dimsToggle = segmented(
    [
      { value: '2', label: '2-D' },
      { value: '3', label: '3-D' },
    ],
    String(state.dims) as '2' | '3',
    (value) => update({ dims: value === '3' ? 3 : 2 }),
    'dims',
  );
  const run = button('Project', () => onRun(api.choice()), { name: 'run' });
  element.append(field('method', methodSelect), dimsToggle.element, paramsBox, run);
  renderParams();

  const api: ProjectionControls = {
    element,
    choice() {
      const params: ProjectionParams =
        state.method === 'tsne'
          ? { perplexity: state.perplexity }
          : state.method === 'umap'
            ? { nNeighbors: state.nNeighbors, minDist: state.minDist }
            : { components: state.components.slice(0, state.dims).map((c) => Math.min(c, maxPc)) };
      return { method: state.method, dims: state.dims, seed: state.seed, params };
    },
    setBusy(busy) {
      run.disabled = busy;
    },
  };
  return api;
}
