/**
 * One entry point for every projection the product shows: PCA, t-SNE and UMAP with the defaults
 * the UI and the CLI share, PCA initialisation for the iterative methods, and trustworthiness.
 * Runs wherever it is called: in the projection worker, or in-process for the CLI and tests.
 */
import type { ProjectionMethod, ProjectionParams } from '../shared/types';
import type { ProjectionJob } from '../shared/workerProtocol';
import type { ProjectionHooks } from './compute/hooks';
import { fitPca, projectPca, type PcaModel } from './compute/pca';
import { tsne } from './compute/tsne';
import { umap } from './compute/umap';
import type { HelperThreads } from './compute/threads';
import { trustworthiness } from './compute/trustworthiness';
import { countNonFinite } from './model/finite';

export interface ProjectionSpec {
  method: ProjectionMethod;
  dims: 2 | 3;
  seed: number;
  params: ProjectionParams;
  /** Starting layout for t-SNE/UMAP (n × dims); PCA of the data when absent. */
  init?: Float32Array;
}

export interface ProjectionResult {
  positions: Float32Array;
  dims: 2 | 3;
  method: ProjectionMethod;
  seconds: number;
  /** The PCA model when method is 'pca', so callers can project new points and invert exactly. */
  pca: PcaModel | null;
  /** Which principal components (0-based) the PCA axes show. */
  components: number[] | null;
}

/** Points beyond which trustworthiness is evaluated on a seeded sample (its cost is quadratic per point). */
export const TRUSTWORTHINESS_SAMPLE = 2000;
export const TRUSTWORTHINESS_K = 10;

/** Validates the spec against the data and fills in defaults; errors name the values. */
export function checkProjectionSpec(spec: ProjectionSpec, n: number, dim: number): void {
  if (spec.dims !== 2 && spec.dims !== 3) throw new RangeError(`dims must be 2 or 3, got ${String(spec.dims)}`);
  if (n < 3) throw new RangeError(`not enough points (${n}) to project; at least 3 are needed`);
  if (spec.method === 'pca') {
    const components = spec.params.components ?? defaultComponents(spec.dims);
    if (components.length !== spec.dims) {
      throw new RangeError(`PCA components ${JSON.stringify(components)} must name ${spec.dims} components`);
    }
    const highest = Math.max(...components);
    if (components.some((c) => !Number.isInteger(c) || c < 0) || highest >= Math.min(dim, n)) {
      throw new RangeError(
        `PCA components ${JSON.stringify(components)} out of range: the data has ${Math.min(dim, n)} components (0–${Math.min(dim, n) - 1})`,
      );
    }
  }
  if (spec.init && spec.init.length !== n * spec.dims) {
    throw new RangeError(`init layout has ${spec.init.length} values, expected ${n} × ${spec.dims}`);
  }
}

function defaultComponents(dims: 2 | 3): number[] {
  return dims === 2 ? [0, 1] : [0, 1, 2];
}

/**
 * Projects n × dim data to 2-D or 3-D. Synchronous and CPU-bound: call it off the UI thread.
 * `threads` lends helper threads to UMAP (the projection worker and the CLI do; its layouts then vary
 * between runs) and t-SNE (same layout, faster); without them every method is reproducible for a seed.
 */
export function computeProjection(
  data: Float32Array,
  n: number,
  dim: number,
  spec: ProjectionSpec,
  hooks: ProjectionHooks = {},
  threads?: HelperThreads,
): ProjectionResult {
  checkProjectionSpec(spec, n, dim);
  const started = performance.now();
  if (spec.method === 'pca') {
    const components = spec.params.components ?? defaultComponents(spec.dims);
    const pca = fitPca(data, n, dim, Math.max(...components) + 1);
    const all = projectPca(pca, data, n);
    const positions = selectColumns(all, n, pca.k, components);
    return { positions, dims: spec.dims, method: 'pca', seconds: elapsed(started), pca, components };
  }
  hooks.onProgress?.('initialising with PCA', 0);
  const init = spec.init ?? pcaInit(data, n, dim, spec.dims);
  const positions =
    spec.method === 'tsne'
      ? tsne(
          data,
          n,
          dim,
          { nComponents: spec.dims, perplexity: spec.params.perplexity, seed: spec.seed, init, threads },
          hooks,
        )
      : umap(
          data,
          n,
          dim,
          {
            nComponents: spec.dims,
            nNeighbors: spec.params.nNeighbors,
            minDist: spec.params.minDist,
            seed: spec.seed,
            init,
            threads,
          },
          hooks,
        );
  return { positions, dims: spec.dims, method: spec.method, seconds: elapsed(started), pca: null, components: null };
}

/** A PCA layout scaled to a small spread, the usual starting point for t-SNE and UMAP. */
function pcaInit(data: Float32Array, n: number, dim: number, dims: 2 | 3): Float32Array {
  const k = Math.min(dims, dim);
  const pca = fitPca(data, n, dim, k);
  const projected = projectPca(pca, data, n);
  const init = new Float32Array(n * dims);
  let sumSquares = 0;
  for (let i = 0; i < n * k; i++) sumSquares += projected[i] * projected[i];
  const firstAxisStd = Math.sqrt(sumSquares / Math.max(1, n * k)) || 1;
  // Unit spread: t-SNE and UMAP each rescale their init to their own convention (openTSNE's
  // std 1e-4, umap-learn's range 10), so only the shape of the layout matters here.
  const scale = 1 / firstAxisStd;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) init[i * dims + c] = projected[i * k + c] * scale;
  }
  return init;
}

function selectColumns(values: Float32Array, n: number, width: number, columns: number[]): Float32Array {
  const out = new Float32Array(n * columns.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < columns.length; c++) out[i * columns.length + c] = values[i * width + columns[c]];
  }
  return out;
}

/** Trustworthiness at k=10 of a layout, on a seeded sample of points when n is large; `threads` share the sample. */
export function layoutTrustworthiness(
  data: Float32Array,
  positions: Float32Array,
  n: number,
  dim: number,
  dims: number,
  seed: number,
  threads?: HelperThreads,
  shouldStop?: () => boolean,
): number {
  const degenerate = degeneracy(data, n, dim, 'codes') ?? degeneracy(positions, n, dims, 'layout');
  if (degenerate) throw new RangeError(`trustworthiness is not defined: ${degenerate}; check the model's weights and the inputs`);
  const k = Math.min(TRUSTWORTHINESS_K, Math.max(1, Math.floor(n / 2) - 1));
  return trustworthiness(data, positions, n, dim, dims, k, { sampleSize: TRUSTWORTHINESS_SAMPLE, seed, threads, shouldStop });
}

/**
 * Why n rows of `width` values cannot be ranked into neighbours (non-finite values, or every row
 * the same), or null. Trustworthiness over such rows is an artefact of tie-breaking (it reads 1).
 */
export function degeneracy(values: Float32Array, n: number, width: number, what: string): string | null {
  const nonFinite = countNonFinite(values);
  if (nonFinite > 0) return `${nonFinite} of the ${what}' ${values.length} values are NaN or infinite`;
  for (let i = width; i < n * width; i++) if (values[i] !== values[i % width]) return null;
  return `all ${n} points of the ${what} are identical`;
}

function elapsed(started: number): number {
  return (performance.now() - started) / 1000;
}

/** A t-SNE/UMAP job as the runner receives it: the worker's job without its transport fields. */
export interface ProjectionRun {
  job: Omit<ProjectionJob, 'type' | 'id' | 'stopFlag'>;
  onProgress?: (stage: string, fraction: number) => void;
  onLayout?: (positions: Float32Array, fraction: number) => void;
}

/** Where iterative projections run: worker threads in the product, in-process in the CLI and tests. */
export interface ProjectionRunner {
  /** Runs a job on a lane; a newer job on the same lane supersedes it (it then rejects as cancelled). */
  run(lane: string, run: ProjectionRun, signal?: AbortSignal): Promise<Float32Array>;
  dispose(): void;
}

/**
 * Runs projections on the calling thread: for the CLI (a process of its own) and tests. `threads`
 * are the helpers it lends the compute stages (the CLI lends one per spare core).
 */
export class InProcessProjectionRunner implements ProjectionRunner {
  constructor(private readonly threads?: HelperThreads) {}

  async run(_lane: string, { job, onProgress, onLayout }: ProjectionRun, signal?: AbortSignal): Promise<Float32Array> {
    const { data, n, dim, ...spec } = job;
    return computeProjection(data, n, dim, spec, { onProgress, onLayout, shouldStop: () => signal?.aborted === true }, this.threads)
      .positions;
  }

  dispose(): void {}
}
