/**
 * Which dataset was last opened with each model, so the dataset picker can offer it first.
 * Workspace models are remembered in the workspace's state, models elsewhere (the bundled samples,
 * files outside the workspace) in the global state. Structural Memento: no `vscode` import.
 */

/** The part of VS Code's Memento this needs. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): PromiseLike<void>;
}

/** Storage key of the model → dataset map. */
export const DATASET_MEMORY_KEY = 'latentExplorer.datasetByModel';
/** Entries kept per store; the least recently used go first, so the state cannot grow without bound. */
export const DATASET_MEMORY_LIMIT = 100;

/** Model path → last dataset path, split between workspace and global state. */
export class DatasetMemory {
  constructor(
    private readonly workspaceState: MementoLike,
    private readonly globalState: MementoLike,
    private readonly isInWorkspace: (path: string) => boolean,
    private readonly limit = DATASET_MEMORY_LIMIT,
  ) {
    if (!(Number.isInteger(limit) && limit > 0)) throw new RangeError(`limit must be a positive integer, got ${limit}`);
  }

  /** The dataset last used with `modelPath`, if any. */
  recall(modelPath: string): string | undefined {
    const value = this.entries(this.storeFor(modelPath))[modelPath];
    return typeof value === 'string' ? value : undefined;
  }

  /** Records `dataPath` as the latest dataset used with `modelPath`. */
  async remember(modelPath: string, dataPath: string): Promise<void> {
    const store = this.storeFor(modelPath);
    const entries = this.entries(store);
    delete entries[modelPath];
    entries[modelPath] = dataPath; // re-inserted last: key order is recency order
    const keys = Object.keys(entries);
    for (const stale of keys.slice(0, Math.max(0, keys.length - this.limit))) delete entries[stale];
    await store.update(DATASET_MEMORY_KEY, entries);
  }

  private storeFor(modelPath: string): MementoLike {
    return this.isInWorkspace(modelPath) ? this.workspaceState : this.globalState;
  }

  /** A copy of the stored map; anything malformed in storage reads as empty rather than failing the picker. */
  private entries(store: MementoLike): Record<string, string> {
    const stored = store.get<unknown>(DATASET_MEMORY_KEY);
    if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return {};
    const copy: Record<string, string> = {};
    for (const [model, data] of Object.entries(stored)) if (typeof data === 'string') copy[model] = data;
    return copy;
  }
}
