/**
 * A saved view (`*.latent-session.json`): the models, the data, the sample shown, the projection
 * and colouring chosen, and the selection, so that opening the file shows the same view again.
 * The webview writes it; the host reads it back through src/core/sessionFile.ts.
 */
import type { ProjectionMethod } from './types';

export const SESSION_FILE_FORMAT = 'latent-explorer-session';
export const SESSION_FILE_VERSION = 1;
/** What saved sessions are named, and what the explorer's context menu offers to open. */
export const SESSION_FILE_SUFFIX = '.latent-session.json';

/** The choices a view restores: the projection, its parameters, the colouring, the baseline pane. */
export interface SavedUi {
  method?: ProjectionMethod;
  dims?: 2 | 3;
  perplexity?: number;
  nNeighbors?: number;
  minDist?: number;
  components?: number[];
  seed?: number;
  colorBy?: string;
  /** The raw-input baseline pane is shown beside the codes. */
  baseline?: boolean;
}

export interface SessionFile {
  format: typeof SESSION_FILE_FORMAT;
  version: typeof SESSION_FILE_VERSION;
  view: 'explorer' | 'compare';
  /** One model (explorer) or two (compare); relative paths are relative to the file's folder. */
  models: string[];
  data: string;
  /** How many samples were shown and the seed that drew them: together they redraw the same sample. */
  sampleLimit: number;
  seed: number;
  ui: SavedUi;
  /** Selected samples, as positions in the shown sample. */
  selection: number[];
  savedAt: string;
}

/** What a panel opened from a session file restores once its session is ready. */
export interface SessionRestore {
  ui: SavedUi;
  selection: number[];
  sampleLimit: number;
  seed: number;
}
