/**
 * `latent-explorer`: the command-line face of the core engine. Each command drives the same
 * ExplorerSession the VS Code explorer uses. With `--json` a command prints exactly one JSON
 * object on stdout; bad input exits 1 with one `error: <file>: <problem>` line, usage errors exit 2.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { mean } from '../shared/numeric';
import type { BackendPreference, NoiseSpec, ProjectionMethod } from '../shared/types';
import type { HelperThreads } from '../core/compute/threads';
import { ExplorerSession, type OpenSessionOptions } from '../core/session';
import { readManifestNear } from '../core/manifest';
import { initBackend, loadAutoencoder, activeBackend, backendFallback, resolveModelFiles } from '../core/model';
import { openDataset, describeDataset } from '../core/data';
import { computeProjection, InProcessProjectionRunner, layoutTrustworthiness } from '../core/projection';
import { encodeNpy, encodePng } from '../core/export';
import { flagAbove } from '../core/latentTools';
import { serveCommand } from './serveCommand';
import { EMBEDDING_OPTIONS, describeTableFile, isTableOnly, readCodes } from './embeddings';
import { terminalProgress } from './progress';
import { commandHelp, helpHint } from './usage';
import { describeError } from '../util/errors';
import { printable } from '../util/printable';
import { arity, joinNegativeValues, OptionValueError, parseInteger, parseNumber, UsageError } from './args';
import { computeThreads } from '../worker/computeThreads';
import { startEncodeThread } from '../worker/encodeThreads';
import { provideEncodeThreads } from '../core/model/encodePool';

const USAGE = `usage: latent-explorer <command> [options]

commands:
  inspect MODEL                         architecture, detected encoder/code/decoder split
  data DATA                             dataset format, count, item shape, labels
  encode MODEL DATA [--out codes.npy]   latent codes of every sample
  reconstruct MODEL DATA [--noise gaussian:0.3|saltpepper:0.1|mask:0.25|none]
                                        (default: the manifest's trainingNoise, if any)
  project MODEL DATA --method pca|tsne|umap [--dims 2|3] [--out xy.npy]
  project --codes CODES.npy --method pca|tsne|umap   any N×D embedding file
                                        (NPY/NPZ, CSV/TSV, JSON lines, Parquet)
  data TABLE.parquet --json             a table's rows and its columns' kinds
  compare MODEL_A MODEL_B DATA [--method pca|tsne|umap]
  cluster MODEL DATA [--k K]            k-means on the codes (k by silhouette when absent)
  anomalies MODEL DATA [--top N] [--percentile P | --threshold T]
                                        samples above a reconstruction-error threshold
                                        (default mean + 3σ), highest first
  decode MODEL --latent "0.1,-2,…" --out x.png
  serve [MODEL] [DATA] [--port P] [--open] [--no-token]
                                        the explorer in a browser on 127.0.0.1, at the
                                        printed URL (it carries the access token)
  serve MODEL_A MODEL_B DATA            the compare view of two checkpoints
  serve --session FILE.latent-session.json   a saved view, as it was saved
  serve --codes CODES [--metadata FILE] embeddings without a model; a table's vectors
                                        are --embedding-column NAME or --embedding-columns 'e*'

MODEL is a model.json, a folder holding one, or a folder with encoder/ and decoder/.
DATA is a dataset folder or file (IDX, NPY/NPZ, PNG/JPEG folders, CSV/TSV, JSON).

options:
  --json              print one JSON object
  --limit N           use a stratified sample of N items
  --seed S            seed for sampling, noise and projections (default 42)
  --dims 2|3          projection dimensions (default 2)
  --perplexity P      t-SNE perplexity (default 30)
  --neighbors K       UMAP n_neighbors (default 15)
  --min-dist D        UMAP min_dist (default 0.1)
  --label-column C    CSV label column
  --backend B         auto|wasm|cpu|tensorflow (default auto)
  --threads T         threads for t-SNE and UMAP (default: every core); UMAP's
                      layout varies from run to run on more than one
  --verbose           stack traces on errors, and TensorFlow.js's own warnings`;

const options = {
  json: { type: 'boolean' },
  limit: { type: 'string' },
  seed: { type: 'string' },
  dims: { type: 'string' },
  method: { type: 'string' },
  out: { type: 'string' },
  noise: { type: 'string' },
  codes: { type: 'string' },
  perplexity: { type: 'string' },
  neighbors: { type: 'string' },
  'min-dist': { type: 'string' },
  'label-column': { type: 'string' },
  backend: { type: 'string' },
  k: { type: 'string' },
  top: { type: 'string' },
  percentile: { type: 'string' },
  threshold: { type: 'string' },
  latent: { type: 'string' },
  port: { type: 'string' },
  session: { type: 'string' },
  threads: { type: 'string' },
  'no-token': { type: 'boolean' },
  open: { type: 'boolean' },
  ...EMBEDDING_OPTIONS,
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** A command's result: the JSON object, the lines a person reads instead, and the model's warnings. */
interface Outcome {
  json: Record<string, unknown>;
  text: string[];
  /** Printed as `warning:` lines on stderr (stdout stays the result) and added to the JSON as `warnings`. */
  warnings?: readonly string[];
}

async function main(argv: string[]): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    const valued = new Set(Object.entries(options).flatMap(([name, option]) => (option.type === 'string' ? [name] : [])));
    ({ values, positionals } = parseArgs({ args: joinNegativeValues(argv, valued), options, allowPositionals: true, strict: true }));
  } catch (error) {
    process.stderr.write(`error: ${printable(error instanceof Error ? error.message : String(error))}\n${helpHint()}\n`);
    return 2;
  }
  if (!values.verbose) hideLibraryWarnings();
  const [command, ...args] = positionals;
  if (values.help) {
    process.stdout.write(`${(command && commandHelp(USAGE, command)) || USAGE}\n`);
    return 0;
  }
  if (!command) {
    process.stdout.write(`${USAGE}\n`);
    return 2;
  }
  try {
    if (command === 'serve') return await serveCommand(args, values, backend(values.backend));
    const outcome = await run(command, args, values);
    progress.clear();
    const json = outcome.warnings ? { ...outcome.json, warnings: outcome.warnings } : outcome.json;
    // JSON.stringify escapes control characters itself; text lines may carry names read from files.
    process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${outcome.text.map((line) => printable(line)).join('\n')}\n`);
    for (const warning of outcome.warnings ?? []) process.stderr.write(`warning: ${printable(warning)}\n`);
    // On stderr, so that --json output stays one parseable object.
    const fallback = backendFallback();
    if (fallback) process.stderr.write(`note: TensorFlow.js backend: ${printable(fallback)}\n`);
    return 0;
  } catch (error) {
    progress.clear();
    if (error instanceof UsageError) {
      // A bad value needs only its line; a wrong command or argument count, where to read the usage.
      process.stderr.write(`error: ${printable(error.message)}\n${error instanceof OptionValueError ? '' : `${helpHint(command)}\n`}`);
      return 2;
    }
    process.stderr.write(`error: ${describeError(error)}\n`);
    if (values.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/**
 * TensorFlow.js writes its warnings with console.warn (thousands of lines for some broken models,
 * a banner on the cpu backend) where the CLI promises one error line; nothing of ours uses
 * console.warn, so outside --verbose it says nothing.
 */
function hideLibraryWarnings(): void {
  console.warn = () => {};
}

function integer(name: string, value: string | undefined, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  return value === undefined ? fallback : parseInteger(name, value, { min, max });
}

/** Threads for t-SNE, UMAP and the trustworthiness score: --threads in all, every core by default. */
function projectionThreadCount(values: Values): number {
  return integer('threads', values.threads, availableParallelism());
}

/** The helpers that make `total` threads with this one. */
function helpersFor(total: number): HelperThreads | undefined {
  return total > 1 ? computeThreads(total - 1) : undefined;
}

function number(name: string, value: string | undefined, range: Parameters<typeof parseNumber>[2] = {}): number | undefined {
  return value === undefined ? undefined : parseNumber(name, value, range);
}

/** Seeds are folded into 32 bits by the generator, so larger ones would only alias smaller ones. */
const MAX_SEED = 2 ** 32 - 1;

function anomalyThreshold(values: Values): number | { percentile: number } | null {
  if (values.percentile !== undefined && values.threshold !== undefined) throw new UsageError('give --percentile or --threshold, not both');
  const percentile = number('percentile', values.percentile, { min: 0, max: 100 });
  return percentile !== undefined ? { percentile } : (number('threshold', values.threshold) ?? null);
}

function method(value: string | undefined, fallback: ProjectionMethod | undefined): ProjectionMethod {
  const chosen = value ?? fallback;
  if (chosen === 'pca' || chosen === 'tsne' || chosen === 'umap') return chosen;
  throw new UsageError(chosen === undefined ? '--method is required (pca, tsne or umap)' : `--method must be pca, tsne or umap, got "${chosen}"`);
}

function dims(value: string | undefined): 2 | 3 {
  if (value === undefined || value === '2') return 2;
  if (value === '3') return 3;
  throw new UsageError(`--dims must be 2 or 3, got "${value}"`);
}

function backend(value: string | undefined): BackendPreference {
  const chosen = value ?? 'auto';
  if (chosen === 'auto' || chosen === 'wasm' || chosen === 'cpu' || chosen === 'tensorflow') return chosen;
  throw new UsageError(`--backend must be auto, wasm, cpu or tensorflow, got "${chosen}"`);
}

/** `gaussian:0.3`, `saltpepper:0.1` or `mask:0.25`. */
export function parseNoise(value: string): NoiseSpec {
  const match = /^(gaussian|saltpepper|mask):([0-9]*\.?[0-9]+)$/.exec(value);
  if (!match) throw new UsageError(`--noise must look like gaussian:0.3, saltpepper:0.1 or mask:0.25, got "${value}"`);
  const level = Number(match[2]);
  if (match[1] !== 'gaussian' && level > 1) throw new UsageError(`--noise ${match[1]} level is a probability in [0, 1], got ${level}`);
  return { type: match[1] as NoiseSpec['type'], level };
}

async function openSession(
  modelPaths: string[],
  dataPath: string | undefined,
  values: Values,
  view: OpenSessionOptions['view'] = 'explorer',
  only: Pick<OpenSessionOptions, 'reconstruct'> = {},
): Promise<ExplorerSession> {
  const seed = integer('seed', values.seed, 42, 0, MAX_SEED);
  const threads = helpersFor(projectionThreadCount(values));
  return ExplorerSession.open({
    view,
    modelPaths: modelPaths.map((p) => resolve(p)),
    dataPath: dataPath ? resolve(dataPath) : undefined,
    settings: { seed, sampleLimit: integer('limit', values.limit, Number.MAX_SAFE_INTEGER) },
    backend: backend(values.backend),
    labelColumn: values['label-column'],
    runner: new InProcessProjectionRunner(threads),
    threads,
    onLoading: progress.report,
    ...only,
  });
}

async function withSession<T>(session: ExplorerSession, use: (session: ExplorerSession) => Promise<T>): Promise<T> {
  try {
    return await use(session);
  } finally {
    session.dispose();
  }
}

/** Loading, encoding, reconstructing and projecting, on stderr when it is a terminal. */
const progress = terminalProgress();
const withProgress = {
  signal: new AbortController().signal,
  // Intermediate layouts (for the page's animation) repeat the stage's progress under another name.
  progress: (stage: string, fraction: number | null, layout?: Float32Array) => {
    if (!layout) progress.report(stage, fraction);
  },
};

async function run(command: string, args: string[], values: Values): Promise<Outcome> {
  const seed = integer('seed', values.seed, 42, 0, MAX_SEED);
  switch (command) {
    case 'inspect': {
      arity(command, args, 1);
      await initBackend(backend(values.backend));
      const manifest = await readManifestNear(await resolveModelJson(args[0]));
      const model = await loadAutoencoder(resolve(args[0]), { codeLayer: manifest?.codeLayer });
      try {
        const s = model.summary;
        const json = {
          format: s.format,
          dialect: s.dialect,
          kind: s.kind,
          ...(s.runtime ? { runtime: s.runtime } : {}),
          input: s.input,
          latent: s.latent,
          output: s.output,
          layers: s.layers.map((l) => ({ name: l.path, className: l.className, outputShape: l.outputShape, params: l.params, role: l.role })),
          totalParams: s.totalParams,
          warnings: s.warnings,
        };
        const text = [
          `${s.kind} (${s.format}, ${s.dialect}), ${s.totalParams.toLocaleString('en')} parameters${s.runtime ? `, run by ${s.runtime}` : ''}`,
          `input ${shapeText(s.input.shape)} → code at layer "${s.latent.layer}" ${shapeText(s.latent.shape)} (${s.latent.size} values) → output ${s.output ? shapeText(s.output.shape) : 'none'}`,
          ...layerTable(s.layers),
          ...s.warnings.map((w) => `warning: ${w}`),
        ];
        return { json, text };
      } finally {
        model.dispose();
      }
    }
    case 'data': {
      arity(command, args, 1);
      if (isTableOnly(args[0])) return describeTableFile(args[0]);
      const dataset = await openDataset(resolve(args[0]), { labelColumn: values['label-column'] });
      try {
        const json = describeDataset(dataset) as unknown as Record<string, unknown>;
        const labels = json.labels as { count: number; classes: string[] } | null;
        return {
          json,
          text: [
            `${json.format}: ${json.count} items of shape ${shapeText(json.itemShape as number[])}`,
            labels ? `labels: ${labels.count} in ${labels.classes.length} classes (${labels.classes.slice(0, 12).join(', ')}${labels.classes.length > 12 ? ', …' : ''})` : 'no labels',
          ],
        };
      } finally {
        await dataset.close();
      }
    }
    case 'encode': {
      arity(command, args, 2);
      return withSession(await openSession([args[0]], args[1], values), async (session) => {
        const codes = session.codes('a');
        const { latentSize, summary } = session.model('a');
        const count = session.shown.length;
        if (values.out) await writeFile(resolve(values.out), encodeNpy(codes, [count, latentSize]));
        const seconds = session.timings.encode;
        // The model's warnings include what only encoding reveals (a collapsed encoder).
        const json = { count, latentSize, ...engine(session), seconds, samplesPerSecond: count / seconds, ...(values.out ? { out: resolve(values.out) } : {}) };
        return {
          json,
          text: [
            `encoded ${count} samples to ${latentSize}-d codes in ${seconds.toFixed(2)} s (${Math.round(count / seconds)} samples/s, ${summary.runtime ?? `${session.backend} backend`})${values.out ? `; wrote ${values.out}` : ''}`,
          ],
          warnings: summary.warnings,
        };
      });
    }
    case 'reconstruct': {
      arity(command, args, 2);
      // A denoising model's manifest names the noise it was trained on: the default, `--noise none` skips it.
      const trained = values.noise === undefined ? ((await readManifestNear(await resolveModelJson(args[0])))?.trainingNoise ?? null) : null;
      const noise = values.noise === undefined ? trained : values.noise === 'none' ? null : parseNoise(values.noise);
      return withSession(await openSession([args[0]], args[1], values), async (session) => {
        const errors = session.errors('a');
        const count = errors.length;
        const json: Record<string, unknown> = { count, mse: mean(errors), perSample: spread(errors), ...engine(session) };
        const text = [`reconstruction MSE ${fmt(mean(errors))} over ${count} samples (min ${fmt(spread(errors).min)}, median ${fmt(spread(errors).median)}, max ${fmt(spread(errors).max)})`];
        if (noise) {
          const all = Int32Array.from({ length: count }, (_, i) => i);
          const denoised = await session.handle('denoise', { slot: 'a', indices: all, noise, seed }, withProgress);
          const noisyMse = mean(denoised.noisyError);
          const denoisedMse = mean(denoised.denoisedError);
          json.noise = { ...noise, seed, noisyMse, denoisedMse, denoisedPerSample: spread(denoised.denoisedError), ...(trained ? { from: 'trainingNoise' } : {}) };
          text.push(`with ${noise.type} noise ${noise.level}${trained ? " (the model's trainingNoise; --noise none skips it)" : ''}: noisy input MSE ${fmt(noisyMse)} → reconstructed from noisy ${fmt(denoisedMse)} (${((1 - denoisedMse / noisyMse) * 100).toFixed(1)} % lower)`);
        }
        const { runtime } = session.model('a').summary;
        text.push(runtime ? `runtime: ${runtime}` : `backend: ${session.backend}`);
        // Read after the errors: encoding is what reveals a collapsed encoder.
        return { json, text, warnings: session.model('a').summary.warnings };
      });
    }
    case 'project': {
      const chosen = method(values.method, undefined);
      const spec = { method: chosen, dims: dims(values.dims), seed, params: projectionParams(values) };
      if (values.codes) {
        arity(command, args, 0);
        return projectCodesFile(values.codes, spec, values);
      }
      arity(command, args, 2);
      const started = performance.now();
      // Only the codes are projected: reconstructing (up to 10× the encoding time) is skipped.
      return withSession(await openSession([args[0]], args[1], values, 'explorer', { reconstruct: false }), async (session) => {
        const result = await session.handle('project', { slot: 'a', ...spec }, withProgress);
        if (values.out) await writeFile(resolve(values.out), encodeNpy(result.positions, [session.shown.length, spec.dims]));
        const timings = { ...session.timings, project: result.seconds, total: (performance.now() - started) / 1000 };
        const json = { count: session.shown.length, method: chosen, dims: spec.dims, threads: projectionThreadCount(values), seconds: result.seconds, trustworthiness: result.trustworthiness, ...engine(session), timings };
        return {
          json,
          text: [`${chosen} of ${session.shown.length} codes to ${spec.dims}-D in ${result.seconds.toFixed(2)} s; trustworthiness@10 ${result.trustworthiness.toFixed(4)}${values.out ? `; wrote ${values.out}` : ''}`, ...keepHint(values)],
          warnings: session.model('a').summary.warnings,
        };
      });
    }
    case 'compare': {
      arity(command, args, 3);
      const chosen = method(values.method, 'pca');
      return withSession(await openSession([args[0], args[1]], args[2], values, 'compare'), async (session) => {
        const spec = { method: chosen, dims: dims(values.dims), seed, params: projectionParams(values) };
        await session.handle('project', { slot: 'a', ...spec }, withProgress);
        const b = await session.handle('project', { slot: 'b', ...spec, alignTo: { slot: 'a', mode: chosen === 'pca' ? 'procrustes' : 'init' } }, withProgress);
        const stats = await session.handle('compareStats', { k: 10 });
        // Indices into the dataset, as the other commands give them (the session counts shown samples).
        const inDataset = <T extends { index: number }>(items: T[]) => items.map((item) => ({ ...item, index: session.shown[item.index] }));
        const json = {
          count: session.shown.length,
          a: stats.a,
          b: stats.b,
          neighbourOverlap: stats.neighborOverlap,
          alignment: b.alignment,
          topMovers: inDataset(stats.topMovers),
          errorChanges: { worse: inDataset(stats.errorChanges.worse), better: inDataset(stats.errorChanges.better) },
        };
        return {
          json,
          text: [
            `${session.shown.length} samples; neighbourhood overlap A↔B ${stats.neighborOverlap.toFixed(3)}`,
            `A: MSE ${fmt(stats.a.mse)}, kNN accuracy ${stats.a.knnAccuracy?.toFixed(3) ?? 'n/a'}`,
            `B: MSE ${fmt(stats.b.mse)}, kNN accuracy ${stats.b.knnAccuracy?.toFixed(3) ?? 'n/a'}`,
            `alignment: ${b.alignment}`,
            `top movers: ${json.topMovers.slice(0, 10).map((m) => `#${m.index} (${m.drift.toFixed(2)})`).join(', ')}`,
            `error worse in B: ${json.errorChanges.worse.slice(0, 5).map((c) => `#${c.index} (+${fmt(c.delta)})`).join(', ') || 'none'}`,
            `error better in B: ${json.errorChanges.better.slice(0, 5).map((c) => `#${c.index} (${fmt(c.delta)})`).join(', ') || 'none'}`,
          ],
        };
      });
    }
    case 'cluster': {
      arity(command, args, 2);
      const k = values.k === undefined ? null : integer('k', values.k, 2, 2);
      return withSession(await openSession([args[0]], args[1], values), async (session) => {
        const column = await session.handle('column', { column: { kind: 'cluster', slot: 'a', k } });
        const chosenK = column.stats.k as number;
        const sizes = new Array<number>(chosenK).fill(0);
        for (const v of column.values) sizes[v]++;
        const json = { k: chosenK, silhouette: column.stats.silhouette, purity: column.stats.purity ?? null, sizes };
        const how = k === null ? ' (k chosen by silhouette; --k K sets it)' : '';
        return { json, text: [`k-means with k=${chosenK}${how}: silhouette ${Number(column.stats.silhouette).toFixed(3)}, purity ${column.stats.purity == null ? 'n/a (no labels)' : Number(column.stats.purity).toFixed(3)}, sizes ${sizes.join(' ')}`] };
      });
    }
    case 'anomalies': {
      arity(command, args, 2);
      const top = integer('top', values.top, 20);
      return withSession(await openSession([args[0]], args[1], values), async (session) => {
        const errors = session.errors('a');
        const result = flagAbove(errors, anomalyThreshold(values), top);
        const rule = values.percentile !== undefined ? `${values.percentile}th percentile` : values.threshold !== undefined ? 'given' : 'mean + 3σ';
        const datasetIndex = session.shown;
        const flagged = Array.from(result.indices.subarray(0, Math.min(top, result.flaggedCount)), (i, rank) => ({ index: datasetIndex[i], error: result.values[rank] }));
        const json = { threshold: result.threshold, rule: `${rule} of reconstruction MSE`, count: errors.length, flaggedCount: result.flaggedCount, flagged };
        const more = result.flaggedCount - flagged.length;
        const labelOf = await labelsOf(session);
        const lines = flagged.map((f, rank) => `  #${f.index}  ${fmt(f.error)}${labelOf(result.indices[rank])}`);
        if (more > 0) lines.push(`  … ${more} more (--top ${result.flaggedCount} lists them all)`);
        return { json, text: [`threshold ${fmt(result.threshold)} (${rule}); ${result.flaggedCount} of ${errors.length} samples above it`, ...lines] };
      });
    }
    case 'decode': {
      arity(command, args, 1);
      if (!values.latent) throw new UsageError('decode needs --latent "v1,v2,…"');
      // With --json the decoded values can come back in the JSON instead of a file.
      if (!values.out && !values.json) throw new UsageError('decode needs --out FILE.png (or .npy), or --json to print the values');
      const code = Float32Array.from(values.latent.split(',').map((v) => number('latent', v.trim()) as number));
      await initBackend(backend(values.backend));
      const manifest = await readManifestNear(await resolveModelJson(args[0]));
      const model = await loadAutoencoder(resolve(args[0]), { codeLayer: manifest?.codeLayer });
      try {
        if (code.length !== model.latentSize) {
          throw new Error(`--latent has ${code.length} values but the model's code has ${model.latentSize} (shape ${shapeText(model.latentShape)})`);
        }
        const decoded = await model.decode(code, 1);
        const shape = model.outputShape ?? [decoded.length];
        if (!values.out) return { json: { shape, values: Array.from(decoded), backend: activeBackend() }, text: [] };
        const out = resolve(values.out);
        await writeFile(out, out.endsWith('.npy') ? encodeNpy(decoded, [1, ...shape]) : encodePng(decoded, shape));
        return { json: { out, shape, backend: activeBackend() }, text: [`decoded ${code.length}-d code to ${shapeText(shape)}; wrote ${values.out}`] };
      } finally {
        model.dispose();
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function projectCodesFile(file: string, spec: { method: ProjectionMethod; dims: 2 | 3; seed: number; params: ReturnType<typeof projectionParams> }, values: Values): Promise<Outcome> {
  const started = performance.now();
  // NPY/NPZ, CSV/TSV, JSON lines or Parquet; rows with NaN vectors are left out with a warning.
  const { count: n, dim, vectors: codes, warnings } = await readCodes(file, values);
  const loaded = performance.now();
  const threads = projectionThreadCount(values);
  const helpers = helpersFor(threads);
  const result = computeProjection(codes, n, dim, spec, { onProgress: progress.report }, helpers);
  progress.report('trustworthiness', null);
  const trust = layoutTrustworthiness(codes, result.positions, n, dim, spec.dims, spec.seed, helpers);
  if (values.out) await writeFile(resolve(values.out), encodeNpy(result.positions, [n, spec.dims]));
  const timings = { load: (loaded - started) / 1000, encode: 0, project: result.seconds };
  const json = { count: n, dim, method: spec.method, dims: spec.dims, threads, seconds: result.seconds, trustworthiness: trust, timings };
  return { json, text: [`${spec.method} of ${n}×${dim} embedding to ${spec.dims}-D in ${result.seconds.toFixed(2)} s; trustworthiness@10 ${trust.toFixed(4)}${values.out ? `; wrote ${values.out}` : ''}`, ...keepHint(values)], warnings };
}

function projectionParams(values: Values): { perplexity?: number; nNeighbors?: number; minDist?: number } {
  return {
    perplexity: number('perplexity', values.perplexity, { above: 0 }),
    nNeighbors: values.neighbors === undefined ? undefined : integer('neighbors', values.neighbors, 15, 2),
    minDist: number('min-dist', values['min-dist'], { min: 0 }),
  };
}

/** One row per layer, each column as wide as its longest entry (long layer names are common in converted graphs). */
function layerTable(layers: readonly { role: string; path: string; className: string; outputShape: unknown; params: number }[]): string[] {
  const rows = layers.map((l) => [l.role, l.path, l.className, shapeText(l.outputShape), l.params.toLocaleString('en')]);
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column].length))) ?? [];
  // Parameter counts right-aligned, so their digits line up.
  return rows.map((row) => `  ${row.map((cell, column) => (column === row.length - 1 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ')}`);
}

/** Where `project`'s positions could go: without --out they are printed nowhere. */
function keepHint(values: Values): string[] {
  return values.out ? [] : ['(the positions are not kept: --out xy.npy writes them)'];
}

/** A shown sample's label for a listing (its class's name), or nothing when the dataset has none. */
async function labelsOf(session: ExplorerSession): Promise<(shownIndex: number) => string> {
  const { labels, dataset } = await session.handle('ready', {});
  const classes = dataset?.labels?.classes;
  return (shownIndex) => {
    const label = labels?.[shownIndex] ?? -1;
    return label < 0 ? '' : `  label ${classes?.[label] ?? label}`;
  };
}

/** What ran model A: the TF.js backend, and for an ONNX model the ONNX runtime too. */
function engine(session: ExplorerSession): { backend: string; runtime?: string } {
  const runtime = session.model('a').summary.runtime;
  return runtime ? { backend: session.backend, runtime } : { backend: session.backend };
}

/** The model's main file (any format), beside which its latent-explorer.json is looked for. */
async function resolveModelJson(path: string): Promise<string> {
  return (await resolveModelFiles(path)).primary;
}

function shapeText(shape: unknown): string {
  if (Array.isArray(shape) && shape.some(Array.isArray)) return shape.map(shapeText).join(', ');
  return `[${(shape as (number | null)[]).map((d) => (d === null ? '?' : d)).join('×')}]`;
}

function spread(values: Float32Array): { min: number; median: number; max: number } {
  const sorted = Float32Array.from(values).sort();
  return { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] };
}

function fmt(value: number): string {
  return value.toPrecision(4);
}

// Encoding more than ~20k samples shares the work with encode worker threads (EncodePool).
provideEncodeThreads(startEncodeThread);
void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
