/**
 * Reads a saved view (`*.latent-session.json`, src/shared/sessionFile.ts): checks every field, with
 * an error that names the file and the field, and resolves relative paths against the file's folder
 * so that a session saved beside its models can be shared with them.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SESSION_FILE_FORMAT, SESSION_FILE_VERSION, type SavedUi, type SessionFile } from '../shared/sessionFile';
import { PROJECTION_METHODS } from '../shared/types';

export class SessionFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'SessionFileError';
  }
}

/** Reads and checks the session file at `file`, and that the models and data it names are there. */
export async function readSessionFile(file: string): Promise<SessionFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SessionFileError(file, `cannot read the session file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const saved = parseSessionFile(text, file);
  const missing = [...saved.models, saved.data].filter((path) => !existsSync(path));
  if (missing.length) throw new SessionFileError(file, missing.map((path) => `${path} does not exist`).join('; '));
  return saved;
}

/** Checks a session file's text; `file` names it in errors and anchors its relative paths. */
export function parseSessionFile(text: string, file: string): SessionFile {
  const fail = (message: string): never => {
    throw new SessionFileError(file, message);
  };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return fail(`not valid JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('expected a JSON object');
  const saved = value as Record<string, unknown>;
  if (saved.format !== SESSION_FILE_FORMAT) return fail(`not a Latent Explorer session (format is ${JSON.stringify(saved.format)}, expected "${SESSION_FILE_FORMAT}")`);
  if (saved.version !== SESSION_FILE_VERSION) return fail(`version ${JSON.stringify(saved.version)} is not supported (this version reads ${SESSION_FILE_VERSION})`);
  const view = saved.view;
  if (view !== 'explorer' && view !== 'compare') return fail(`"view" must be "explorer" or "compare", got ${JSON.stringify(view)}`);
  const modelCount = view === 'explorer' ? 1 : 2;
  const models = saved.models;
  if (!Array.isArray(models) || models.length !== modelCount || !models.every(isPath)) {
    return fail(`"models" must list ${modelCount} model path(s) for the ${view} view, got ${JSON.stringify(models)}`);
  }
  if (!isPath(saved.data)) return fail(`"data" must be the dataset's path, got ${JSON.stringify(saved.data)}`);
  const sampleLimit = saved.sampleLimit;
  if (!Number.isSafeInteger(sampleLimit) || (sampleLimit as number) < 1) return fail(`"sampleLimit" must be a positive integer, got ${JSON.stringify(sampleLimit)}`);
  if (!Number.isSafeInteger(saved.seed)) return fail(`"seed" must be an integer, got ${JSON.stringify(saved.seed)}`);
  const selection = saved.selection;
  if (!Array.isArray(selection) || !selection.every((i) => Number.isSafeInteger(i) && i >= 0 && i < (sampleLimit as number))) {
    return fail(`"selection" must be positions in the shown sample (integers from 0 to ${(sampleLimit as number) - 1})`);
  }
  const folder = dirname(resolve(file));
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(folder, path));
  return {
    format: SESSION_FILE_FORMAT,
    version: SESSION_FILE_VERSION,
    view,
    models: models.map(absolute),
    data: absolute(saved.data),
    sampleLimit: sampleLimit as number,
    seed: saved.seed as number,
    ui: savedUi(saved.ui, fail),
    selection: [...new Set(selection as number[])].sort((a, b) => a - b),
    savedAt: typeof saved.savedAt === 'string' ? saved.savedAt : '',
  };
}

function isPath(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** The view choices; each one present must be valid (a typo should not silently fall back to a default). */
function savedUi(value: unknown, fail: (message: string) => never): SavedUi {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('"ui" must be an object');
  const ui = value as Record<string, unknown>;
  const out: SavedUi = {};
  const number = (key: 'perplexity' | 'nNeighbors' | 'minDist' | 'seed') => {
    if (ui[key] === undefined) return;
    if (typeof ui[key] !== 'number' || !Number.isFinite(ui[key])) fail(`"ui.${key}" must be a number, got ${JSON.stringify(ui[key])}`);
    out[key] = ui[key] as number;
  };
  if (ui.method !== undefined) {
    if (!PROJECTION_METHODS.includes(ui.method as never)) fail(`"ui.method" must be one of ${PROJECTION_METHODS.join(', ')}, got ${JSON.stringify(ui.method)}`);
    out.method = ui.method as SavedUi['method'];
  }
  if (ui.dims !== undefined) {
    if (ui.dims !== 2 && ui.dims !== 3) fail(`"ui.dims" must be 2 or 3, got ${JSON.stringify(ui.dims)}`);
    out.dims = ui.dims as 2 | 3;
  }
  number('perplexity');
  number('nNeighbors');
  number('minDist');
  number('seed');
  if (ui.components !== undefined) {
    if (!Array.isArray(ui.components) || !ui.components.every((c) => Number.isSafeInteger(c) && c >= 0)) fail(`"ui.components" must be component indices, got ${JSON.stringify(ui.components)}`);
    out.components = [...(ui.components as number[])];
  }
  if (ui.colorBy !== undefined) {
    if (typeof ui.colorBy !== 'string') fail(`"ui.colorBy" must be a string, got ${JSON.stringify(ui.colorBy)}`);
    out.colorBy = ui.colorBy as string;
  }
  if (ui.baseline !== undefined) out.baseline = ui.baseline === true;
  return out;
}
