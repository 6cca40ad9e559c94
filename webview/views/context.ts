/**
 * What every view receives: the controller (its only way to the host), the ready handshake's
 * answer, the error banner, and persisted UI state.
 */
import type { ReadyResponse } from '../../src/shared/protocol';
import type { SavedUi } from '../../src/shared/sessionFile';
import type { Controller } from '../controller';
import type { ErrorBanner } from './errorBanner';

/** UI choices that survive hiding the panel or reloading the page; a saved session keeps the `SavedUi` part. */
export interface UiState extends SavedUi {
  sidePanelOpen?: boolean;
  tab?: number;
}

export interface ViewContext {
  controller: Controller;
  /** Where the page runs: inside VS Code, or in a browser tab served by `serve`. */
  host: 'vscode' | 'browser';
  ready: ReadyResponse;
  banner: ErrorBanner;
  ui: UiState;
  saveUi(patch: Partial<UiState>): void;
  /** Opened from a saved session: the selection to show once the first layout is drawn. */
  restoredSelection: Int32Array | null;
}

/** At most `limit` indices, evenly spaced through `indices`, for panels that show a handful. */
export function spread(indices: Int32Array, limit: number): Int32Array {
  if (indices.length <= limit) return indices;
  const out = new Int32Array(limit);
  for (let k = 0; k < limit; k++) out[k] = indices[Math.floor((k * indices.length) / limit)];
  return out;
}
