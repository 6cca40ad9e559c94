/**
 * End to end in a real VS Code: code-server with the extension installed from the packaged .vsix
 * (out/latent-explorer.vsix, `npm run package`), a throwaway workspace, and Chromium clicking
 * through the workbench as a user would. A failed scenario leaves a screenshot in .test-artifacts/.
 */
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import type { Browser } from 'playwright-core';
import { CodeServer, REPO_ROOT, VSIX_PATH, codeServerLauncher, launchChromium } from './harness/codeServer';
import { Workbench } from './harness/workbench';

const EXTENSION_FOLDER_PREFIX = 'latent-explorer.latent-explorer-';
const SAMPLE_MODELS = join(REPO_ROOT, 'sample-models');
// Third-party models beside the repository (absent on a fresh machine: those scenarios skip).
const FIXTURE_MODELS = resolve(REPO_ROOT, '../shared/fixtures/models');
const FIXTURE_MODEL = 'reiinakano-denoising-conv-ae';

let server: CodeServer;
let browser: Browser;
let workbench: Workbench;
let workspace: string;

/** A test body that saves a screenshot when it fails, and names it in the error. */
function scenario(name: string, body: (t: TestContext) => Promise<void>): void {
  it(name, async (t) => {
    try {
      await body(t);
    } catch (error) {
      const shot = await workbench?.screenshot(`e2e-${name}`).catch(() => 'none (the page is gone)');
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\nscreenshot: ${shot}; code-server log: ${server?.logFile}`, { cause: error });
    }
  });
}

/** The workspace a user would have: the bundled samples, a third-party model, and room for a corrupt one. */
function prepareWorkspace(root: string): string {
  const folder = join(root, 'workspace');
  mkdirSync(folder, { recursive: true });
  if (existsSync(SAMPLE_MODELS)) cpSync(SAMPLE_MODELS, join(folder, 'sample-models'), { recursive: true });
  if (existsSync(join(FIXTURE_MODELS, FIXTURE_MODEL))) cpSync(join(FIXTURE_MODELS, FIXTURE_MODEL), join(folder, 'fixtures', FIXTURE_MODEL), { recursive: true });
  return folder;
}

describe('Latent Explorer in code-server, installed from the .vsix', { timeout: 15 * 60_000 }, () => {
  before(async () => {
    assert.ok(existsSync(VSIX_PATH), `no .vsix at ${VSIX_PATH}: run \`npm run package\` first`);
    server = await CodeServer.start(codeServerLauncher(), { name: 'e2e', vsix: VSIX_PATH });
    workspace = prepareWorkspace(server.scratchDir);
    browser = await launchChromium();
    workbench = await Workbench.open(browser, server, workspace);
  });

  after(async () => {
    await browser?.close();
    server?.stop();
  });

  scenario('code-server --install-extension puts the bundles, the wasm binaries and the samples in place', async () => {
    const installed = readdirSync(server.extensionsDir).filter((name) => name.startsWith(EXTENSION_FOLDER_PREFIX));
    assert.equal(installed.length, 1, `expected one ${EXTENSION_FOLDER_PREFIX}* folder in ${server.extensionsDir}, found ${readdirSync(server.extensionsDir).join(', ')}`);
    const root = join(server.extensionsDir, installed[0]!);
    for (const file of ['package.json', 'dist/extension.js', 'dist/webview.js']) {
      assert.ok(existsSync(join(root, file)), `${file} missing from the installed extension`);
    }
    const wasm = readdirSync(join(root, 'dist', 'wasm')).filter((name) => name.endsWith('.wasm'));
    assert.ok(wasm.includes('tfjs-backend-wasm.wasm') && wasm.includes('tfjs-backend-wasm-simd.wasm'), `dist/wasm holds only: ${wasm.join(', ')}`);
    assert.ok(existsSync(join(root, 'sample-models')), 'sample-models/ missing from the installed extension');
    for (const source of ['src', 'test', 'node_modules', 'webview']) {
      assert.ok(!existsSync(join(root, source)), `${source}/ should not be packaged`);
    }
  });

  scenario('"Latent Explorer: Open latent explorer" from the command palette shows the explorer webview', async () => {
    await workbench.runCommand('Latent Explorer: Open latent explorer');
    // Step 1 picks the model (workspace model.json files and the bundled samples), step 2 the data.
    await workbench.pickQuickItem('mnist-dense');
    await workbench.pickQuickItem(/./);
    const explorer = await workbench.webviewFrame('body[data-view="explorer"] #app > *', 90_000);
    await explorer.locator('canvas').first().waitFor({ state: 'visible', timeout: 90_000 });
  });

  scenario('right-click model.json → "Inspect autoencoder" shows the layer table', async () => {
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('sample-models/mnist-dense/model.json', 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
    const rows = await inspector.locator('table.layer-table tbody tr').count();
    assert.ok(rows >= 3, `the layer table shows ${rows} rows`);
    const split = await inspector.locator('.split').innerText();
    assert.match(split, /code/);
  });

  scenario('"Inspect autoencoder" on a third-party TF.js model shows its layers', async (t) => {
    if (!existsSync(join(workspace, 'fixtures', FIXTURE_MODEL))) {
      t.skip(`fixture ${FIXTURE_MODEL} not found beside the repository (${FIXTURE_MODELS})`);
      return;
    }
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu(`fixtures/${FIXTURE_MODEL}/model.json`, 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
    assert.match(await inspector.locator('table.layer-table').innerText(), /Conv2D/);
  });

  scenario('a corrupt model.json shows a clear error and VS Code keeps working', async () => {
    await workbench.closeAllEditors();
    mkdirSync(join(workspace, 'broken'), { recursive: true });
    // Written into the throwaway workspace only: truncated JSON, as an interrupted save leaves it.
    writeFileSync(join(workspace, 'broken', 'model.json'), '{"format": "layers-model", "modelTopology": {"class_name": "Sequ');
    await workbench.explorerContextMenu('broken/model.json', 'Inspect autoencoder');
    const inspector = await workbench.webviewFrame('.error-banner .error-row', 90_000);
    const message = await inspector.locator('.error-banner .error-row').first().innerText();
    assert.match(message, /model\.json/, `the error does not name the file: ${message}`);
    assert.match(message, /JSON|parse|invalid|corrupt/i, `the error does not say what is wrong: ${message}`);

    // The workbench still answers: the good model inspects as before.
    await workbench.closeAllEditors();
    await workbench.explorerContextMenu('sample-models/mnist-dense/model.json', 'Inspect autoencoder');
    await workbench.webviewFrame('table.layer-table tbody tr', 90_000);
  });
});
