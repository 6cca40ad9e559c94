/**
 * The `latentExplorer.*` settings, read and checked. Takes any `get(key)` (VS Code's
 * WorkspaceConfiguration fits), so it needs no `vscode` import; package.json declares the same
 * keys under `contributes.configuration` (a unit test keeps the two in step).
 */
import type { ExplorerSettings } from '../shared/protocol';
import { PROJECTION_METHODS, type BackendPreference, type ProjectionMethod } from '../shared/types';

/** Configuration section of every setting. */
export const SETTINGS_SECTION = 'latentExplorer';

export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', 'wasm', 'cpu', 'tensorflow'];

/** Defaults, also written into package.json's configuration schema. */
export const SETTING_DEFAULTS = {
  defaultProjection: 'pca' as ProjectionMethod,
  seed: 42,
  sampleLimit: 5000,
  backend: 'auto' as BackendPreference,
};

/** Setting names under the section. */
export type SettingName = keyof typeof SETTING_DEFAULTS;

/** The part of WorkspaceConfiguration this needs. */
export interface ConfigurationLike {
  get<T>(key: string): T | undefined;
}

/** What a session is opened with. */
export interface HostSettings {
  settings: ExplorerSettings;
  backend: BackendPreference;
  /** Settings that held invalid values (and were replaced by defaults), as `key: value` lines to log. */
  problems: string[];
}

/** Reads the settings; an invalid value falls back to its default and is reported in `problems`. */
export function readHostSettings(config: ConfigurationLike): HostSettings {
  const problems: string[] = [];
  const pick = <T>(name: SettingName, valid: (value: unknown) => boolean): T => {
    const value = config.get<unknown>(name);
    if (value === undefined) return SETTING_DEFAULTS[name] as T;
    if (valid(value)) return value as T;
    problems.push(`${SETTINGS_SECTION}.${name}: ${JSON.stringify(value)} is not valid, using ${JSON.stringify(SETTING_DEFAULTS[name])}`);
    return SETTING_DEFAULTS[name] as T;
  };
  const defaultMethod = pick<ProjectionMethod>('defaultProjection', (v) => PROJECTION_METHODS.includes(v as ProjectionMethod));
  const seed = pick<number>('seed', (v) => Number.isSafeInteger(v) && (v as number) >= 0);
  const sampleLimit = pick<number>('sampleLimit', (v) => Number.isSafeInteger(v) && (v as number) >= 1);
  const backend = pick<BackendPreference>('backend', (v) => BACKEND_PREFERENCES.includes(v as BackendPreference));
  return { settings: { defaultMethod, seed, sampleLimit }, backend, problems };
}
