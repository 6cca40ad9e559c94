/**
 * Messages between the session and its worker threads. Plain data and typed arrays only:
 * everything here crosses `postMessage` by structured clone.
 */
import type { FromWebviewMessage, ToWebviewMessage, ExplorerSettings, ViewKind } from './protocol';
import type { BackendPreference, ErrorInfo, ProjectionMethod, ProjectionParams } from './types';

/** A t-SNE/UMAP job for the projection worker. */
export interface ProjectionJob {
  type: 'project';
  id: number;
  data: Float32Array;
  n: number;
  dim: number;
  method: ProjectionMethod;
  dims: 2 | 3;
  seed: number;
  params: ProjectionParams;
  init?: Float32Array;
  /** Int32Array view over it: 1 at index 0 asks the job to stop at its next check. */
  stopFlag: SharedArrayBuffer;
}

export type ProjectionWorkerMessage =
  | { type: 'progress'; id: number; stage: string; fraction: number }
  | { type: 'layout'; id: number; positions: Float32Array; fraction: number }
  | { type: 'result'; id: number; positions: Float32Array; seconds: number }
  | { type: 'error'; id: number; error: ErrorInfo };

/** What a session is opened on. */
export interface SessionOptions {
  view: ViewKind;
  /** One model (explorer, inspect) or two (compare): a model.json, its folder, or a folder with encoder/ and decoder/. */
  modelPaths: string[];
  /** Dataset file or folder; the model's manifest default, else none (inspect only). */
  dataPath?: string;
  settings?: Partial<ExplorerSettings>;
  backend?: BackendPreference;
  /** CSV label column, overriding the manifest's. */
  labelColumn?: string;
  /** Embeddings opened without a model (NPY/NPZ, CSV/TSV, JSON lines, Parquet); `modelPaths` is then empty. */
  codesPath?: string;
  /** A sidecar table with one metadata row per vector. */
  metadataPath?: string;
  /** The table's list-of-numbers column holding the vectors. */
  embeddingColumn?: string;
  /** Numeric columns that make the vectors, as names or `*` patterns. */
  embeddingColumns?: string;
}

export type ToSessionWorker = { type: 'open'; options: SessionOptions } | { type: 'message'; message: FromWebviewMessage };

export type FromSessionWorker =
  | { type: 'message'; message: ToWebviewMessage }
  | { type: 'loading'; stage: string; fraction: number | null }
  | { type: 'opened' }
  | { type: 'openFailed'; error: ErrorInfo };
