/**
 * What a Latent Explorer panel shows, in a form that survives a window reload: the webview keeps
 * it in its persisted state (`vscode.setState({ ...state, session })`, read from the page's
 * `data-session` attribute), and the panel serializer reads it back. Pure: no `vscode` import.
 */
import { basename, dirname } from 'node:path';
import type { ViewKind } from '../shared/protocol';
import type { SessionRestore } from '../shared/sessionFile';

/** The session a panel was opened on. */
export interface PanelSessionState {
  view: ViewKind;
  /** One model (explorer, inspect) or two (compare), as absolute paths. */
  modelPaths: string[];
  /** Dataset file or folder; absent in the inspect view before one is chosen. */
  dataPath?: string;
  /** Opened from a saved session: the sample, view choices and selection to show again. */
  restore?: SessionRestore;
}

/** How many models each view needs. */
const MODEL_COUNT: Record<ViewKind, number> = { explorer: 1, compare: 2, inspect: 1 };

/** Checks a session before it is opened; the message names the offending values. */
export function validateSession(session: PanelSessionState): PanelSessionState {
  const expected = MODEL_COUNT[session.view];
  if (expected === undefined) throw new Error(`unknown view ${JSON.stringify(session.view)}`);
  if (session.modelPaths.length !== expected) {
    throw new Error(
      `the ${session.view} view needs ${expected} model(s), got ${session.modelPaths.length}: ${JSON.stringify(session.modelPaths)}`,
    );
  }
  if (session.view !== 'inspect' && !session.dataPath) {
    throw new Error(`the ${session.view} view needs a dataset; none was given for ${session.modelPaths.join(', ')}`);
  }
  return session;
}

/**
 * Reads the session out of a webview's persisted state (`{ session: … }`), or null when the state
 * does not hold a valid one (a webview that never stored it, or state from another version).
 */
export function sessionFromWebviewState(state: unknown): PanelSessionState | null {
  if (typeof state !== 'object' || state === null) return null;
  const session = (state as { session?: unknown }).session;
  if (typeof session !== 'object' || session === null) return null;
  const { view, modelPaths, dataPath, restore } = session as Record<string, unknown>;
  if (view !== 'explorer' && view !== 'compare' && view !== 'inspect') return null;
  if (!Array.isArray(modelPaths) || !modelPaths.every((p) => typeof p === 'string' && p.length > 0)) return null;
  if (dataPath !== undefined && (typeof dataPath !== 'string' || dataPath.length === 0)) return null;
  const restored: PanelSessionState = { view, modelPaths: [...modelPaths] };
  if (dataPath !== undefined) restored.dataPath = dataPath;
  if (isRestore(restore)) restored.restore = restore;
  try {
    return validateSession(restored);
  } catch {
    return null;
  }
}

/** A restore as the host wrote it (read back from a webview's state, so checked again). */
function isRestore(value: unknown): value is SessionRestore {
  if (typeof value !== 'object' || value === null) return false;
  const { ui, selection, sampleLimit, seed } = value as Record<string, unknown>;
  return (
    typeof ui === 'object' && ui !== null &&
    Array.isArray(selection) && selection.every((i) => Number.isSafeInteger(i) && i >= 0) &&
    Number.isSafeInteger(sampleLimit) && (sampleLimit as number) >= 1 &&
    Number.isSafeInteger(seed)
  );
}

/** Identity of a session: two requests with the same key show the same panel. */
export function sessionKey(session: PanelSessionState): string {
  return JSON.stringify([session.view, session.modelPaths, session.dataPath ?? null]);
}

/**
 * Short name of a model for titles and pick lists: its folder (`mnist-dense` for
 * `…/mnist-dense/model.json`, and for a folder holding encoder/ and decoder/), with the parent
 * added for a half of a pair (`pair/encoder`).
 */
export function modelLabel(modelPath: string): string {
  const isModelJson = basename(modelPath) === 'model.json';
  const folder = isModelJson ? dirname(modelPath) : modelPath;
  const name = basename(folder);
  if (isModelJson && (name === 'encoder' || name === 'decoder')) return `${basename(dirname(folder))}/${name}`;
  return name;
}

/** The tab title of a panel showing `session`. */
export function panelTitle(session: PanelSessionState): string {
  const [a, b] = session.modelPaths.map(modelLabel);
  switch (session.view) {
    case 'explorer':
      return `Latent Explorer: ${a}`;
    case 'compare':
      return `Compare: ${a} ↔ ${b}`;
    case 'inspect':
      return `Inspect: ${a}`;
  }
}
