/**
 * What every view receives: the controller (its only way to the host), the ready handshake's
 * answer, the error banner, and persisted UI state.
 */
import type { ReadyResponse } from '../../src/shared/protocol';
import type { Controller } from '../controller';
import type { ErrorBanner } from './errorBanner';

/** UI choices that survive hiding the panel or reloading the page. */
export interface UiState {
  method?: 'pca' | 'tsne' | 'umap';
  dims?: 2 | 3;
  perplexity?: number;
  nNeighbors?: number;
  minDist?: number;
  components?: number[];
  seed?: number;
  colorBy?: string;
  sidePanelOpen?: boolean;
  tab?: number;
  /** The raw-input baseline pane is shown beside the codes. */
  baseline?: boolean;
}

export interface ViewContext {
  controller: Controller;
  /** Where the page runs: inside VS Code, or in a browser tab served by `serve`. */
  host: 'vscode' | 'browser';
  ready: ReadyResponse;
  banner: ErrorBanner;
  ui: UiState;
  saveUi(patch: Partial<UiState>): void;
}

/** At most `limit` indices, evenly spaced through `indices`, for panels that show a handful. */
export function spread(indices: Int32Array, limit: number): Int32Array {
  if (indices.length <= limit) return indices;
  const out = new Int32Array(limit);
  for (let k = 0; k < limit; k++) out[k] = indices[Math.floor((k * indices.length) / limit)];
  return out;
}
