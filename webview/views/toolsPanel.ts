/**
 * Latent tools (the explorer's "Tools" tab): decode the spot under the cursor, nearest neighbours
 * of a sample, paths between samples or class centroids, traversals along a unit or a principal
 * component, prior samples of a VAE (decoded, and overlaid on the plot), latent unit health (KL
 * per unit, sparsity, class means), k-means clusters with their decoded centroids, anomalies by
 * reconstruction error with a threshold slider, the encoder-sensitivity ranking, and export of
 * codes. The host computes every number; this panel asks and draws.
 */
import type { FramesResponse, RankRequest, RankResponse } from '../../src/shared/protocol';
import type { ModelSlot, SampleDisplay } from '../../src/shared/types';
import { isCancelled } from '../controller';
import type { ScatterPlot } from '../charts/scatter';
import { unitHistogramGrid } from '../charts/unitHistograms';
import { heatmap, valueColor } from './activationView';
import { conditionPicker } from './conditionPicker';
import type { ViewContext } from './context';
import { sampleCanvas, sharedRange } from './sampleRender';
import { button, dropdown, el, field, formatCount, formatNumber, numberField } from './ui';

export interface ToolsPanel {
  readonly element: HTMLElement;
  setSelection(indices: Int32Array | null): void;
}

/** What the tools need from the explorer besides the host. */
export interface ToolsHost {
  scatter: ScatterPlot;
  /** Selects samples as if brushed (the selection panel shows them); `reveal` switches to that panel. */
  select(indices: Int32Array | null, reveal?: boolean): void;
  /** Saves bytes: a download in the browser, the host's save dialog in VS Code. */
  /** Where the bytes went, or null when the user cancelled. */
  save(fileName: string, mime: string, data: Uint8Array): Promise<string | null>;
}

function section(title: string, ...content: HTMLElement[]): HTMLElement {
  const box = el('section', 'tool-section');
  box.append(el('div', 'panel-subtitle', title), ...content);
  return box;
}

/** Prior samples decoded in the grid; many more are overlaid on the plot, where holes show. */
const PRIOR_GRID = 16;
const PRIOR_OVERLAY = 400;
/** Most sensitive samples shown as thumbnails. */
const SENSITIVE_SHOWN = 12;

/** Decoded frames in a row (the first `limit`), each with an optional caption. */
function framesStrip(response: FramesResponse, display: SampleDisplay, captions?: string[], limit = Infinity): HTMLElement {
  const strip = el('div', 'frames-strip');
  const perFrame = response.itemShape.reduce((a, b) => a * b, 1);
  const count = Math.min(limit, response.frames.length / perFrame);
  const range = sharedRange(response.frames);
  for (let k = 0; k < count; k++) {
    const cell = el('div', 'frame');
    cell.append(sampleCanvas(response.frames, k, response.itemShape, display, range, 44));
    if (captions?.[k]) cell.append(el('span', undefined, captions[k]));
    strip.append(cell);
  }
  return strip;
}

export function toolsPanel(context: ViewContext, slot: ModelSlot, host: ToolsHost): ToolsPanel {
  const { controller, ready } = context;
  const model = ready.models.find((m) => m.slot === slot);
  const latentSize = model?.summary.latent.size ?? 1;
  const display = ready.dataset?.display ?? 'image';
  const classes = ready.dataset?.labels?.classes ?? null;
  // A conditional decoder decodes every code of these tools with the class picked here.
  const condition = conditionPicker(model?.summary.condition);
  const element = el('div', 'tools-panel');
  let selection: Int32Array | null = null;
  const note = (text: string) => el('div', 'panel-note', text);
  const failed = (box: HTMLElement) => (error: unknown) => {
    if (!isCancelled(error)) box.replaceChildren(note(error instanceof Error ? error.message : String(error)));
  };

  // ---- decode under the cursor ----
  const decodeOut = el('div', 'decode-out');
  decodeOut.append(note('Turn on, then move over the plot (in 3-D: the spot on the plane through the centre of the cloud, facing you).'));
  let probing = false;
  const probeButton = button(
    'Decode under cursor',
    () => {
      probing = !probing;
      host.scatter.setProbe(probing);
      probeButton.secondary = !probing;
      probeButton.textContent = probing ? 'Stop decoding' : 'Decode under cursor';
    },
    { secondary: true, name: 'probe' },
  );
  host.scatter.on('probe', (point) => {
    controller
      .request('decodeAt', { slot, point, ...condition.chosen() }, { key: `decodeAt-${slot}`, silent: true })
      .then((response) => {
        const image = sampleCanvas(response.image, 0, response.itemShape, display, sharedRange(response.image), 112);
        const ratio = response.distanceToData / (response.typicalSpacing || 1);
        const text = el('div', `decode-text ${ratio > 2 ? 'off-manifold' : ''}`);
        text.append(
          el('div', 'decode-at', `at (${Array.from(point, formatNumber).join(', ')}) · ${response.method === 'pca-inverse' ? 'exact PCA inverse' : 'blend of nearest codes'}`),
          el('div', undefined, `distance to data ${formatNumber(response.distanceToData)} (typical spacing ${formatNumber(response.typicalSpacing)})`),
          el('div', undefined, ratio > 2 ? 'off the data: the decoder is extrapolating' : 'within the data'),
        );
        decodeOut.replaceChildren(image, text);
      })
      .catch(failed(decodeOut));
  });

  // ---- neighbors ----
  let k = 12;
  let metric: 'euclidean' | 'cosine' = 'euclidean';
  const neighborsOut = el('div');
  const findNeighbors = async () => {
    if (!selection?.length) {
      neighborsOut.replaceChildren(note('Select a sample first (click a point in Pan mode).'));
      return;
    }
    const index = selection[0];
    try {
      const response = await controller.request('neighbors', { slot, index, k, metric }, { key: `neighbors-${slot}` });
      const samples = await controller.request('samples', { slot, indices: Int32Array.of(index, ...response.indices), includeReconstruction: false });
      const range = sharedRange(samples.originals);
      const grid = el('div', 'frames-strip');
      for (let j = 0; j < samples.indices.length; j++) {
        const cell = el('div', j === 0 ? 'frame query' : 'frame');
        cell.append(sampleCanvas(samples.originals, j, samples.itemShape, samples.display, range, 44));
        cell.append(el('span', undefined, j === 0 ? `#${index}` : formatNumber(response.distances[j - 1])));
        grid.append(cell);
      }
      neighborsOut.replaceChildren(grid);
      host.scatter.setEmphasis(Int32Array.of(index, ...response.indices));
    } catch (error) {
      failed(neighborsOut)(error);
    }
  };

  // ---- paths ----
  let steps = 10;
  let mode: 'linear' | 'slerp' = model?.summary.kind === 'vae' ? 'slerp' : 'linear';
  let fromClass = 0;
  let toClass = Math.min(1, (classes?.length ?? 1) - 1);
  const pathOut = el('div');
  const showFrames = (out: HTMLElement, response: FramesResponse, captions?: string[]) => {
    out.replaceChildren(framesStrip(response, display, captions));
    host.scatter.setPath(response.positions);
  };
  const samplePath = () => {
    if (!selection || selection.length < 2) {
      pathOut.replaceChildren(note('Select at least two samples: the path runs from the first to the last.'));
      return;
    }
    const request = { slot, from: { kind: 'sample' as const, index: selection[0] }, to: { kind: 'sample' as const, index: selection[selection.length - 1] }, steps, mode, ...condition.chosen() };
    controller.request('interpolate', request, { key: `path-${slot}` }).then((r) => showFrames(pathOut, r), failed(pathOut));
  };
  const classPath = () => {
    const request = { slot, from: { kind: 'classCentroid' as const, label: fromClass }, to: { kind: 'classCentroid' as const, label: toClass }, steps, mode, ...condition.chosen() };
    controller.request('interpolate', request, { key: `path-${slot}` }).then((r) => showFrames(pathOut, r), failed(pathOut));
  };
  const classChoices = (classes ?? []).map((name, code) => ({ value: String(code), label: name }));

  // ---- traversal ----
  let axisKind: 'unit' | 'pc' = 'pc';
  let axisIndex = 0;
  const traverseOut = el('div');
  const traverse = () => {
    const anchor = selection?.length ? selection[0] : null;
    controller
      .request('traverse', { slot, axis: { kind: axisKind, index: axisIndex }, steps: 9, anchor, ...condition.chosen() }, { key: `traverse-${slot}` })
      .then((r) => showFrames(traverseOut, r, r.offsets ? Array.from(r.offsets, (o) => `${o > 0 ? '+' : ''}${formatNumber(o)}`) : undefined), failed(traverseOut));
  };

  // ---- health ----
  const healthOut = el('div');
  const health = () => {
    controller
      .request('latentHealth', { slot }, { key: `health-${slot}` })
      .then((r) => {
        const bars = (values: Float32Array) => sampleCanvas(values, 0, [values.length], 'tabular', { min: 0, max: Math.max(...values, 1e-9) }, 64);
        const stats = el('div', 'activation-stats');
        const meanSparsity = r.sparsity.reduce((a, v) => a + v, 0) / Math.max(1, r.sparsity.length);
        const rows: [string, string][] = [
          ['active units', `${r.activeUnits} of ${r.mean.length}`],
          ['dead units', String(r.deadUnits)],
          ['near-zero codes', `${formatNumber(100 * meanSparsity)} %`],
        ];
        if (r.klTotal !== null) rows.push(['KL to the prior', `${formatNumber(r.klTotal)} nats`], ['collapsed units (KL < 0.01)', `${r.collapsedUnits} of ${r.mean.length}`]);
        for (const [name, value] of rows) {
          const item = el('div', 'stat');
          item.append(el('span', 'stat-name', name), el('span', 'stat-value', value));
          stats.append(item);
        }
        healthOut.replaceChildren(stats, el('div', 'panel-subtitle', 'variance per unit'), bars(r.variance));
        if (r.klPerUnit) {
          const klValues = el('div', 'panel-note kl-per-unit', Array.from(r.klPerUnit, (v, unit) => `z${unit} ${formatNumber(v)}`).join(' · '));
          healthOut.append(el('div', 'panel-subtitle', 'KL to the prior per unit (nats)'), bars(r.klPerUnit), klValues);
        }
        healthOut.append(el('div', 'panel-subtitle', 'share of near-zero values per unit'), bars(r.sparsity));
        const byClass = r.histograms.groups > 1 && classes;
        healthOut.append(
          el('div', 'panel-subtitle', byClass ? 'distribution of each unit by class (class colours as in the plot)' : 'distribution of each unit'),
          unitHistogramGrid(r.histograms, byClass ? classes : null),
        );
        if (r.classMeans && classes) {
          const size = r.mean.length;
          const rowsCount = r.classMeans.length / size;
          const means = r.classMeans;
          const map = heatmap(means, rowsCount, size, valueColor(Math.min(...means), Math.max(...means)));
          map.classList.add('class-means');
          map.title = `rows: ${classes.join(', ')}; columns: units 0–${size - 1}`;
          healthOut.append(el('div', 'panel-subtitle', 'mean code per class (rows) and unit (columns)'), map);
        }
      })
      .catch(failed(healthOut));
  };

  // ---- prior ----
  const priorOut = el('div');
  const prior = () => {
    controller
      .request('priorSamples', { slot, count: PRIOR_OVERLAY, seed: ready.settings.seed, ...condition.chosen() }, { key: `prior-${slot}` })
      .then((r) => {
        const where = r.positions ? `all ${PRIOR_OVERLAY} are marked ◇ on the plot: where they fall without data, the decoder was never trained` : 'project the codes to see them on the plot';
        priorOut.replaceChildren(el('div', 'panel-subtitle', `samples of N(0, I), decoded (first ${PRIOR_GRID})`), framesStrip(r, display, undefined, PRIOR_GRID), note(where));
        host.scatter.setMarkers(r.positions);
      }, failed(priorOut));
  };

  // ---- anomalies ----
  // The slider moves the threshold; every move asks the host for the flagged samples (latest wins).
  const anomaliesOut = el('div', 'anomalies-out');
  const slider = el('input', 'threshold-slider');
  slider.type = 'range';
  slider.dataset.name = 'anomaly-threshold';
  slider.hidden = true;
  const sliderText = el('div', 'panel-note anomaly-text');
  const shownCount = ready.dataset?.shownCount ?? 0;
  const describeThreshold = (r: RankResponse) =>
    `${formatCount(r.flaggedCount)} of ${formatCount(shownCount)} flagged above ${formatNumber(r.threshold)} ` +
    `(mean + ${formatNumber((r.threshold - r.mean) / (r.std || 1))}σ, ${formatNumber(r.percentile)}th percentile)`;
  const flag = (threshold: RankRequest['threshold']) => {
    controller
      .request('rank', { column: { kind: 'reconstructionError', slot }, threshold, limit: shownCount }, { key: `anomalies-${slot}` })
      .then((r) => {
        if (slider.hidden) {
          slider.min = String(r.min);
          slider.max = String(r.max);
          slider.step = String((r.max - r.min) / 1000 || 1e-6);
          slider.hidden = false;
        }
        // The slider follows a threshold set another way (the default, a percentile).
        if (typeof threshold !== 'number') slider.value = String(r.threshold);
        sliderText.textContent = `${describeThreshold(r)}; highlighted on the plot, with their reconstructions (highest error first) in the Selection tab`;
        anomaliesOut.replaceChildren(slider, sliderText);
        // The slider stays in view: the selection changes without switching tabs.
        host.select(r.flaggedCount ? r.indices.slice(0, r.flaggedCount) : null, false);
      })
      .catch(failed(anomaliesOut));
  };
  slider.addEventListener('input', () => flag(Number(slider.value)));
  const anomalies = () => flag(null);

  // ---- sensitivity ----
  const sensitivityOut = el('div');
  const sensitivity = () => {
    sensitivityOut.replaceChildren(note('estimating ‖J‖ for every sample…'));
    controller
      .request('rank', { column: { kind: 'sensitivity', slot }, threshold: null, limit: SENSITIVE_SHOWN }, { key: `sensitivity-${slot}` })
      .then(async (r) => {
        const samples = await controller.request('samples', { slot, indices: r.indices, includeReconstruction: false });
        const range = sharedRange(samples.originals);
        const strip = el('div', 'frames-strip sensitive');
        r.indices.forEach((index, k) => {
          const cell = el('div', 'frame');
          cell.dataset.index = String(index);
          cell.title = `#${index}: ‖J‖ ${formatNumber(r.values[k])}; click to select`;
          cell.append(sampleCanvas(samples.originals, k, samples.itemShape, samples.display, range, 44), el('span', undefined, formatNumber(r.values[k])));
          cell.addEventListener('click', () => host.select(Int32Array.of(index)));
          strip.append(cell);
        });
        const summary = `‖J‖ mean ${formatNumber(r.mean)}, range ${formatNumber(r.min)}–${formatNumber(r.max)}; ${formatCount(r.flaggedCount)} above mean + 3σ`;
        const selectFlagged = button('Select those above mean + 3σ', () => host.select(r.indices.slice(0, r.flaggedCount)), { secondary: true, name: 'select-sensitive' });
        sensitivityOut.replaceChildren(note(summary), strip, ...(r.flaggedCount > 0 && r.flaggedCount <= r.indices.length ? [selectFlagged] : []));
      })
      .catch(failed(sensitivityOut));
  };

  // ---- clusters ----
  let clusterK: number | null = null;
  const clustersOut = el('div');
  const clusters = () => {
    clustersOut.replaceChildren(note('clustering…'));
    controller
      .request('clusterCentroids', { slot, k: clusterK }, { key: `clusters-${slot}` })
      .then((r) => {
        const summary = `k = ${r.k}${clusterK === null ? ' (best silhouette)' : ''} · silhouette ${formatNumber(r.silhouette)} · purity ${r.purity === null ? 'n/a (no labels)' : formatNumber(r.purity)}`;
        const captions = Array.from(r.sizes, (size, c) => `${c + 1}: ${formatCount(size)}`);
        clustersOut.replaceChildren(note(summary), framesStrip(r, display, captions), note(r.positions ? 'centroids are marked ◇ on the plot' : ''));
        host.scatter.setMarkers(r.positions);
      })
      .catch(failed(clustersOut));
  };

  // ---- export ----
  let format: 'csv' | 'json' | 'npy' = 'csv';
  const exportOut = el('div');
  const exportCodes = () => {
    controller
      .request('exportCodes', { slot, format, indices: selection?.length ? selection : null })
      .then(async (r) => {
        const savedTo = await host.save(r.fileName, r.mime, r.data);
        exportOut.replaceChildren(note(savedTo === null ? 'export cancelled' : `${savedTo} (${formatCount(r.data.length)} bytes)`));
      })
      .catch(failed(exportOut));
  };

  const neighborControls = el('div', 'panel-controls');
  neighborControls.append(
    field('k', numberField(k, { min: 1, max: 200, step: 1, name: 'neighbors-k' }, (v) => (k = Math.round(v)))),
    dropdown(
      [
        { value: 'euclidean', label: 'Euclidean' },
        { value: 'cosine', label: 'cosine' },
      ],
      metric,
      (v) => (metric = v),
    ),
    button('Find', () => void findNeighbors(), { name: 'neighbors' }),
  );
  const pathControls = el('div', 'panel-controls');
  pathControls.append(
    field('steps', numberField(steps, { min: 2, max: 32, step: 1 }, (v) => (steps = Math.round(v)))),
    dropdown(
      [
        { value: 'linear', label: 'linear' },
        { value: 'slerp', label: 'spherical' },
      ],
      mode,
      (v) => (mode = v),
    ),
    button('First → last selected', samplePath, { secondary: true, name: 'path-samples' }),
  );
  const classPathControls = el('div', 'panel-controls');
  if (classChoices.length > 1) {
    classPathControls.append(
      dropdown(classChoices, String(fromClass), (v) => (fromClass = Number(v))),
      el('span', undefined, '→'),
      dropdown(classChoices, String(toClass), (v) => (toClass = Number(v))),
      button('Class centroids', classPath, { secondary: true, name: 'path-classes' }),
    );
  }
  const traverseControls = el('div', 'panel-controls');
  traverseControls.append(
    dropdown(
      [
        { value: 'pc', label: 'principal component' },
        { value: 'unit', label: 'latent unit' },
      ],
      axisKind,
      (v) => (axisKind = v),
    ),
    field('index', numberField(axisIndex, { min: 0, max: latentSize - 1, step: 1 }, (v) => (axisIndex = Math.round(v)))),
    button('Traverse', traverse, { secondary: true, name: 'traverse' }),
  );
  const healthControls = el('div', 'panel-controls');
  healthControls.append(button('Measure', health, { secondary: true, name: 'health' }));
  if (model?.summary.kind === 'vae') healthControls.append(button('Sample the prior', prior, { secondary: true, name: 'prior' }));
  const anomalyControls = el('div', 'panel-controls');
  const percentileInput = numberField(99, { min: 0, max: 100, step: 0.1, name: 'anomaly-percentile' }, (percentile) => flag({ percentile }));
  const flagPercentile = () => {
    const percentile = Number(percentileInput.value);
    if (percentileInput.value.trim() !== '' && percentile >= 0 && percentile <= 100) flag({ percentile });
  };
  anomalyControls.append(
    button('Flag (mean + 3σ)', anomalies, { secondary: true, name: 'anomalies', title: 'then move the slider to change the threshold' }),
    field('percentile', percentileInput),
    button('Flag above it', flagPercentile, { secondary: true, name: 'anomalies-percentile', title: 'flag the samples whose error is above this percentile (99: the top 1 %)' }),
  );
  const sensitivityControls = el('div', 'panel-controls');
  sensitivityControls.append(button('Rank by ‖J‖', sensitivity, { secondary: true, name: 'sensitivity' }));
  const clusterControls = el('div', 'panel-controls');
  const kInput = numberField(0, { min: 0, max: 50, step: 1, name: 'cluster-k' }, (v) => (clusterK = v >= 2 ? Math.round(v) : null));
  kInput.value = '';
  kInput.placeholder = 'auto';
  clusterControls.append(field('k (0 = auto)', kInput), button('Decode centroids', clusters, { secondary: true, name: 'clusters' }));
  const exportControls = el('div', 'panel-controls');
  exportControls.append(
    dropdown(
      [
        { value: 'csv', label: 'CSV' },
        { value: 'json', label: 'JSON' },
        { value: 'npy', label: 'NPY' },
      ],
      format,
      (v) => (format = v),
    ),
    button('Export (selection, or all)', exportCodes, { secondary: true, name: 'export' }),
  );
  const probeControls = el('div', 'panel-controls');
  probeControls.append(probeButton);
  element.append(
    ...(condition.element ? [section('Condition (class the decoder is given)', condition.element)] : []),
    section('Decode anywhere', probeControls, decodeOut),
    section('Nearest neighbours in latent space', neighborControls, neighborsOut),
    section('Path through the space', pathControls, classPathControls, pathOut),
    section('Traversal (−3σ … +3σ)', traverseControls, traverseOut),
    section('Latent unit health', healthControls, healthOut, priorOut),
    section('Clusters (k-means on the codes)', clusterControls, clustersOut),
    section('Anomalies by reconstruction error', anomalyControls, anomaliesOut),
    section('Encoder sensitivity (contractive view)', sensitivityControls, sensitivityOut),
    section('Export codes', exportControls, exportOut),
  );

  return {
    element,
    setSelection(indices) {
      selection = indices;
    },
  };
}
