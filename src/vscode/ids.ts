/**
 * Identifiers shared between the code and package.json's `contributes` (a unit test checks that
 * the two agree). No `vscode` import.
 */

/** Command ids. */
export const COMMANDS = {
  /** Palette: pick a model and a dataset, open the explorer (with a model.json Uri: skip the model pick). */
  open: 'latentExplorer.open',
  /** Explorer context menu "Open in Latent Explorer" on model.json. */
  openModel: 'latentExplorer.openModel',
  /** Explorer context menu "Inspect autoencoder": the read-only model editor. */
  inspect: 'latentExplorer.inspect',
  /** Palette: pick two models and a dataset, open the comparison. */
  compare: 'latentExplorer.compare',
  /** Explorer context menu on model.json: remember it as the left side of a comparison. */
  selectForCompare: 'latentExplorer.selectForCompare',
  /** Explorer context menu on model.json, once one is selected: compare it with the selected one. */
  compareWithSelected: 'latentExplorer.compareWithSelected',
  /** Palette, and the explorer's context menu on a *.latent-session.json: reopen a saved view. */
  openSession: 'latentExplorer.openSession',
} as const;

/** Webview panel and custom editor view types. */
export const VIEW_TYPES = {
  explorer: 'latentExplorer.explorer',
  compare: 'latentExplorer.comparison',
  inspector: 'latentExplorer.modelInspector',
} as const;

/** Context key set while a model is selected for compare (enables "Compare checkpoint with selected"). */
export const COMPARE_SELECTION_CONTEXT = 'latentExplorer.hasCompareSelection';

/** Name of the LogOutputChannel. */
export const LOG_CHANNEL_NAME = 'Latent Explorer';
