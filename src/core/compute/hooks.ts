/**
 * Callbacks a long projection (t-SNE, UMAP) accepts so a worker can stream progress, animate the
 * layout while it converges, and stop it early. Every hook is optional; a projection without hooks
 * runs to completion silently.
 */

/** Progress, live-layout and cancellation callbacks shared by every iterative projection. */
export interface ProjectionHooks {
  /** Called with the current stage name (e.g. "knn", "affinities", "optimise") and its completed share in [0, 1]. */
  onProgress?(stage: string, fraction: number): void;
  /** Called now and then with the current n × nComponents layout (a copy the callee may keep) and overall progress in [0, 1]. */
  onLayout?(positions: Float32Array, fraction: number): void;
  /** Polled between steps; returning true makes the projection throw `CancelledError`. */
  shouldStop?(): boolean;
}
