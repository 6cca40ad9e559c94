// package.json's contributes and the host code name the same commands, views and settings.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS, COMPARE_SELECTION_CONTEXT, VIEW_TYPES } from '../../src/vscode/ids';
import { SESSION_FILE_SUFFIX } from '../../src/shared/sessionFile';
import { PROJECTION_METHODS } from '../../src/shared/types';
import { BACKEND_PREFERENCES, SETTING_DEFAULTS, SETTINGS_SECTION } from '../../src/vscode/settings';

interface Contributes {
  commands: { command: string; title: string; category: string }[];
  menus: Record<string, { command: string; when?: string }[]>;
  customEditors: { viewType: string; selector: { filenamePattern: string }[]; priority: string }[];
  configuration: { properties: Record<string, { default: unknown; enum?: string[] }> };
}
const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  main: string;
  activationEvents: string[];
  contributes: Contributes;
};
const { contributes } = pkg;
const title = (id: string) => contributes.commands.find((c) => c.command === id)?.title;

describe('package.json contributes', () => {
  it('contributes.commands declares exactly the ids in COMMANDS, with the labels users see', () => {
    assert.deepEqual(contributes.commands.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
    assert.ok(contributes.commands.every((c) => c.category === 'Latent Explorer'));
    assert.equal(title(COMMANDS.open), 'Open latent explorer');
    assert.equal(title(COMMANDS.openModel), 'Open in Latent Explorer');
    assert.equal(title(COMMANDS.inspect), 'Inspect autoencoder');
    assert.equal(title(COMMANDS.compare), 'Compare checkpoints');
    assert.equal(title(COMMANDS.selectForCompare), 'Select checkpoint for compare');
    assert.equal(title(COMMANDS.compareWithSelected), 'Compare checkpoint with selected');
  });

  it('contributes.menus shows the model commands only on model.json, .onnx, .keras and .h5 files, Open saved session only on session files, and Open in the inspector title', () => {
    const context = contributes.menus['explorer/context'];
    assert.deepEqual(context.map((m) => m.command).sort(), [COMMANDS.compareWithSelected, COMMANDS.inspect, COMMANDS.openModel, COMMANDS.selectForCompare, COMMANDS.openSession].sort());
    for (const item of context.filter((m) => m.command !== COMMANDS.openSession)) {
      const modelPattern = new RegExp(/^resourceFilename =~ \/(.+?)\/( &&|$)/.exec(item.when ?? '')?.[1] ?? '^$');
      for (const name of ['model.json', 'ae.onnx', 'autoencoder.keras', 'encoder.h5']) assert.ok(modelPattern.test(name), `${item.when} misses ${name}`);
      for (const name of ['package.json', 'model.json.bak', 'notes.txt', 'weights.bin']) assert.ok(!modelPattern.test(name), `${item.when} matches ${name}`);
    }
    const openSession = context.find((m) => m.command === COMMANDS.openSession);
    const sessionPattern = new RegExp(/^resourceFilename =~ \/(.+)\/$/.exec(openSession?.when ?? '')?.[1] ?? '^$');
    assert.ok(sessionPattern.test(`mnist${SESSION_FILE_SUFFIX}`) && !sessionPattern.test('model.json') && !sessionPattern.test('session.json'), openSession?.when);
    const compareWith = context.find((m) => m.command === COMMANDS.compareWithSelected);
    assert.ok(compareWith?.when?.includes(COMPARE_SELECTION_CONTEXT));
    assert.deepEqual(contributes.menus['editor/title'], [
      { command: COMMANDS.openModel, when: `activeCustomEditorId == ${VIEW_TYPES.inspector}`, group: 'navigation' },
    ]);
    const ids = new Set(Object.values(COMMANDS) as string[]);
    for (const items of Object.values(contributes.menus)) for (const item of items) assert.ok(ids.has(item.command), item.command);
  });

  it('contributes.customEditors offers the inspector for any model.json, .onnx, .keras and .h5 as an "Open With…" option', () => {
    assert.deepEqual(contributes.customEditors.map((e) => [e.viewType, e.priority, e.selector]), [
      [VIEW_TYPES.inspector, 'option', [{ filenamePattern: '**/model.json' }, { filenamePattern: '*.onnx' }, { filenamePattern: '*.keras' }, { filenamePattern: '*.h5' }]],
    ]);
  });

  it('activationEvents restore both panel types after a reload; main is the bundle', () => {
    assert.deepEqual(pkg.activationEvents.sort(), [`onWebviewPanel:${VIEW_TYPES.compare}`, `onWebviewPanel:${VIEW_TYPES.explorer}`].sort());
    assert.equal(pkg.main, './dist/extension.js');
  });

  it('contributes.configuration declares the settings readHostSettings reads, with the same defaults and choices', () => {
    const properties = contributes.configuration.properties;
    assert.deepEqual(Object.keys(properties).sort(), Object.keys(SETTING_DEFAULTS).map((k) => `${SETTINGS_SECTION}.${k}`).sort());
    for (const [name, value] of Object.entries(SETTING_DEFAULTS)) assert.equal(properties[`${SETTINGS_SECTION}.${name}`].default, value, name);
    assert.deepEqual(properties[`${SETTINGS_SECTION}.defaultProjection`].enum, [...PROJECTION_METHODS]);
    assert.deepEqual(properties[`${SETTINGS_SECTION}.backend`].enum, [...BACKEND_PREFERENCES]);
  });
});
