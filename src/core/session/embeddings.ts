/**
 * A session over embeddings with no model: the vectors are the codes. An identity "encoder" with
 * no decoder stands in for the model, so projections, clustering, neighbours, faithfulness,
 * export and session files work unchanged, and every decoder tool refuses with the reason the
 * webview already shows for encoder-only models.
 */
import { basename } from 'node:path';
import type { DatasetInfo } from '../../shared/types';
import type { SessionOptions } from '../../shared/workerProtocol';
import type { Autoencoder } from '../model';
import { stratifiedSample } from '../data';
import { MemoryStore, StoredDataset } from '../data/dataset';
import { selectRows, type MetadataColumn } from '../data/columnKinds';
import { openEmbeddings, type Embeddings } from '../data/embeddings';
import { gatherRows, SessionError, type ShownData, type SlotState } from './state';

const AUTO_LABEL_COLUMN = /^(label|class|target|category)$/i;
const NO_MODEL = 'no model is open (only embeddings), so nothing can be decoded';

/** Reads the embeddings, samples the shown rows and builds the one slot and the shown data. */
export async function openEmbeddingData(
  options: SessionOptions,
  settings: { sampleLimit: number; seed: number },
  report: (stage: string, fraction: number | null) => void,
): Promise<{ slot: SlotState; data: ShownData; warnings: string[] }> {
  const path = options.codesPath!;
  report(`reading ${basename(path)}`, null);
  const embeddings = await openEmbeddings(path, { metadataPath: options.metadataPath, embeddingColumn: options.embeddingColumn, embeddingColumns: options.embeddingColumns });
  const labelColumn = labelColumnOf(embeddings.metadata, options.labelColumn, path);
  const labelsAll = labelColumn ? Int32Array.from(labelColumn.codes) : null;
  const indices = stratifiedSample(labelsAll, embeddings.count, settings.sampleLimit, settings.seed);
  const codes = gatherRows(embeddings.vectors, embeddings.dim, indices);
  const dataset = new StoredDataset(
    {
      path,
      format: embeddings.format,
      count: embeddings.count,
      itemShape: [embeddings.dim],
      sourceDtype: 'float32',
      labels: labelsAll,
      classNames: labelColumn?.dictionary ?? null,
      columns: null,
      display: 'tabular',
      warnings: embeddings.warnings,
    },
    new MemoryStore(embeddings.vectors, embeddings.dim),
  );
  const info: DatasetInfo = {
    path,
    format: embeddings.format,
    count: embeddings.count,
    shownCount: indices.length,
    itemShape: [embeddings.dim],
    display: 'tabular',
    labels: labelColumn ? { classes: labelColumn.dictionary } : null,
    columns: null,
    metadata: embeddings.metadata.map(({ name, kind }) => ({ name, kind })),
  };
  const labels = labelsAll ? Int32Array.from(indices, (i) => labelsAll[i]) : null;
  const metadata = embeddings.metadata.map((column) => selectRows(column, indices));
  const model = embeddingModel(embeddings);
  const slot: SlotState = { slot: 'a', label: basename(path), model, manifest: null, inputs: codes, inputSize: embeddings.dim, inputRange: null, codes, errors: null, current: null, cache: {} };
  return { slot, data: { dataset, info, indices, labels, metadata }, warnings: embeddings.warnings };
}

/** The label column: the one named, else a category column called label/class/target/category. */
function labelColumnOf(metadata: MetadataColumn[], wanted: string | undefined, path: string): (MetadataColumn & { kind: 'category' }) | null {
  const candidates = metadata.filter((column): column is MetadataColumn & { kind: 'category' } => column.kind === 'category');
  if (wanted !== undefined) {
    const named = candidates.find((column) => column.name === wanted);
    if (!named) throw new SessionError('invalid-argument', `no category column named "${wanted}" to use as labels; the category columns are ${candidates.map((c) => JSON.stringify(c.name)).join(', ') || 'none'}`, path);
    return named;
  }
  return candidates.find((column) => AUTO_LABEL_COLUMN.test(column.name)) ?? null;
}

/** The identity encoder over vectors of the embeddings' width, with no decoder. */
function embeddingModel(embeddings: Embeddings): Autoencoder {
  const { dim } = embeddings;
  const refuse = (): never => {
    throw new SessionError('no-decoder', NO_MODEL);
  };
  return {
    summary: {
      format: 'embeddings',
      dialect: 'embeddings',
      kind: 'encoder-only',
      files: [embeddings.path],
      input: { shape: [null, dim] },
      latent: { layer: 'embedding', shape: [dim], size: dim },
      output: null,
      layers: [],
      totalParams: 0,
      warnings: embeddings.warnings,
    },
    inputShape: [dim],
    latentShape: [dim],
    latentSize: dim,
    outputShape: null,
    isVariational: false,
    canEncode: true,
    canDecode: false,
    encode: async (inputs, count) => inputs.slice(0, count * dim),
    encodeDistribution: async () => null,
    decode: async () => refuse(),
    reconstruct: async () => refuse(),
    activations: async () => refuse(),
    dispose: () => {},
  };
}
